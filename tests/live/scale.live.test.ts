/**
 * Scaling a running cluster with `pulumi up` (the real engine): 3 → 5 → 3 members on five lab hosts,
 * under a steady write load, for etcd 3.4 and 3.5. Members join as learners one at a time and are promoted;
 * removed members leave (`member remove`) before their containers stop; the three original containers are
 * never touched. Then the refusals and the recoveries: removing two of three members is refused before anything
 * changes, a removed member's name joins again with a fresh volume, a scale-out interrupted after `member add`
 * completes on the next deployment, and one dropped from the program instead leaves no learner behind.
 */
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { DEFAULT_SERIES, docker, etcdctlIn, etcdctlOutside, labHosts, newDeployer, readLab, removeLeftovers, revisionOf, watchOnce } from "./lab";
import { observeCluster } from "./clusterObserver";
import { memberWarnings } from "./memberLogs";
import { lostWrites, startWriteLoad } from "./writeLoad";
import type { PlanStep } from "./pulumi/realDeployer";
import { replacements } from "./pulumi/events";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(1_800_000);

const lab = readLab();
const hosts = labHosts(lab, 5);
const dockerHosts = hosts.map((h) => h.dockerHost);

describe.each([[DEFAULT_SERIES, 22379], ["3.7", 38379], ["3.5", 21379], ["3.4", 23379]] as const)("etcd %s", (series, clientPort) => {
    const cluster = `scale${series.replace(".", "")}`;
    const name = (i: number) => `${cluster}-n${i}`;
    const args = (count: number[]): EtcdClusterArgs => ({
        image: lab.images[series],
        hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
        members: count.map((i) => ({ name: name(i), host: hosts[i - 1].name, clientPort, peerPort: clientPort + 1 })),
        healthCheck: { timeoutSeconds: 120 },
        rollout: { memberTimeoutSeconds: 120, snapshotDir: `/tmp/etcd-live-snapshots/${cluster}` },
    });
    const program = (count: number[]) => async () => {
        const c = new EtcdCluster(cluster, args(count));
        return { endpoints: c.clientEndpointList, members: c.memberNames, health: c.healthReport };
    };
    const endpoint = (i: number) => `http://${hosts[i - 1].address}:${clientPort}`;
    const ref = (i: number) => ({ dockerHost: dockerHosts[i - 1], container: name(i), localClientUrl: `http://127.0.0.1:${clientPort}` });
    const deployer = newDeployer();
    const original = [1, 2, 3];

    async function containerId(i: number): Promise<string> {
        return (await docker(dockerHosts[i - 1], "inspect", "-f", "{{.Id}}", name(i))).stdout.trim();
    }
    async function members(): Promise<string[]> {
        const r = await etcdctlIn(ref(1), "member", "list");
        expect(r.code).toBe(0);
        return r.stdout.trim().split("\n").map((l) => l.split(", ")).map((f) => `${f[2] || "<unstarted>"} ${f[1]} learner=${f[5]}`).sort();
    }
    const want = (count: number[]) => count.map((i) => `${name(i)} started learner=false`).sort();
    /** The seed's checks: member list, endpoint health, put/get, watch. */
    async function seedChecks(count: number[]): Promise<void> {
        expect(await members()).toEqual(want(count));
        const eps = count.map(endpoint);
        expect((await etcdctlOutside(eps, "endpoint", "health")).code).toBe(0);
        const key = `/scale/check-${count.length}`;
        const rev = await revisionOf(ref(1));
        expect((await etcdctlOutside(eps, "put", key, `v${count.length}`)).stdout.trim()).toBe("OK");
        expect((await etcdctlOutside([eps[eps.length - 1]], "get", key, "--print-value-only")).stdout.trim()).toBe(`v${count.length}`);
        expect(await watchOnce(ref(count[count.length - 1]), key, rev + 1)).toContain(`v${count.length}`);
    }
    /**
     * The resources a plan changes, as `<op> <name>`, leaving out the cluster health check (it checks the new member
     * set), the notice of retained volumes (its text lists every member's volume; an update runs nothing) and the
     * snapshot taken before every change of the members (asserted on its own).
     */
    const changed = (plan: PlanStep[]) => plan.filter((s) => s.op !== "same" && ![`${cluster}-health`, `${cluster}-retained-volumes`, `${cluster}-rollout-snapshot`].includes(s.name))
        .map((s) => `${s.op} ${s.name}`);
    /** What a plan changes beyond the given members' resources and their hosts' provider and image. */
    const onlyMembers = (plan: PlanStep[], ids: number[]) => changed(plan).filter((c) => !ids.some((i) =>
        c.endsWith(`-${name(i)}`) || c.includes(`-${name(i)}-`) || c.endsWith(`-${hosts[i - 1].name}`) || c.endsWith(`-${hosts[i - 1].name}-image`)));

    let ids: string[] = [];
    /** Also the unlabelled containers the interrupted scale-out tests put in n4's and n5's way, should a run have died there. */
    const removeAll = async () => {
        await removeLeftovers(dockerHosts, cluster);
        await docker(dockerHosts[3], "rm", "-f", name(4));
        await docker(dockerHosts[4], "rm", "-f", name(5));
    };
    beforeAll(async () => {
        await removeAll();
        await deployer.deploy(cluster, program(original));
        ids = await Promise.all(original.map(containerId));
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeAll();
    });

    it("3 → 5 → 3 under a write load: learners join one at a time, leavers go before their containers, the original three are never touched", async () => {
        const since = Date.now();
        const load = startWriteLoad(original.map(endpoint), `/scale/load/`, { maxMs: 600_000 });
        const watch = observeCluster(original.map(endpoint));

        const out = await deployer.preview(cluster, program([1, 2, 3, 4, 5]));
        expect(onlyMembers(out, [4, 5])).toEqual([]);
        expect(replacements(out, "command:local:Command").filter((r) => r.name === `${cluster}-rollout-snapshot`).map((r) => r.deleteFirst)).toEqual([false]);
        expect(changed(out).length).toBeGreaterThan(0);
        const t0 = Date.now();
        await deployer.deploy(cluster, program([1, 2, 3, 4, 5]));
        console.log(`scale out took ${Date.now() - t0} ms`);
        expect(await Promise.all(original.map(containerId))).toEqual(ids);
        await seedChecks([1, 2, 3, 4, 5]);
        console.log(`scale in starts at +${Date.now() - t0} ms`);

        const back = await deployer.preview(cluster, program(original));
        expect(onlyMembers(back, [4, 5])).toEqual([]);
        // Removals only: a removed member's volume is "retain" (retainOnDelete), its data removal deletes it.
        expect(changed(back).filter((c) => !c.startsWith("delete ") && !c.startsWith("retain "))).toEqual([]);
        await deployer.deploy(cluster, program(original));
        expect(await Promise.all(original.map(containerId))).toEqual(ids);
        await seedChecks(original);
        for (const i of [4, 5]) {
            expect((await docker(dockerHosts[i - 1], "ps", "-a", "-q", "--filter", `name=^${name(i)}$`)).stdout.trim()).toBe("");
            expect((await docker(dockerHosts[i - 1], "volume", "ls", "-q", "--filter", `name=^${name(i)}-data$`)).stdout.trim()).toBe("");
        }

        const result = await load.stop();
        const seen = await watch.stop();
        console.log(`etcd ${series} 3→5→3: ${result.acked.size} writes acknowledged, ${result.failed} failed, longest gap ${result.longestGapMs} ms; ` +
            `fewest healthy of the original three ${seen.minHealthy} in ${seen.samples.length} samples (${seen.stalledSamples} dropped: the test process stalled), leader changes ${seen.leaderChanges}`);
        expect(result.acked.size).toBeGreaterThan(50);
        expect(await lostWrites(original.map(endpoint), "/scale/load/", result.acked)).toEqual([]);
        const s0 = seen.samples[0]?.at ?? 0;
        console.log(`longest write gap ended at +${result.longestGapEndedAt - t0} ms (observer from +${s0 - t0}); samples with fewer than 3 healthy: ` +
            seen.samples.filter((x) => x.healthy < 3).map((x) => `+${x.at - t0}:${x.healthy}`).join(" "));
        if (result.failed > 0 || seen.minHealthy < 2) {
            console.log(`the members' warnings:\n${await memberWarnings([1, 2, 3, 4, 5].map((i) => ({ dockerHost: dockerHosts[i - 1], name: name(i) })), since)}`);
        }
        expect(seen.samples.length).toBeGreaterThan(20);
        expect(seen.minHealthy).toBeGreaterThanOrEqual(2);
    });

    it("removing two of three members in one update is refused before anything changes", async () => {
        await expect(deployer.deploy(cluster, program([1]))).rejects.toThrow(/removes .*"scale\d+-n2".*"scale\d+-n3".*could not hold quorum/s);
        // Not even the leaves of the two members the program dropped: the failing membership check stops the engine.
        expect(deployer.plan.filter((s) => s.op === "delete").map((s) => `${s.type} ${s.name}`)).toEqual([]);
        expect(await Promise.all(original.map(containerId))).toEqual(ids);
        expect(await members()).toEqual(want(original));
    });

    it("a removed member's name joins again with a fresh volume, and a scale-out interrupted after member add completes on the next deployment", async () => {
        await deployer.deploy(cluster, program([1, 2, 3, 4]));
        await seedChecks([1, 2, 3, 4]);
        // A container in the way of n5's: its container cannot be created, after its join added it to the cluster.
        await docker(dockerHosts[4], "rm", "-f", name(5));
        expect((await docker(dockerHosts[4], "create", "--name", name(5), lab.images[series])).code).toBe(0);
        await expect(deployer.deploy(cluster, program([1, 2, 3, 4, 5]))).rejects.toThrow(/already exists|already in use|Conflict/);
        expect(await members()).toEqual([...want([1, 2, 3, 4]), "<unstarted> unstarted learner=true"].sort());
        await docker(dockerHosts[4], "rm", "-f", name(5));
        await deployer.deploy(cluster, program([1, 2, 3, 4, 5]));
        await seedChecks([1, 2, 3, 4, 5]);
        expect(await Promise.all(original.map(containerId))).toEqual(ids);
        await deployer.deploy(cluster, program(original));
        await seedChecks(original);
    });

    it("a member added but never started, then dropped from the program, is removed from the cluster by its join", async () => {
        await docker(dockerHosts[3], "rm", "-f", name(4));
        expect((await docker(dockerHosts[3], "create", "--name", name(4), lab.images[series])).code).toBe(0);
        try {
            await expect(deployer.deploy(cluster, program([1, 2, 3, 4]))).rejects.toThrow(/already exists|already in use|Conflict/);
            expect(await members()).toEqual([...want(original), "<unstarted> unstarted learner=true"].sort());
            await deployer.deploy(cluster, program(original));
            expect(await members()).toEqual(want(original));
            expect(await Promise.all(original.map(containerId))).toEqual(ids);
        } finally {
            await docker(dockerHosts[3], "rm", "-f", name(4));
        }
    });
});
