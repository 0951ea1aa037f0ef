/**
 * Scheduled maintenance on real etcd (the default line): the component's maintenance container on the first member's host takes
 * a snapshot every few seconds into its volume, each one valid (`snapshot status`) and 0600, keeps the last two, and
 * defragments the three members one after the other; changing its settings replaces it and touches no member.
 */
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { DEFAULT_SERIES, docker, etcdctlOutside, eventually, labHosts, newDeployer, readLab, removeLeftovers } from "./lab";
import { ensureToolsImage } from "./toolsImage";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(1_200_000);

const lab = readLab();
const hosts = labHosts(lab, 3);
const dockerHosts = hosts.map((h) => h.dockerHost);
const cluster = "mnt";
const clientPort = 34379;
const endpoints = hosts.map((h) => `http://${h.address}:${clientPort}`);
const deployer = newDeployer();
let image = "";
const args = (over: Partial<NonNullable<EtcdClusterArgs["maintenance"]>> = {}): EtcdClusterArgs => ({
    image: lab.images[DEFAULT_SERIES],
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
    image = await ensureToolsImage([lab.hosts[0].socket], lab.images[DEFAULT_SERIES]);
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
    // Counted once the prune that follows each new snapshot has run: between a snapshot's rename and that prune there
    // are three for a moment.
    let listing: string[] = [];
    expect(await eventually(async () => {
        listing = (await inMaintenance("ls", "-l", "/backups")).stdout.split("\n").filter((l) => l.endsWith(".db"));
        return listing.length >= 1 && listing.length <= 2;
    }, 30_000, 500)).toBe(true);
    listing.forEach((l) => expect(l).toMatch(/^-rw------- /));
    // Every kept snapshot checked in one pass inside the container. The loop takes one every 5 s and prunes the oldest,
    // so a file can go between a listing and its check (seen on a loaded CI machine): only a file that is still
    // there and does not pass is a failure.
    const pass = await inMaintenance("sh", "-c",
        'for f in /backups/*.db; do if s=$(/usr/local/bin/etcdutl snapshot status "$f" -w json 2>/dev/null); then echo "ok $s"; elif [ -e "$f" ]; then echo "bad $f"; fi; done');
    const checked = pass.stdout.split("\n").filter(Boolean);
    expect(checked.filter((l) => !l.startsWith("ok "))).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(1);
    // The kept snapshots were taken after the put: they hold it.
    for (const l of checked) expect(JSON.parse(l.slice(3)).revision).toBeGreaterThanOrEqual(2);
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
