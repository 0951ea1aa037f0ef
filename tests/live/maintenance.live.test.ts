/**
 * Scheduled maintenance on real etcd 3.5.16: the component's maintenance container on the first member's host takes
 * a snapshot every few seconds into its volume, each one valid (`snapshot status`) and 0600, keeps the last two, and
 * defragments the three members one after the other; changing its settings replaces it and touches no member.
 */
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { docker, etcdctlOutside, eventually, labHosts, newDeployer, readLab, removeLeftovers } from "./lab";
import { ensureToolsImage } from "./toolsImage";

jest.setTimeout(600_000);

const lab = readLab();
const hosts = labHosts(lab, 3);
const dockerHosts = hosts.map((h) => h.dockerHost);
const cluster = "mnt";
const clientPort = 34379;
const endpoints = hosts.map((h) => `http://${h.address}:${clientPort}`);
const deployer = newDeployer();
let image = "";
const args = (over: Partial<NonNullable<EtcdClusterArgs["maintenance"]>> = {}): EtcdClusterArgs => ({
    image: lab.images["3.5"],
    hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
    members: hosts.map((h, i) => ({ name: `${cluster}-n${i + 1}`, host: h.name, clientPort, peerPort: clientPort + 1 })),
    maintenance: { image, intervalSeconds: 5, keep: 2, ...over },
    dataVolumes: { onDestroy: "delete" },
    rollout: { snapshotBeforeChanges: false },
});
const program = (over: Partial<NonNullable<EtcdClusterArgs["maintenance"]>> = {}) => async () => {
    new EtcdCluster(cluster, args(over));
    return {};
};
const logs = async () => (await docker(dockerHosts[0], "logs", `${cluster}-maintenance`)).stdout.split("\n").filter(Boolean);
const inMaintenance = (...cmd: string[]) => docker(dockerHosts[0], "exec", `${cluster}-maintenance`, ...cmd);
const memberIds = () => Promise.all(hosts.map(async (_, i) => (await docker(dockerHosts[i], "inspect", "-f", "{{.Id}}", `${cluster}-n${i + 1}`)).stdout.trim()));

beforeAll(async () => {
    image = await ensureToolsImage([lab.hosts[0].socket], lab.images["3.5"]);
    await removeLeftovers(dockerHosts, cluster);
    await docker(dockerHosts[0], "volume", "rm", "-f", `${cluster}-backups`);
});
afterAll(async () => {
    await deployer.destroy().catch(() => undefined);
    await removeLeftovers(dockerHosts, cluster);
    await docker(dockerHosts[0], "volume", "rm", "-f", `${cluster}-backups`);
});

it("snapshots on schedule, keeps the last two, each valid and 0600, and defragments the members one at a time", async () => {
    await deployer.deploy(cluster, program());
    expect((await etcdctlOutside(endpoints, "put", "/mnt/key", "kept")).stdout.trim()).toBe("OK");
    const since = (await logs()).filter((l) => l.startsWith("snapshot /backups/")).length;
    expect(await eventually(async () => (await logs()).filter((l) => l.startsWith("snapshot /backups/")).length >= since + 2, 60_000, 1000)).toBe(true);
    const lines = await logs();
    expect(lines.filter((l) => l.startsWith("pruned /backups/")).length).toBeGreaterThanOrEqual(1);
    const listing = (await inMaintenance("ls", "-l", "/backups")).stdout.split("\n").filter((l) => l.endsWith(".db"));
    expect(listing.length).toBeLessThanOrEqual(2);
    expect(listing.length).toBeGreaterThanOrEqual(1);
    for (const l of listing) {
        expect(l).toMatch(/^-rw------- /);
        const file = `/backups/${l.split(/\s+/).pop()}`;
        const st = await inMaintenance("/usr/local/bin/etcdutl", "snapshot", "status", file, "-w", "json");
        expect(st.code).toBe(0);
        // Both kept snapshots were taken after the put: they hold it.
        expect(JSON.parse(st.stdout).revision).toBeGreaterThanOrEqual(2);
    }
    // Defrag: each member in turn after the snapshot, in the order of the endpoints, one line each.
    const defrags = lines.filter((l) => l.startsWith("defragmented "));
    expect(defrags.slice(0, 3)).toEqual(endpoints.map((e) => `defragmented ${e}`));
});

it("changing the schedule replaces only the maintenance container", async () => {
    const before = await memberIds();
    await deployer.deploy(cluster, program({ keep: 3, defrag: false }));
    expect(await memberIds()).toEqual(before);
    expect((await logs())[0]).toMatch(/every 5s a snapshot to \/backups \(keeping 3\)$/);
});
