/**
 * Production settings on real etcd (through the real Pulumi engine), three members of 3.5 on three lab hosts: rotated
 * container logs, memory and CPU limits and the metrics endpoint as `docker inspect` and an HTTP client see them;
 * a change of labels, logs, limits and tuning rolls through the members under a write load and leaves every data
 * volume, and its data, in place; `destroy` keeps the volumes and the same program starts on them again with every
 * acknowledged key; with `onDestroy: "delete"` destroy removes them.
 */
import * as fs from "fs";
import * as http from "http";
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { DEFAULT_SERIES, docker, etcdctlOutside, labHosts, newDeployer, readLab, removeLeftovers } from "./lab";
import { lostWrites, startWriteLoad } from "./writeLoad";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(1_200_000);

const lab = readLab();
const hosts = labHosts(lab, 3);
const dockerHosts = hosts.map((h) => h.dockerHost);
const cluster = "ops";
const clientPort = 37379;
const name = (i: number) => `${cluster}-n${i + 1}`;
const endpoints = hosts.map((h) => `http://${h.address}:${clientPort}`);
const base = (over: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs => ({
    image: lab.images[DEFAULT_SERIES],
    hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
    members: hosts.map((h, i) => ({ name: name(i), host: h.name, clientPort, peerPort: clientPort + 1 })),
    clusterToken: "ops-live-token",
    metrics: { enabled: true },
    resources: { memoryMb: 512, cpus: 0.5 },
    healthCheck: { timeoutSeconds: 90 },
    rollout: { memberTimeoutSeconds: 90, snapshotDir: `/tmp/etcd-live-snapshots/${cluster}` },
    ...over,
});
const program = (args: EtcdClusterArgs) => async () => {
    const c = new EtcdCluster(cluster, args);
    return { metricsTargets: c.metricsTargets };
};
const deployer = newDeployer();

const inspect = async (i: number, format: string) => (await docker(dockerHosts[i], "inspect", "-f", format, name(i))).stdout.trim();
/** The data volume's identity: its directory's inode (the lab's hosts share this machine's filesystem). */
async function volumeIdentity(i: number): Promise<string> {
    const mountpoint = (await docker(dockerHosts[i], "volume", "inspect", "-f", "{{.Mountpoint}}", `${name(i)}-data`)).stdout.trim();
    return `${mountpoint} inode ${fs.statSync(mountpoint).ino}`;
}
const volumes = () => Promise.all(hosts.map((_, i) => volumeIdentity(i)));
const containers = () => Promise.all(hosts.map((_, i) => inspect(i, "{{.Id}}")));
async function memberIds(): Promise<string[]> {
    const r = await etcdctlOutside(endpoints, "member", "list");
    expect(r.code).toBe(0);
    return r.stdout.trim().split("\n").map((l) => l.split(", ").slice(0, 3).join(" ")).sort();
}
function get(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: 5_000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url}: no answer within 5 s`)));
        req.on("error", reject);
    });
}

let acked = new Map<string, string>();

beforeAll(async () => {
    await removeLeftovers(dockerHosts, cluster);
});
afterAll(async () => {
    await deployer.destroy().catch(() => undefined);
    await removeLeftovers(dockerHosts, cluster);
});

it("rotates the members' logs, limits memory and CPU, and serves /metrics and /health on the metrics port", async () => {
    const out = await deployer.deploy(cluster, program(base()));
    for (let i = 0; i < 3; i++) {
        expect(JSON.parse(await inspect(i, "{{json .HostConfig.LogConfig}}"))).toEqual({ Type: "json-file", Config: { "max-size": "10m", "max-file": "5" } });
        expect(await inspect(i, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}")).toBe(`${512 * 1024 * 1024} 500000000`);
        const metrics = await get(`http://${hosts[i].address}:${clientPort + 2}/metrics`);
        expect(metrics.status).toBe(200);
        expect(metrics.body).toMatch(/^etcd_server_has_leader 1$/m);
        const health = await get(`http://${hosts[i].address}:${clientPort + 2}/health`);
        expect(JSON.parse(health.body).health).toBe("true");
    }
    expect(out.metricsTargets).toEqual([{ targets: hosts.map((h) => `${h.address}:${clientPort + 2}`), labels: { etcd_cluster: cluster } }]);
});

it("changing every cluster-wide setting a running cluster allows rolls the members under load and leaves every data volume and its data in place", async () => {
    const [volumesBefore, containersBefore] = [await volumes(), await containers()];
    const load = startWriteLoad(endpoints, "/ops/load/", { maxMs: 300_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    await deployer.deploy(cluster, program(base({
        labels: { team: "storage" },
        logs: { options: { "max-size": "5m", "max-file": "2" } },
        resources: { memoryMb: 768, cpus: 1 },
        tuning: { snapshotCount: 5000 },
        extraEnv: { ETCD_MAX_TXN_OPS: "256" },
        restartPolicy: "always",
        metrics: { enabled: false },
        healthCheck: { timeoutSeconds: 100 },
        rollout: { memberTimeoutSeconds: 100, stopGraceSeconds: 20, snapshotDir: `/tmp/etcd-live-snapshots/${cluster}` },
    })));
    await new Promise((r) => setTimeout(r, 1_500));
    const writes = await load.stop();
    console.log(`ops change: ${writes.acked.size} writes acknowledged, ${writes.failed} failed, longest gap ${writes.longestGapMs} ms`);
    expect(writes.acked.size).toBeGreaterThan(50);
    expect(await lostWrites(endpoints, "/ops/load/", writes.acked)).toEqual([]);
    acked = writes.acked;

    expect(await volumes()).toEqual(volumesBefore);
    const after = await containers();
    after.forEach((id, i) => expect(id).not.toBe(containersBefore[i]));
    for (let i = 0; i < 3; i++) {
        expect(JSON.parse(await inspect(i, "{{json .HostConfig.LogConfig}}")).Config).toEqual({ "max-size": "5m", "max-file": "2" });
        expect(await inspect(i, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{index .Config.Labels \"team\"}} {{.HostConfig.RestartPolicy.Name}}"))
            .toBe(`${768 * 1024 * 1024} 1000000000 storage always`);
        const env = await inspect(i, "{{json .Config.Env}}");
        expect(env).toContain("ETCD_MAX_TXN_OPS=256");
        expect(env).not.toContain("ETCD_LISTEN_METRICS_URLS");
        // A volume keeps the labels it was created with: Docker cannot relabel one, and replacing it would risk its data.
        expect((await docker(dockerHosts[i], "volume", "inspect", "-f", "{{index .Labels \"team\"}}", `${name(i)}-data`)).stdout.trim()).toBe("");
    }
});

it("destroy keeps the data volumes and says so; the same program then starts on them with every acknowledged key and the same members", async () => {
    expect(acked.size).toBeGreaterThan(0);
    const [idsBefore, volumesBefore] = [await memberIds(), await volumes()];
    const report = await deployer.destroy();
    expect(report.retained).toEqual(expect.arrayContaining(hosts.map((_, i) => `docker:index/volume:Volume ${cluster}-${name(i)}-data`)));
    expect(report.destroyed).toContain(`command:local:Command ${cluster}-retained-volumes`);
    // Each data removal is deletedWith its volume: the engine skips its delete (no command runs) as the volume goes.
    expect(report.destroyed.filter((d) => d.endsWith("-data-removal"))).toEqual([]);
    expect(report.withTarget).toEqual(expect.arrayContaining(hosts.map((_, i) => `command:local:Command ${cluster}-${name(i)}-data-removal`)));
    for (let i = 0; i < 3; i++) {
        expect((await docker(dockerHosts[i], "ps", "-aq", "--filter", `name=^${name(i)}$`)).stdout.trim()).toBe("");
    }
    expect(await volumes()).toEqual(volumesBefore);

    await deployer.deploy(cluster, program(base()));
    expect(await memberIds()).toEqual(idsBefore);
    expect(await lostWrites(endpoints, "/ops/load/", acked)).toEqual([]);
    expect((await etcdctlOutside(endpoints, "endpoint", "health")).code).toBe(0);
    expect((await etcdctlOutside(endpoints, "put", "/ops/after-restart", "v")).stdout.trim()).toBe("OK");
});

it("another cluster with the same member and volume names is refused before it creates anything, naming the volumes' cluster", async () => {
    const other = newDeployer();
    try {
        const attempt = other.deploy("ops-other", async () => {
            new EtcdCluster("ops-other", base());
            return {};
        });
        await expect(attempt).rejects.toThrow(/members\[0\]\.volumeName: volume "ops-n1-data" on host "h1" already exists and holds the data of EtcdCluster "ops"/);
        expect(other.created.filter((r) => r.type.startsWith("docker:index/container") || r.type.startsWith("docker:index/volume"))).toEqual([]);
    } finally {
        await other.destroy();
    }
    expect((await etcdctlOutside(endpoints, "endpoint", "health")).code).toBe(0);
});

it("with dataVolumes.onDestroy: delete, destroy removes the volumes", async () => {
    await deployer.deploy(cluster, program(base({ dataVolumes: { onDestroy: "delete" } })));
    const report = await deployer.destroy();
    expect(report.retained ?? []).toEqual([]);
    for (let i = 0; i < 3; i++) {
        expect((await docker(dockerHosts[i], "volume", "ls", "-q", "--filter", `name=^${name(i)}-data$`)).stdout.trim()).toBe("");
    }
});
