/**
 * Rolling, health-gated changes through the stand-in engine, under a steady write load and a cluster observer:
 * an upgrade of three members from etcd 3.4 to 3.5, a tuning change on five members, and a rollout whose new
 * container cannot start. Each replaces one member at a time (gate after gate, the leader last after a
 * hand-over), so a quorum stays healthy at every sample, at most one leader change happens, and every
 * acknowledged write survives; a member that does not come back stops the rollout there.
 */
import * as fs from "fs";
import * as http from "http";
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { docker, eventually, labHosts, newDeployer, readLab, removeLeftovers } from "./lab";
import { observeCluster } from "./clusterObserver";
import { lostWrites, startWriteLoad } from "./writeLoad";

jest.setTimeout(900_000);

const lab = readLab();

/** `GET /version` of a member: what it runs and the cluster version. */
function version(endpoint: string): Promise<{ etcdserver?: string; etcdcluster?: string }> {
    return new Promise((resolve) => {
        http.get(`${endpoint}/version`, { timeout: 3000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => { try { resolve(JSON.parse(body)); } catch { resolve({}); } });
        }).on("error", () => resolve({}));
    });
}

function rollingCluster(cluster: string, count: number, clientPort: number) {
    const hosts = labHosts(lab, count);
    const dockerHosts = hosts.map((h) => h.dockerHost);
    const name = (i: number) => `${cluster}-n${i + 1}`;
    const snapshotDir = `/tmp/etcd-live-snapshots/${cluster}`;
    const args = (over: Partial<EtcdClusterArgs>): EtcdClusterArgs => ({
        image: lab.images["3.5"],
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
        const load = startWriteLoad(endpoints, prefix, { maxMs: 600_000 });
        const watch = observeCluster(endpoints);
        await new Promise((r) => setTimeout(r, 1_500));
        let error: unknown;
        try { await change(); } catch (e) { error = e; }
        await new Promise((r) => setTimeout(r, 1_500));
        const [writes, seen] = [await load.stop(), await watch.stop()];
        console.log(`${cluster} ${prefix}: ${writes.acked.size} writes acknowledged, ${writes.failed} failed, longest gap ${writes.longestGapMs} ms; ` +
            `fewest healthy members in a sample ${seen.minHealthy} of ${count} (${seen.samples.length} samples, ${seen.stalledSamples} dropped), leader changes ${seen.leaderChanges}, term +${seen.termIncrease}`);
        expect(seen.samples.length).toBeGreaterThan(10);
        expect(writes.acked.size).toBeGreaterThan(50);
        expect(await lostWrites(endpoints, prefix, writes.acked)).toEqual([]);
        return { writes, seen, error };
    }
    return { cluster, hosts, dockerHosts, name, args, program, endpoints, objects, underLoad, snapshotDir };
}

describe("a 3.4 → 3.5 upgrade of three members", () => {
    const c = rollingCluster("roll34", 3, 24379);
    const deployer = newDeployer();
    beforeAll(async () => {
        await removeLeftovers(c.dockerHosts, c.cluster);
        fs.rmSync(c.snapshotDir, { recursive: true, force: true });
        await deployer.deploy(c.cluster, c.program({ image: lab.images["3.4"] }));
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeLeftovers(c.dockerHosts, c.cluster);
    });

    it("rolls member by member, keeps a quorum healthy and every write, moves leadership once, ends on cluster version 3.5", async () => {
        const volumes = await c.objects("volume");
        const before = await c.objects("container");
        const { seen, error } = await c.underLoad("/roll34/", () => deployer.deploy(c.cluster, c.program({})));
        expect(error).toBeUndefined();
        const order = deployer.plan.filter((s) => s.op !== "same" && /-(gate|n\d)$/.test(s.name) && !s.type.startsWith("etcd-cluster"))
            .map((s) => `${s.op} ${s.name.replace(`${c.cluster}-`, "")}`);
        // One member at a time: its gate's delete (the hand-over) before its container, its new gate before the next member.
        expect(order.filter((s) => !s.startsWith("same"))).toHaveLength(3 * 2);
        const members = order.map((s) => s.split(" ")[1].replace(/-gate$/, ""));
        for (let k = 0; k < 3; k++) expect(new Set(members.slice(2 * k, 2 * k + 2)).size).toBe(1);
        expect(seen.minHealthy).toBeGreaterThanOrEqual(2);
        expect(seen.leaderChanges).toBeLessThanOrEqual(1);
        const after = await c.objects("container");
        after.forEach((id, i) => expect(id).not.toBe(before[i]));
        expect(await c.objects("volume")).toEqual(volumes);
        const versions = await Promise.all(c.endpoints.map(version));
        expect(versions.map((v) => v.etcdserver)).toEqual(["3.5.16", "3.5.16", "3.5.16"]);
        // The leader moves the cluster version once it sees every member on 3.5 (etcd's version monitor runs every few seconds).
        expect(await eventually(async () => /^3\.5\./.test((await version(c.endpoints[0])).etcdcluster ?? ""), 30_000)).toBe(true);
        const snapshots = fs.readdirSync(c.snapshotDir).filter((f) => f.endsWith(".db"));
        expect(snapshots).toHaveLength(1);
        expect(fs.statSync(`${c.snapshotDir}/${snapshots[0]}`).size).toBeGreaterThan(10_000);
    });

    it("refuses to go back to 3.4 (a downgrade) before any member changes", async () => {
        const before = await c.objects("container");
        await expect(deployer.deploy(c.cluster, c.program({ image: lab.images["3.4"] }))).rejects.toThrow(/would downgrade members that run etcd 3\.5\.16/);
        expect(await c.objects("container")).toEqual(before);
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
