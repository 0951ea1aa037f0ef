/**
 * How the production settings reach the resources: log rotation and limits on every member container, the data
 * volumes retained on destroy but removed on a scale-in, and the metrics targets output.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EtcdClusterArgs } from "../../../components/args";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { labHosts, labMembers } from "../fixtures";
import { installMocks, promiseOf, settled } from "../mockRuntime";

installMocks();

interface Seen { name: string; type: string; props: Record<string, any>; opts: pulumi.CustomResourceOptions; resource: pulumi.Resource }

async function deploy(name: string, over: Partial<EtcdClusterArgs> = {}) {
    const seen: Seen[] = [];
    const cluster = new EtcdCluster(name, { image: "local/etcd:v3.5.16", hosts: labHosts, members: labMembers, ...over }, {
        transformations: [(a) => { seen.push({ name: a.name, type: a.type, props: a.props, opts: a.opts, resource: a.resource }); return undefined; }],
    });
    await settled(cluster);
    const one = (n: string) => seen.find((s) => s.name === n && s.type !== "etcd-cluster:index:EtcdMember")!;
    return { cluster, seen, one };
}

describe("defaults", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => { r = await deploy("ops"); });

    it("rotates every member's json-file log and sets no limits", () => {
        for (const m of labMembers) {
            expect(r.one(`ops-${m.name}`).props).toMatchObject({ logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "5" } });
            expect(r.one(`ops-${m.name}`).props.memory).toBeUndefined();
            expect(r.one(`ops-${m.name}`).props.cpus).toBeUndefined();
        }
    });

    it("keeps each data volume on destroy; the volume depends on the command whose delete removes it on a scale-in, skipped when the cluster goes", async () => {
        for (const m of labMembers) {
            const volume = r.one(`ops-${m.name}-data`);
            const removal = r.one(`ops-${m.name}-data-removal`);
            expect(volume.opts.retainOnDelete).toBe(true);
            expect(volume.opts.protect).toBe(false);
            expect(volume.opts.dependsOn).toEqual([removal.resource]);
            expect(removal.opts.deletedWith).toBe(r.cluster);
            expect(removal.props.create).toBeUndefined();
            const drop = await promiseOf(pulumi.output(removal.props.delete as pulumi.Output<string>));
            expect(drop).toContain(`vol='${m.name}-data'`);
            expect(drop).toContain("DOCKER_HOST='ssh://root@10.77.0.1");
        }
    });

    it("says on destroy which volumes it kept and how to delete them", () => {
        const notice = r.one("ops-retained-volumes");
        expect(notice.props.create).toBeUndefined();
        for (const [i, m] of labMembers.entries()) expect(notice.props.delete).toContain(`docker -H ssh://root@10.77.0.1${i + 1} volume rm ${m.name}-data`);
    });

    it("lists no metrics targets", async () => {
        expect(await promiseOf(r.cluster.metricsTargets)).toEqual([]);
    });
});

describe("asked for", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => {
        r = await deploy("opsx", {
            logs: { driver: "local", options: { "max-size": "1m", "max-file": "2" } },
            resources: { memoryMb: 2048, cpus: 1.5 },
            metrics: { enabled: true },
            dataVolumes: { onDestroy: "delete", protect: true },
        });
    });

    it("passes the log driver and limits to every container (memory in MiB, CPUs as the provider's decimal string)", () => {
        for (const m of labMembers) {
            expect(r.one(`opsx-${m.name}`).props).toMatchObject({ logDriver: "local", logOpts: { "max-size": "1m", "max-file": "2" }, memory: 2048, cpus: "1.5" });
        }
    });

    it("deletes the volumes with the cluster, protects them, and prints no notice", () => {
        expect(r.one("opsx-etcd-n1-data").opts).toMatchObject({ retainOnDelete: false, protect: true });
        expect(r.seen.some((s) => s.name === "opsx-retained-volumes")).toBe(false);
    });

    it("gives Prometheus one static_configs entry with every member's metrics endpoint", async () => {
        expect(await promiseOf(r.cluster.metricsTargets)).toEqual([
            { targets: ["10.77.0.11:2381", "10.77.0.12:2381", "10.77.0.13:2381"], labels: { etcd_cluster: "opsx" } },
        ]);
    });
});

describe("no cluster-wide argument reaches a data volume after its creation", () => {
    it.each<[string, Partial<EtcdClusterArgs>]>([
        ["labels", { labels: { team: "storage" } }],
        ["image", { image: "local/etcd:v3.5.17" }],
        ["tuning", { tuning: { snapshotCount: 5000, heartbeatIntervalMs: 200, electionTimeoutMs: 2000 } }],
        ["extraEnv", { extraEnv: { ETCD_MAX_TXN_OPS: "256" } }],
        ["logs", { logs: { driver: "local" } }],
        ["resources", { resources: { memoryMb: 4096, cpus: 2 } }],
        ["metrics", { metrics: { enabled: true } }],
        ["restartPolicy", { restartPolicy: "always" }],
        ["networkMode", { networkMode: "published" }],
        ["tls", { tls: { mode: "auto" } }],
        ["auth", { auth: { enabled: true } }],
        ["rollout", { rollout: { stopGraceSeconds: 60 } }],
        ["healthCheck", { healthCheck: { enabled: false } }],
        ["dataVolumes", { dataVolumes: { onDestroy: "delete" } }],
    ])("%s: the volume's inputs are its name and labels, the labels ignored after creation", async (label, over) => {
        const name = `vol${label.toLowerCase()}`;
        const v = (await deploy(name, over)).one(`${name}-etcd-n1-data`);
        expect(Object.keys(v.props).filter((k) => v.props[k] !== undefined).sort()).toEqual(["labels", "name"]);
        expect(v.props.name).toBe("etcd-n1-data");
        expect(v.opts.ignoreChanges).toEqual(["labels"]);
        const own = [{ label: "etcd-cluster.cluster", value: name }, { label: "etcd-cluster.member", value: "etcd-n1" }];
        expect(v.props.labels).toEqual(label === "labels" ? [{ label: "team", value: "storage" }, ...own] : own);
    });
});

describe("maintenance", () => {
    it("runs its loop in the given image on the first member's host, with the client certificate and root's password (secret), after the auth command", async () => {
        const r = await deploy("mt", { maintenance: { image: "example/etcd-tools:3.5.16", intervalSeconds: 600 }, tls: { mode: "auto" }, auth: { enabled: true } });
        const c = r.one("mt-maintenance");
        expect(c.type).toBe("docker:index/container:Container");
        expect(c.props.entrypoints).toEqual(["sh", "-c"]);
        expect(c.props.command[0]).toContain("every 600s a snapshot to /backups (keeping 24), then defrag of each member in turn");
        expect(c.props.uploads.map((u: { file: string; permissions: string }) => `${u.file} ${u.permissions}`)).toEqual([
            "/etc/etcd/pki/ca.crt 0644", "/etc/etcd/pki/client.crt 0644", "/etc/etcd/pki/client.key 0600",
        ]);
        expect(pulumi.Output.isInstance(c.props.envs) && await pulumi.isSecret(c.props.envs as pulumi.Output<unknown>)).toBe(true);
        expect(c.opts.dependsOn).toEqual([r.one("mt-auth").resource]);
        expect(c.opts.provider).toBe(r.one("mt-h1").resource);
        expect(r.one("mt-maintenance-image").props.name).toBe("example/etcd-tools:3.5.16");
    });
});
