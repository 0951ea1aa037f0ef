/**
 * Rolling, health-gated changes through the real Pulumi engine, under a steady write load and a cluster observer:
 * upgrades of three members along etcd's paths (3.4 → 3.5; 3.5 → 3.6 → 3.7), a tuning change on five members, and
 * a rollout whose new container cannot start. Each replaces one member at a time (gate after gate, the leader last after a
 * hand-over), so a quorum stays healthy at every sample, at most one leader change happens, and every
 * acknowledged write survives; a member that does not come back stops the rollout there.
 */
import * as fs from "fs";
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { DEFAULT_SERIES, docker, etcdctlOutside, eventually, labHosts, newDeployer, parseMemberList, readLab, removeLeftovers, Series } from "./lab";
import { observeCluster } from "./clusterObserver";
import { memberWarnings } from "./memberLogs";
import { version } from "./etcdHttp";
import { lostWrites, startWriteLoad } from "./writeLoad";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(1_800_000);

const lab = readLab();

function rollingCluster(cluster: string, count: number, clientPort: number) {
    const hosts = labHosts(lab, count);
    const dockerHosts = hosts.map((h) => h.dockerHost);
    const name = (i: number) => `${cluster}-n${i + 1}`;
    const snapshotDir = `/tmp/etcd-live-snapshots/${cluster}`;
    const args = (over: Partial<EtcdClusterArgs>): EtcdClusterArgs => ({
        image: lab.images[DEFAULT_SERIES],
        hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
        members: hosts.map((h, i) => ({ name: name(i), host: h.name, clientPort, peerPort: clientPort + 1 })),
        healthCheck: { timeoutSeconds: 120 },
        rollout: { memberTimeoutSeconds: 60, snapshotDir },
        ...over,
    });
    const program = (over: Partial<EtcdClusterArgs>) => async () => {
        const c = new EtcdCluster(cluster, args(over));
        return { endpoints: c.clientEndpointList };
    };
    const endpoints = hosts.map((h) => `http://${h.address}:${clientPort}`);
    /**
     * Container IDs, or the data volumes' identities: the inode of each volume's directory (the lab's Docker hosts
     * share this machine's filesystem). Not `CreatedAt`: Docker's local driver reports the directory's mtime there,
     * which moves when a file (the pre-rollout snapshot) is written into the volume.
     */
    const objects = async (kind: "container" | "volume") => Promise.all(hosts.map(async (_, i) => {
        if (kind === "container") return (await docker(dockerHosts[i], "inspect", "-f", "{{.Id}}", name(i))).stdout.trim();
        const mountpoint = (await docker(dockerHosts[i], "volume", "inspect", "-f", "{{.Mountpoint}}", `${name(i)}-data`)).stdout.trim();
        return `${mountpoint} inode ${fs.statSync(mountpoint).ino}`;
    }));
    /** Runs `change` under the load and the observer; returns what they saw. */
    async function underLoad(prefix: string, change: () => Promise<unknown>) {
        const since = Date.now();
        const load = startWriteLoad(endpoints, prefix, { maxMs: 600_000 });
        const watch = observeCluster(endpoints);
        await new Promise((r) => setTimeout(r, 1_500));
        let error: unknown;
        try { await change(); } catch (e) { error = e; }
        await new Promise((r) => setTimeout(r, 1_500));
        const [writes, seen] = [await load.stop(), await watch.stop()];
        console.log(`${cluster} ${prefix}: ${writes.acked.size} writes acknowledged, ${writes.failed} failed, longest gap ${writes.longestGapMs} ms; ` +
            `fewest healthy members in a sample ${seen.minHealthy} of ${count} (${seen.samples.length} samples, ${seen.stalledSamples} dropped), leader changes ${seen.leaderChanges}, term +${seen.termIncrease}`);
        if (writes.failed > 0 || seen.minHealthy < Math.floor(count / 2) + 1) {
            console.log(`the members' warnings:\n${await memberWarnings(hosts.map((_, i) => ({ dockerHost: dockerHosts[i], name: name(i) })), since)}`);
        }
        expect(seen.samples.length).toBeGreaterThan(10);
        expect(writes.acked.size).toBeGreaterThan(50);
        expect(await lostWrites(endpoints, prefix, writes.acked)).toEqual([]);
        return { writes, seen, error };
    }
    return { cluster, hosts, dockerHosts, name, args, program, endpoints, objects, underLoad, snapshotDir };
}

/** What an image of the lab runs: `local/etcd:v3.6.17` → `3.6.17`. */
const versionOf = (series: Series) => lab.images[series].replace(/^.*:v/, "");

// etcd's supported paths, one minor at a time, each from a patch its guide accepts: 3.4 → 3.5 (3.4.23 → 3.5.16), and
// 3.5 → 3.6 → 3.7 from 3.5.36 (the 3.6 guide asks for 3.5.32 or later; the 3.7 guide for 3.6.11 or later).
describe.each([
    ["roll34", 24379, ["3.4", "3.5"]],
    ["roll37", 29379, ["3.5-upgrade", "3.6", "3.7"]],
] as [string, number, Series[]][])("the upgrades of three members %s (client port %s): %j", (cluster, port, path) => {
    const c = rollingCluster(cluster, 3, port);
    const deployer = newDeployer();
    beforeAll(async () => {
        await removeLeftovers(c.dockerHosts, c.cluster);
        fs.rmSync(c.snapshotDir, { recursive: true, force: true });
        await deployer.deploy(c.cluster, c.program({ image: lab.images[path[0]] }));
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeLeftovers(c.dockerHosts, c.cluster);
    });

    it.each(path.slice(1).map((to, k) => [path[k], to]))("%s → %s rolls member by member, keeps a quorum healthy and every write, moves leadership once, ends on the new cluster version", async (from, to) => {
        const [target, minor] = [versionOf(to as Series), to.slice(0, 3)];
        const volumes = await c.objects("volume");
        const before = await c.objects("container");
        const snapshotsBefore = fs.existsSync(c.snapshotDir) ? fs.readdirSync(c.snapshotDir).filter((f) => f.endsWith(".db")).length : 0;
        const { seen, error } = await c.underLoad(`/${cluster}-${from}-${to}/`, () => deployer.deploy(c.cluster, c.program({ image: lab.images[to as Series] })));
        expect(error).toBeUndefined();
        // The engine's physical steps for the gates and containers, in the order it started them.
        const order = deployer.plan.filter((s) => ["delete-replaced", "create-replacement"].includes(s.op) && /-(gate|n\d)$/.test(s.name) && !s.type.startsWith("etcd-cluster"))
            .map((s) => `${s.op} ${s.name.replace(`${c.cluster}-`, "")}`);
        // One member at a time: its gate's delete (the hand-over) before its container goes, its container back
        // before its new gate, and that gate done before the next member's.
        expect(order).toHaveLength(3 * 4);
        for (let k = 0; k < 3; k++) {
            const m = order[4 * k].split(" ")[1].replace(/-gate$/, "");
            expect(order.slice(4 * k, 4 * k + 4)).toEqual([`delete-replaced ${m}-gate`, `delete-replaced ${m}`, `create-replacement ${m}`, `create-replacement ${m}-gate`]);
        }
        expect(seen.minHealthy).toBeGreaterThanOrEqual(2);
        expect(seen.leaderChanges).toBeLessThanOrEqual(1);
        const after = await c.objects("container");
        after.forEach((id, i) => expect(id).not.toBe(before[i]));
        expect(await c.objects("volume")).toEqual(volumes);
        expect((await Promise.all(c.endpoints.map(version))).map((v) => v.etcdserver)).toEqual([target, target, target]);
        // The leader moves the cluster version once it sees every member on the new minor (etcd's version monitor runs every few seconds).
        expect(await eventually(async () => (await version(c.endpoints[0])).etcdcluster?.startsWith(`${minor}.`) ?? false, 60_000)).toBe(true);
        // A snapshot before each rollout: the way back if the new minor misbehaves.
        const snapshots = fs.readdirSync(c.snapshotDir).filter((f) => f.endsWith(".db"));
        expect(snapshots).toHaveLength(snapshotsBefore + 1);
        expect(Math.min(...snapshots.map((f) => fs.statSync(`${c.snapshotDir}/${f}`).size))).toBeGreaterThan(10_000);
    });

    it("refuses to go back one minor (a downgrade) before any member changes: nothing deleted, every member still in the cluster", async () => {
        const before = await c.objects("container");
        const members = async () => parseMemberList((await etcdctlOutside(c.endpoints, "member", "list")).stdout).map((m) => `${m.name} ${m.status}`);
        const membersBefore = await members();
        const [last, previous] = [path[path.length - 1], path[path.length - 2]];
        // Twice: a user tries again, and the first refusal's state must not make the second one's check a no-op.
        for (let attempt = 0; attempt < 2; attempt++) {
            await expect(deployer.deploy(c.cluster, c.program({ image: lab.images[previous] })))
                .rejects.toThrow(new RegExp(`would downgrade members that run etcd ${versionOf(last).replace(/\./g, "\\.")}`));
            // The Automation API's inline host signals the end of a program that had errors; only the failing membership
            // check stops the engine from deleting what the refused program did not register (each member's leave).
            expect(deployer.plan.filter((s) => s.op === "delete").map((s) => `${s.type} ${s.name}`)).toEqual([]);
            expect(await c.objects("container")).toEqual(before);
            expect(await members()).toEqual(membersBefore);
        }
    });
});

describe("a tuning change on five members, and a rollout whose new container cannot start", () => {
    const c = rollingCluster("roll5", 5, 25379);
    const deployer = newDeployer();
    beforeAll(async () => {
        await removeLeftovers(c.dockerHosts, c.cluster);
        fs.rmSync(c.snapshotDir, { recursive: true, force: true });
        await deployer.deploy(c.cluster, c.program({ tuning: { snapshotCount: 10_000 } }));
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeLeftovers(c.dockerHosts, c.cluster);
    });

    it("rolls the five members one at a time, a quorum healthy throughout, one leader change at most", async () => {
        const volumes = await c.objects("volume");
        const { seen, error } = await c.underLoad("/roll5/tuning/", () => deployer.deploy(c.cluster, c.program({ tuning: { snapshotCount: 20_000 } })));
        expect(error).toBeUndefined();
        expect(seen.minHealthy).toBeGreaterThanOrEqual(3);
        expect(seen.leaderChanges).toBeLessThanOrEqual(1);
        expect(await c.objects("volume")).toEqual(volumes);
        for (const [i, h] of c.dockerHosts.entries()) {
            expect(JSON.parse((await docker(h, "inspect", "-f", "{{json .Config.Env}}", c.name(i))).stdout)).toContain("ETCD_SNAPSHOT_COUNT=20000");
        }
    });

    it("stops at the first member when its new container cannot start, saying why; the others keep the old container and the cluster stays writable", async () => {
        const before = await c.objects("container");
        const bad = { tuning: { snapshotCount: 20_000 }, extraEnv: { ETCD_MAX_TXN_OPS: "many" } };
        const { error, seen } = await c.underLoad("/roll5/bad/", () => deployer.deploy(c.cluster, c.program(bad)));
        expect(String(error)).toMatch(/did not come back within 60s/);
        expect(String(error)).toMatch(/ETCD_MAX_TXN_OPS|max-txn-ops/);
        const after = await c.objects("container");
        const changed = after.filter((id, i) => id !== before[i]);
        expect(changed).toHaveLength(1);
        expect(seen.minHealthy).toBeGreaterThanOrEqual(3);
        // Back to the good settings: the stopped rollout's member gets a working container again.
        await deployer.deploy(c.cluster, c.program({ tuning: { snapshotCount: 20_000 } }));
        const fixed = await c.objects("container");
        expect(fixed.filter((id, i) => id !== after[i])).toHaveLength(1);
    });
});
