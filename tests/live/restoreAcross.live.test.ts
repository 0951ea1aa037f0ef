/**
 * An upgrade by restore, as users make one when they rebuild a cluster on a newer etcd: a snapshot of an older line
 * restored by the component into a cluster of the next line, with that line's etcdutl (the restore runs in the new
 * image). A chain on real etcd: keys written to a one-member etcd 3.5 cluster, the snapshot the component saves
 * before a change, restored into three etcd 3.6 members; a snapshot of those (`etcdctl snapshot save` in a member's
 * container, as the component takes one, without a rolling change to cause it) restored into three 3.7 members.
 * Each restored cluster holds every key and value, runs the new server and cluster version, and takes writes.
 * etcd supports a snapshot of the previous minor line as a restore source
 * (https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/, https://etcd.io/docs/v3.6/op-guide/recovery/).
 * Cluster names `rx35`, `rx36`, `rx37`, ports 35379-35580, hosts h1-h5.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EtcdCluster } from "../../components";
import { volumeMountPath } from "../../components/plan/member";
import { readPrefix, version } from "./etcdHttp";
import { docker, etcdctlIn, etcdctlOutside, labHosts, newDeployer, readLab, removeLeftovers, Series } from "./lab";
import { gatewayKv } from "./writeLoad";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(1_200_000);

const lab = readLab();
const all = labHosts(lab, 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-restore-across-"));

interface Step { cluster: string; series: Series; hosts: typeof all; clientPort: number }
const steps: Step[] = [
    { cluster: "rx35", series: "3.5", hosts: all.slice(0, 1), clientPort: 35379 },
    { cluster: "rx36", series: "3.6", hosts: all.slice(1, 4), clientPort: 35479 },
    { cluster: "rx37", series: "3.7", hosts: all.slice(2, 5), clientPort: 35579 },
];
const endpoints = (s: Step) => s.hosts.map((h) => `http://${h.address}:${s.clientPort}`);
const program = (s: Step, over: { restore?: { snapshot: string }; tuning?: { snapshotCount: number } } = {}) => async () => {
    const c = new EtcdCluster(s.cluster, {
        image: lab.images[s.series],
        hosts: s.hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
        members: s.hosts.map((h, i) => ({ name: `${s.cluster}-n${i + 1}`, host: h.name, clientPort: s.clientPort, peerPort: s.clientPort + 1 })),
        healthCheck: { timeoutSeconds: 90 },
        rollout: { memberTimeoutSeconds: 90, snapshotDir: path.join(work, s.cluster) },
        ...over,
    });
    return { lastSnapshot: c.lastSnapshot };
};
const clean = async () => {
    for (const s of steps) {
        await removeLeftovers(s.hosts.map((h) => h.dockerHost), s.cluster);
        for (const [i, h] of s.hosts.entries()) await docker(h.dockerHost, "volume", "rm", "-f", `${s.cluster}-n${i + 1}-data`);
    }
};

/** `etcdctl snapshot save` in the first member's container, copied out to where the test runs. */
async function snapshotInContainer(s: Step): Promise<string> {
    const m = { dockerHost: s.hosts[0].dockerHost, container: `${s.cluster}-n1`, localClientUrl: `http://127.0.0.1:${s.clientPort}` };
    // On the data volume, as the component saves its own: the image's root file system is not for data.
    const inside = `${volumeMountPath}/across.db`;
    const saved = await etcdctlIn(m, "snapshot", "save", inside);
    expect(saved.code).toBe(0);
    const file = path.join(work, `${s.cluster}.db`);
    expect((await docker(m.dockerHost, "cp", `${m.container}:${inside}`, file)).code).toBe(0);
    return file;
}

async function destroy(s: Step, deployer: ReturnType<typeof newDeployer>): Promise<void> {
    await deployer.destroy();
    await removeLeftovers(s.hosts.map((h) => h.dockerHost), s.cluster);
}

describe("an upgrade by restore: etcd 3.5 → 3.6 → 3.7", () => {
    const written = new Map<string, string>();
    let snapshot = "";

    beforeAll(clean);
    afterAll(async () => {
        await clean();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("saves a snapshot of 300 keys of a one-member etcd 3.5 cluster", async () => {
        const deployer = newDeployer();
        await deployer.deploy(steps[0].cluster, program(steps[0]));
        const kv = gatewayKv();
        try {
            for (let i = 0; i < 300; i++) {
                const [k, v] = [`/across/key-${i}`, `value-${i}-${"y".repeat(i % 40)}`];
                expect(await kv.put(endpoints(steps[0])[0], k, v)).toEqual({ acked: true });
                written.set(k, v);
            }
        } finally {
            kv.close();
        }
        // A change of the cluster's tuning makes the component save a snapshot first.
        const out = await deployer.deploy(steps[0].cluster, program(steps[0], { tuning: { snapshotCount: 20_000 } })) as { lastSnapshot: { path: string } };
        snapshot = out.lastSnapshot.path;
        expect(fs.statSync(snapshot).size).toBeGreaterThan(0);
        await destroy(steps[0], deployer);
    });

    it.each([{ i: 1, what: "3.5 snapshot into etcd 3.6" }, { i: 2, what: "3.6 snapshot into etcd 3.7" }])("restores the $what: every key back, the new server and cluster version, writes taken", async ({ i }) => {
        const s = steps[i];
        const deployer = newDeployer();
        await deployer.deploy(s.cluster, program(s, { restore: { snapshot } }));
        const eps = endpoints(s);
        const back = await readPrefix(eps, "/across/");
        expect([...written].filter(([k, v]) => back.get(k) !== v)).toEqual([]);
        expect(back.size).toBe(written.size);
        for (const ep of eps) {
            const v = await version(ep);
            expect([v.etcdserver?.split(".").slice(0, 2).join("."), v.etcdcluster]).toEqual([s.series, `${s.series}.0`]);
        }
        const list = (await etcdctlOutside(eps, "member", "list")).stdout.trim().split("\n").map((l) => l.split(", ").slice(1, 3).join(" ")).sort();
        expect(list).toEqual(s.hosts.map((_, m) => `started ${s.cluster}-n${m + 1}`));
        const k = `/across/written-on-${s.series}`;
        expect((await etcdctlOutside([eps[0]], "put", k, s.series)).stdout.trim()).toBe("OK");
        written.set(k, s.series);
        if (i + 1 < steps.length) snapshot = await snapshotInContainer(s);
        await destroy(s, deployer);
    });
});
