/**
 * A second `pulumi up` of a changed program, on real etcd: what the real engine does
 * with the component's resources when nothing changed and when a tuning value changed, under a steady write
 * load whose every acknowledged key must survive.
 *
 * Why the engine takes these steps: each container's `envs` carries the tuning values, and `env` is
 * ForceNew in the docker provider (kreuzwerker/terraform-provider-docker internal/provider/
 * resource_docker_container.go), whose containers pulumi-docker replaces delete-before-replace
 * (pulumi/pulumi-docker provider/resources.go); the volumes' inputs do not change, so they are "same"
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go diffs each registration against its state).
 * The members are replaced one at a time (tests/live/rolling.live.test.ts shows the order and the gates).
 *
 * Last, a stack written before each member had its own component (volume, certificates and container right under
 * the cluster, cluster token generated with a prefix that came out twice): today's program over it must find every
 * resource through its aliases and keep the old token through `ignoreChanges`, touching nothing on the hosts.
 */
import * as fs from "fs";
import { EtcdCluster, EtcdClusterArgs } from "../../components";
import { DEFAULT_SERIES, docker, etcdctlOutside, newDeployer, parseMemberList, readLab, removeLeftovers } from "./lab";
import { readPrefix } from "./etcdHttp";
import { lostWrites, startWriteLoad } from "./writeLoad";
import { ExportedResource, plain } from "./pulumi/state";
import { replacements } from "./pulumi/events";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(900_000);

const lab = readLab();
const cluster = "day2-upd";
const hosts = lab.hosts.slice(0, 3);
const dockerHosts = hosts.map((h) => h.dockerHost);
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";

const args = (snapshotCount: number): EtcdClusterArgs => ({
    image: lab.images[DEFAULT_SERIES],
    hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
    // Ports of its own, so that this file can run beside the others on the same hosts.
    members: hosts.map((h, i) => ({ name: `upd-n${i + 1}`, host: h.name, clientPort: 27379, peerPort: 27380 })),
    tuning: { snapshotCount },
    healthCheck: { timeoutSeconds: 120 },
});
const program = (snapshotCount: number) => async () => {
    const c = new EtcdCluster(cluster, args(snapshotCount));
    return { endpoints: c.clientEndpointList };
};

/** Container and volume ids/creation times of the cluster on every host, by name. */
async function objects(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const h of dockerHosts) {
        const filter = `label=etcd-cluster.cluster=${cluster}`;
        const ctrs = await docker(h, "ps", "-a", "--filter", filter, "--format", "{{.Names}} {{.ID}}");
        const vols = await docker(h, "volume", "ls", "-q", "--filter", filter);
        for (const line of ctrs.stdout.trim().split("\n").filter(Boolean)) {
            const [name, id] = line.split(" ");
            out[`container ${name}`] = id;
        }
        for (const v of vols.stdout.trim().split("\n").filter(Boolean)) {
            // The directory's inode (the lab's hosts share this filesystem), not CreatedAt: Docker's local driver
            // reports the directory's mtime there, which moves when the pre-rollout snapshot is written into it.
            const mountpoint = (await docker(h, "volume", "inspect", "-f", "{{.Mountpoint}}", v)).stdout.trim();
            out[`volume ${v}`] = `inode ${fs.statSync(mountpoint).ino}`;
        }
    }
    return out;
}

/**
 * Every create, start, stop, kill or destroy of a container or volume on the cluster's hosts since `since`
 * (seconds); the health checks' `docker exec`s are not changes and are left out.
 */
async function containerAndVolumeEvents(since: number): Promise<string[]> {
    const events: string[] = [];
    for (const h of dockerHosts) {
        const ev = await docker(h, "events", "--since", String(since), "--until", String(Math.floor(Date.now() / 1000) + 1),
            "--filter", "type=container", "--filter", "type=volume", "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}");
        if (ev.code !== 0) throw new Error(`docker events on ${h}: ${ev.stderr}`);
        // Only this cluster's objects (a container's name attribute, a volume's ID): other suites run beside this one.
        const ours = (l: string) => / upd-n\d(-data)?( |$)/.test(l);
        // Changes only: not docker exec (health checks, gates), docker cp (the pre-rollout snapshot: archive-path and
        // a volume mount/unmount) or the containers' own healthcheck reports (health_status).
        const change = /^(container (create|start|stop|kill|die|destroy|rename|update|restart|pause)|volume (create|destroy)) /;
        events.push(...ev.stdout.split("\n").filter((l) => change.test(l) && ours(l)).map((l) => `${h} ${l}`));
    }
    return events;
}

const deployer = newDeployer();
let endpoints: string[] = [];

beforeAll(async () => {
    await removeLeftovers(dockerHosts, cluster);
    endpoints = (await deployer.deploy(cluster, program(10_000))).endpoints as string[];
    expect((await etcdctlOutside(endpoints, "put", "/day2/before", "kept")).stdout.trim()).toBe("OK");
});

afterAll(async () => {
    await deployer.destroy();
    await removeLeftovers(dockerHosts, cluster);
});

it("the same program again: preview is all `same`, and the deployment changes nothing on any host", async () => {
    const plan = await deployer.preview(cluster, program(10_000));
    expect(plan.length).toBeGreaterThan(10);
    expect(plan.filter((s) => s.op !== "same")).toEqual([]);
    const before = await objects();
    const since = Math.floor(Date.now() / 1000);
    await deployer.deploy(cluster, program(10_000));
    expect(deployer.plan.filter((s) => s.op !== "same")).toEqual([]);
    expect(await objects()).toEqual(before);
    expect(await containerAndVolumeEvents(since)).toEqual([]);
});

it("a tuning change replaces each member's container (delete before create) and keeps its volume and every acknowledged write", async () => {
    const plan = await deployer.preview(cluster, program(20_000));
    // In the order the rollout takes them (the leader last): compared by name.
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(replacements(plan, CONTAINER).sort(byName)).toEqual(hosts.map((_, i) => ({ name: `${cluster}-upd-n${i + 1}`, keys: ["envs"], deleteFirst: true })));
    expect(plan.filter((s) => s.type === VOLUME).map((s) => s.op)).toEqual(["same", "same", "same"]);

    const before = await objects();
    const load = startWriteLoad(endpoints, "/day2/load/", { maxMs: 240_000 });
    await new Promise((r) => setTimeout(r, 2_000));
    await deployer.deploy(cluster, program(20_000));
    await new Promise((r) => setTimeout(r, 2_000));
    const result = await load.stop();
    console.log(`write load during the replacement: ${result.acked.size} acknowledged, ${result.failed} failed, ` +
        `longest gap between acknowledged writes ${result.longestGapMs} ms`);

    expect(replacements(deployer.plan, CONTAINER).map((r) => r.deleteFirst)).toEqual([true, true, true]);
    const after = await objects();
    for (const [k, v] of Object.entries(before)) {
        if (k.startsWith("volume ")) expect([k, after[k]]).toEqual([k, v]);
        else expect([k, after[k]]).not.toEqual([k, v]);
    }
    for (const [i, h] of dockerHosts.entries()) {
        const env = await docker(h, "inspect", "-f", "{{json .Config.Env}}", `upd-n${i + 1}`);
        expect(JSON.parse(env.stdout)).toContain("ETCD_SNAPSHOT_COUNT=20000");
    }
    const members = parseMemberList((await etcdctlOutside(endpoints, "member", "list")).stdout);
    expect(members.map((m) => [m.name, m.status]).sort()).toEqual([["upd-n1", "started"], ["upd-n2", "started"], ["upd-n3", "started"]]);
    expect((await readPrefix(endpoints, "/day2/before")).get("/day2/before")).toBe("kept");
    expect(result.acked.size).toBeGreaterThan(20);
    expect(await lostWrites(endpoints, "/day2/load/", result.acked)).toEqual([]);
});

/** A URN as the engine makes it: a child's type is qualified by its parent's (pulumi/pulumi resource/urn.go). */
function makeUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
    const parentType = parentUrn ? parentUrn.split("::")[2] : undefined;
    return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$${type}` : type}::${name}`;
}

/** The day-2 commands: a member's join, promote, gate and leave, the cluster's pre-rollout snapshot and membership check. */
const dayTwo = (r: ExportedResource) => r.type === "command:local:Command" && /-(join|promote|gate|leave|rollout-snapshot|membership-check)$/.test(r.name);

/**
 * Today's state turned into the one the program before EtcdMember and the day-2 commands left: old parents and
 * URNs, no join/promote/gate/leave, snapshot or membership-check commands, doubled token prefix.
 */
function olderLayout(all: ExportedResource[]): ExportedResource[] {
    const rs = all.filter((r) => !dayTwo(r));
    const clusterUrn = rs.find((r) => r.type === "etcd-cluster:index:EtcdCluster")!.urn;
    const members = rs.filter((r) => r.type === "etcd-cluster:index:EtcdMember").map((r) => r.urn);
    const token = rs.find((r) => r.type === "random:index/randomId:RandomId" && r.name === `${cluster}-token`)!;
    const hex = plain(token.outputs!).hex as string;
    let text = JSON.stringify(rs.filter((r) => !members.includes(r.urn)));
    for (const r of rs.filter((x) => x.parent && members.includes(x.parent))) {
        text = text.split(JSON.stringify(r.urn)).join(JSON.stringify(makeUrn(cluster, "etcd-cluster", clusterUrn, r.type, r.name)));
    }
    for (const m of members) text = text.split(JSON.stringify(m)).join(JSON.stringify(clusterUrn));
    text = text.split(`${cluster}-${hex}`).join(`${cluster}-${cluster}-${hex}`);
    const out = JSON.parse(text) as ExportedResource[];
    // That layout had no day-2 commands, so nothing depended on them: the engine refuses to import a state whose
    // dependencies name resources it does not hold (the stand-in accepted it).
    const kept = new Set(out.map((r) => r.urn));
    for (const r of out) {
        r.dependencies = (r.dependencies ?? []).filter((d) => kept.has(d));
        r.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, ds]) => [k, ds.filter((d) => kept.has(d))]));
    }
    const oldToken = out.find((r) => r.urn === token.urn)!;
    oldToken.inputs!.prefix = `${cluster}-`;
    oldToken.outputs = { ...plain(oldToken.outputs!), prefix: `${cluster}-`, hex: `${cluster}-${hex}` };
    return out;
}

it("a stack from before the per-member component keeps every resource (aliases) and its doubled token (ignoreChanges)", async () => {
    await deployer.rewriteState(cluster, olderLayout);
    const oldUrns = (await deployer.state(cluster)).map((r) => r.urn);
    expect(oldUrns.filter((u) => u.includes("EtcdMember"))).toEqual([]);
    expect(oldUrns).toContain(makeUrn(cluster, "etcd-cluster", oldUrns.find((u) => u.endsWith(`EtcdCluster::${cluster}`)),
        "docker:index/volume:Volume", `${cluster}-upd-n1-data`));
    const before = await objects();
    const since = Math.floor(Date.now() / 1000);
    await deployer.deploy(cluster, program(20_000));
    // New: the member components and the day-2 commands. The join of a member that ran before reads its bootstrap
    // variables back from its container, so no container (and no volume) changes.
    expect(deployer.plan.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type} ${s.name}`).sort()).toEqual([
        `create command:local:Command ${cluster}-rollout-snapshot`,
        `create command:local:Command ${cluster}-membership-check`,
        ...hosts.flatMap((_, i) => ["gate", "join", "leave", "promote"].map((c) => `create command:local:Command ${cluster}-upd-n${i + 1}-${c}`)),
        ...hosts.map((_, i) => `create etcd-cluster:index:EtcdMember ${cluster}-upd-n${i + 1}`),
    ].sort());
    // Sorted: the order of a stack's resources after an update is the engine's, not the program's.
    expect((await deployer.state(cluster)).filter((r) => r.type === VOLUME).map((r) => r.urn).sort())
        .toEqual(hosts.map((_, i) => expect.stringContaining(`EtcdMember$docker:index/volume:Volume::${cluster}-upd-n${i + 1}-data`)));
    const tokenEnv = (await deployer.state(cluster)).filter((r) => r.type === CONTAINER)
        .map((r) => (plain(r.inputs!).envs as string[]).find((e) => e.startsWith("ETCD_INITIAL_CLUSTER_TOKEN=")));
    expect(tokenEnv).toEqual(hosts.map(() => expect.stringMatching(new RegExp(`^ETCD_INITIAL_CLUSTER_TOKEN=${cluster}-${cluster}-[0-9a-f]{16}$`))));
    expect(await objects()).toEqual(before);
    expect(await containerAndVolumeEvents(since)).toEqual([]);
    expect((await readPrefix(endpoints, "/day2/before")).get("/day2/before")).toBe("kept");
});

