/**
 * Restore on real etcd, the default line (3.5 and 3.4 in the full matrix): 1,000 keys written to a three-member cluster, the snapshot the component
 * saves before a change, the cluster destroyed, and the snapshot restored into a new three-member cluster on other
 * lab hosts: every key and value back, a new cluster ID, the seed's checks passing. A truncated snapshot fails before
 * any member exists; a restore onto a volume that holds data is refused, naming it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { readPrefix } from "./etcdHttp";
import { DEFAULT_SERIES, docker, etcdctlOutside, etcdctlTls, labHosts, newDeployer, readLab, removeLeftovers, runWithEnv, writeClientTls } from "./lab";
import { gatewayKv } from "./writeLoad";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(1_800_000);

const lab = readLab();
const all = labHosts(lab, 5);

describe.each([[DEFAULT_SERIES, 31379], ["3.5", 36379], ["3.4", 32379]] as const)("etcd %s", (series, clientPort) => {
    const source = { cluster: `rsa${series.replace(".", "")}`, hosts: all.slice(0, 3) };
    const target = { cluster: `rsb${series.replace(".", "")}`, hosts: all.slice(2, 5) };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-restore-"));
    const args = (c: typeof source, over: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs => ({
        image: lab.images[series],
        hosts: c.hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
        members: c.hosts.map((h, i) => ({ name: `${c.cluster}-n${i + 1}`, host: h.name, clientPort: clientPort + (c === target ? 500 : 0), peerPort: clientPort + (c === target ? 501 : 1) })),
        healthCheck: { timeoutSeconds: 90 },
        rollout: { memberTimeoutSeconds: 90, snapshotDir: path.join(work, "snapshots") },
        ...over,
    });
    const endpoints = (c: typeof source) => c.hosts.map((h) => `http://${h.address}:${clientPort + (c === target ? 500 : 0)}`);
    const program = (c: typeof source, over: Partial<EtcdClusterArgs> = {}) => async () => {
        const cl = new EtcdCluster(c.cluster, args(c, over));
        return { endpoints: cl.clientEndpointList, lastSnapshot: cl.lastSnapshot };
    };
    const clusterId = async (c: typeof source) => JSON.parse((await etcdctlOutside(endpoints(c), "endpoint", "status", "-w", "json")).stdout)[0].Status.header.cluster_id as number;
    const clean = async () => {
        for (const c of [source, target, { cluster: `rsc${series.replace(".", "")}`, hosts: target.hosts }]) await removeLeftovers(c.hosts.map((h) => h.dockerHost), c.cluster);
        for (const [i, h] of target.hosts.entries()) await docker(h.dockerHost, "volume", "rm", "-f", `${target.cluster}-n${i + 1}-data`, `rsc${series.replace(".", "")}-n${i + 1}-data`);
    };
    const written = new Map<string, string>();
    let snapshot = "";
    let sourceId = 0;

    beforeAll(clean);
    afterAll(async () => {
        await clean();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("saves a snapshot of 1,000 keys before a change, through the component", async () => {
        const deployer = newDeployer();
        await deployer.deploy(source.cluster, program(source));
        const kv = gatewayKv();
        try {
            for (let i = 0; i < 1000; i++) {
                const [k, v] = [`/restore/key-${i}`, `value-${i}-${"x".repeat(i % 50)}`];
                expect(await kv.put(endpoints(source)[i % 3], k, v)).toEqual({ acked: true });
                written.set(k, v);
            }
        } finally {
            kv.close();
        }
        sourceId = await clusterId(source);
        const out = await deployer.deploy(source.cluster, program(source, { tuning: { snapshotCount: 20_000 } }));
        const files = fs.readdirSync(path.join(work, "snapshots")).filter((f) => f.endsWith(".db"));
        expect(files).toHaveLength(1);
        snapshot = path.join(work, "snapshots", files[0]);
        // Described by the output, verified by snapshot status, readable by its owner only.
        expect(out.lastSnapshot).toMatchObject({ path: snapshot, size: fs.statSync(snapshot).size });
        expect((out.lastSnapshot as { totalKeys: number }).totalKeys).toBeGreaterThanOrEqual(1000);
        expect((out.lastSnapshot as { revision: number }).revision).toBeGreaterThan(1000);
        expect(fs.statSync(snapshot).mode & 0o777).toBe(0o600);
        await deployer.destroy();
        await removeLeftovers(source.hosts.map((h) => h.dockerHost), source.cluster);
    });

    it("a truncated snapshot fails the deployment before any member exists, saying so", async () => {
        const bad = path.join(work, "truncated.db");
        const full = fs.readFileSync(snapshot);
        fs.writeFileSync(bad, full.subarray(0, Math.floor(full.length / 2)));
        const cluster = `rsc${series.replace(".", "")}`;
        const deployer = newDeployer();
        try {
            await expect(deployer.deploy(cluster, program({ ...target, cluster }, { restore: { snapshot: bad } }))).rejects.toThrow(/cannot be restored, it is not a valid etcd snapshot/);
            expect(deployer.created.filter((r) => r.type === "docker:index/container:Container")).toEqual([]);
        } finally {
            await deployer.destroy().catch(() => undefined);
        }
    });

    it("restores it into a new cluster on other hosts: every key back, a new cluster ID, the seed's checks pass", async () => {
        const deployer = newDeployer();
        await deployer.deploy(target.cluster, program(target, { restore: { snapshot } }));
        const eps = endpoints(target);
        const back = await readPrefix(eps, "/restore/");
        expect(back.size).toBe(1000);
        expect([...written].filter(([k, v]) => back.get(k) !== v)).toEqual([]);
        expect(await clusterId(target)).not.toBe(sourceId);
        const list = (await etcdctlOutside(eps, "member", "list")).stdout.trim().split("\n").map((l) => l.split(", ").slice(1, 3).join(" ")).sort();
        expect(list).toEqual(target.hosts.map((_, i) => `started ${target.cluster}-n${i + 1}`));
        expect((await etcdctlOutside(eps, "endpoint", "health")).code).toBe(0);
        expect((await etcdctlOutside([eps[0]], "put", "/after", "restore")).stdout.trim()).toBe("OK");
        expect((await etcdctlOutside([eps[2]], "get", "/after", "--print-value-only")).stdout.trim()).toBe("restore");
        // The same program again changes nothing: the restore ran once.
        await deployer.deploy(target.cluster, program(target, { restore: { snapshot } }));
        expect((await etcdctlOutside([eps[1]], "get", "/after", "--print-value-only")).stdout.trim()).toBe("restore");

        // Destroyed with its volumes kept: a restore onto them is refused, naming the volume.
        await deployer.destroy();
        const again = newDeployer();
        try {
            await expect(again.deploy(target.cluster, program(target, { restore: { snapshot } }))).rejects.toThrow(
                new RegExp(`the data volume ${target.cluster}-n1-data of member ${target.cluster}-n1 on .* already holds etcd data; a restore never overwrites it`));
        } finally {
            await again.destroy().catch(() => undefined);
        }
    });
});

describe(`the default line (etcd ${DEFAULT_SERIES}) with TLS and auth`, () => {
    const source = { cluster: "rst1", hosts: all.slice(0, 3), port: 33079 };
    const target = { cluster: "rst2", hosts: all.slice(2, 5), port: 33179 };
    const rootPassword = "restore-root-pw";
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-restore-tls-"));
    const program = (c: typeof source, over: Partial<EtcdClusterArgs> = {}) => async () => {
        const cl = new EtcdCluster(c.cluster, {
            image: lab.images[DEFAULT_SERIES],
            hosts: c.hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
            members: c.hosts.map((h, i) => ({ name: `${c.cluster}-n${i + 1}`, host: h.name, clientPort: c.port, peerPort: c.port + 1 })),
            tls: { mode: "auto" },
            auth: { enabled: true, rootPassword },
            healthCheck: { timeoutSeconds: 90 },
            rollout: { memberTimeoutSeconds: 90, snapshotDir: path.join(work, "snapshots") },
            ...over,
        });
        return { endpoints: cl.clientEndpointList, ca: cl.caCertificate, cert: cl.clientCertificate, key: cl.clientKey, lastSnapshot: cl.lastSnapshot };
    };
    const clean = async () => { for (const c of [source, target]) await removeLeftovers(c.hosts.map((h) => h.dockerHost), c.cluster); };
    beforeAll(clean);
    afterAll(async () => {
        await clean();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("snapshots 1,000 keys and a user through TLS as root, and restores them into a new TLS cluster", async () => {
        const deployer = newDeployer();
        const out = await deployer.deploy(source.cluster, program(source)) as unknown as { endpoints: string[]; ca: string; cert: string; key: string };
        const files = writeClientTls(out.ca, out.cert, out.key);
        const root = `root:${rootPassword}`;
        try {
            for (let batch = 0; batch < 8; batch++) {
                const puts = Array.from({ length: 125 }, (_, j) => `put /restore/key-${batch * 125 + j} value-${batch * 125 + j}`).join("\n");
                const r = await runWithEnv("sh", ["-c", `printf '\\n%s\\n\\n\\n' "$PUTS" | etcdctl --endpoints=${out.endpoints[0]} --cacert=${files.cacert} --cert=${files.cert} --key=${files.key} txn`],
                    { PUTS: puts, ETCDCTL_USER: root });
                expect(r.stdout).toMatch(/^SUCCESS/);
            }
            expect((await etcdctlTls(out.endpoints, files, { user: root }, "user", "add", "alice:alice-pw", "--interactive=false")).code).toBe(0);
        } finally {
            fs.rmSync(files.dir, { recursive: true, force: true });
        }
        const changed = await deployer.deploy(source.cluster, program(source, { tuning: { snapshotCount: 20_000 } })) as unknown as { lastSnapshot: { path: string; totalKeys: number } };
        expect(changed.lastSnapshot.totalKeys).toBeGreaterThanOrEqual(1000);
        await deployer.destroy();
        await removeLeftovers(source.hosts.map((h) => h.dockerHost), source.cluster);

        const restored = newDeployer();
        const t = await restored.deploy(target.cluster, program(target, { restore: { snapshot: changed.lastSnapshot.path } })) as unknown as { endpoints: string[]; ca: string; cert: string; key: string };
        const tf = writeClientTls(t.ca, t.cert, t.key);
        try {
            const keys = await etcdctlTls(t.endpoints, tf, { user: root }, "get", "/restore/", "--prefix", "--keys-only");
            expect(keys.stdout.split("\n").filter((l) => l.startsWith("/restore/key-"))).toHaveLength(1000);
            expect((await etcdctlTls(t.endpoints, tf, { user: root }, "get", "/restore/key-777", "--print-value-only")).stdout.trim()).toBe("value-777");
            expect((await etcdctlTls(t.endpoints, tf, { user: root }, "user", "list")).stdout).toContain("alice");
            expect((await etcdctlTls(t.endpoints, tf, { user: "alice:alice-pw" }, "get", "/restore/key-1")).code).not.toBe(0); // alice has no role
            expect((await etcdctlTls(t.endpoints, tf, { user: root }, "endpoint", "health")).code).toBe(0);
        } finally {
            fs.rmSync(tf.dir, { recursive: true, force: true });
            await restored.destroy();
        }
    });
});
