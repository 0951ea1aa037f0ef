/** Stack files and stack config: what the program reads, and the program itself under the mock runtime. */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readClusterConfig } from "../../../components/resolve/stackConfig";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { planCluster } from "../../../components/plan/cluster";
import { loadStackConfig } from "../../stackFiles";
import { threeNodeMembers } from "../fixtures";
import { created, installMocks, ofType, promiseOf } from "../mockRuntime";

describe("stack files", () => {
    it("dev: three members on the local engine, one port pair each", () => {
        const { clusterName, args } = readClusterConfig(loadStackConfig("dev"), "etcd-cluster");
        const plan = planCluster(resolveClusterArgs(clusterName, args));
        expect(clusterName).toBe("etcd-dev");
        expect(plan.hosts.map((h) => h.host.url)).toEqual(["unix:///var/run/docker.sock"]);
        expect(plan.clientEndpoints).toEqual(["http://127.0.0.1:2379", "http://127.0.0.1:22379", "http://127.0.0.1:32379"]);
    });

    it("prod: three hosts, members etcd-n1..n3 on 10.0.0.137–139 over ssh", () => {
        const { clusterName, args } = readClusterConfig(loadStackConfig("prod"), "etcd-cluster");
        const plan = planCluster(resolveClusterArgs(clusterName, args));
        expect(plan.initialCluster).toBe("etcd-n1=https://10.0.0.137:2380,etcd-n2=https://10.0.0.138:2380,etcd-n3=https://10.0.0.139:2380");
        // Secure by default (issue 5): TLS with generated certificates, and authentication.
        expect(plan.etcdctlFlags).toHaveLength(3);
        expect(plan.auth).toBe(true);
        expect(plan.hosts.map((h) => h.host.url)).toEqual(["ssh://etcd@10.0.0.137", "ssh://etcd@10.0.0.138", "ssh://etcd@10.0.0.139"]);
        expect(plan.members[0].env).toEqual(expect.arrayContaining(["ETCD_AUTO_COMPACTION_RETENTION=1h", "ETCD_QUOTA_BACKEND_BYTES=4294967296"]));
    });
});

describe("readClusterConfig", () => {
    const members = JSON.stringify([{ name: "a" }]);

    it("refuses unknown keys of the project, and leaves other namespaces alone", () => {
        expect(() => readClusterConfig({ "etcd-cluster:members": members, "etcd-cluster:member": "x", "docker:host": "unix:///x" }, "etcd-cluster"))
            .toThrow(/etcd-cluster:member: unknown setting; the settings are clusterName, members, hosts/);
    });

    it("requires members and structured values for structured settings", () => {
        expect(() => readClusterConfig({}, "etcd-cluster")).toThrow(/etcd-cluster:members: missing/);
        expect(() => readClusterConfig({ "etcd-cluster:members": "etcd-n1,etcd-n2" }, "etcd-cluster"))
            .toThrow(/etcd-cluster:members: "etcd-n1,etcd-n2" is not structured YAML/);
    });

    it("keeps a configured cluster token secret", async () => {
        const { args } = readClusterConfig({ "etcd-cluster:members": members, "etcd-cluster:clusterToken": "s3cret" }, "etcd-cluster");
        expect(await pulumi.isSecret(pulumi.output(args.clusterToken!))).toBe(true);
    });
});

it("the program (index.ts) builds the dev stack's cluster and exports the outputs the README names", async () => {
    await installMocks("etcd-cluster");
    pulumi.runtime.setAllConfig(loadStackConfig("dev"));
    const program = await import("../../../index");
    expect(await promiseOf(program.clientEndpoints)).toBe("http://127.0.0.1:2379,http://127.0.0.1:22379,http://127.0.0.1:32379");
    expect(await promiseOf(program.healthReport)).toBe("report of etcd-dev-health");
    expect(ofType("docker:index/container:Container").map((c) => c.inputs.name).sort()).toEqual(["etcd-n1", "etcd-n2", "etcd-n3"]);
    expect(new Set(ofType("docker:index/container:Container").map((c) => c.provider)).size).toBe(1);
    expect(created.find((r) => r.type === "etcd-cluster:index:EtcdCluster")?.name).toBe("etcd-dev");
    // Every output the README's outputs table names is a stack output, and the program exports no other.
    const readme = fs.readFileSync(path.join(__dirname, "../../../README.md"), "utf8");
    const table = readme.split("### Outputs")[1].split("\n\n")[1];
    const named = [...table.matchAll(/^\| ((?:`\w+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`(\w+)`/g)].map((n) => n[1]));
    expect(named.length).toBeGreaterThan(10);
    expect(Object.keys(program).sort()).toEqual([...named].sort());
});

it("the stack config takes bootstrap as a structured setting", () => {
    const { args } = readClusterConfig({
        "etcd-cluster:members": JSON.stringify(threeNodeMembers),
        "etcd-cluster:bootstrap": JSON.stringify({ mode: "dns", dns: { domain: "example.com" } }),
    }, "etcd-cluster");
    expect(args.bootstrap).toEqual({ mode: "dns", dns: { domain: "example.com" } });
});

it("the stack config takes rollout as a structured setting", () => {
    const { args } = readClusterConfig({
        "etcd-cluster:members": JSON.stringify(threeNodeMembers),
        "etcd-cluster:rollout": JSON.stringify({ memberTimeoutSeconds: 300, snapshotDir: "/var/backups/etcd" }),
    }, "etcd-cluster");
    expect(args.rollout).toEqual({ memberTimeoutSeconds: 300, snapshotDir: "/var/backups/etcd" });
});

it.each([
    ["logs", { driver: "local", options: { "max-size": "20m" } }],
    ["resources", { memoryMb: 4096, cpus: 2 }],
    ["metrics", { enabled: true }],
    ["dataVolumes", { onDestroy: "delete", protect: false }],
])("the stack config takes %s as a structured setting", (key, value) => {
    const { args } = readClusterConfig({
        "etcd-cluster:members": JSON.stringify(threeNodeMembers),
        [`etcd-cluster:${key}`]: JSON.stringify(value),
    }, "etcd-cluster");
    expect((args as unknown as Record<string, unknown>)[key]).toEqual(value);
});
