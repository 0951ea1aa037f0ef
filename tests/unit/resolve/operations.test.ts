import type { EtcdClusterArgs } from "../../../components/args";
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { problemsOf, threeNodeArgs, threeNodeHosts } from "../fixtures";

const resolve = (over: Partial<EtcdClusterArgs> = {}) => resolveClusterArgs("seed", threeNodeArgs(over));

describe("defaults", () => {
    it("rotates json-file logs at 10 MB × 5, sets no limits, no metrics, and keeps the data volumes on destroy", () => {
        expect(resolve().operations).toEqual({
            logs: { driver: "json-file", options: { "max-size": "10m", "max-file": "5" } },
            resources: { memoryMb: undefined, cpus: undefined },
            metrics: { enabled: false },
            dataVolumes: { onDestroy: "retain", protect: false },
        });
        expect(resolve().members.map((m) => m.metricsPort)).toEqual([undefined, undefined, undefined]);
    });
});

describe.each<[string, Partial<EtcdClusterArgs>, Record<string, unknown>]>([
    ["local driver: the same rotation", { logs: { driver: "local" } }, { logs: { driver: "local", options: { "max-size": "10m", "max-file": "5" } } }],
    ["given options replace the defaults", { logs: { options: { "max-size": "1m" } } }, { logs: { driver: "json-file", options: { "max-size": "1m" } } }],
    ["an empty object keeps Docker's own", { logs: { options: {} } }, { logs: { driver: "json-file", options: {} } }],
    ["another driver: no options unless given", { logs: { driver: "journald" } }, { logs: { driver: "journald", options: {} } }],
    ["limits", { resources: { memoryMb: 4096, cpus: 1.5 } }, { resources: { memoryMb: 4096, cpus: 1.5 } }],
    ["delete on destroy, protected", { dataVolumes: { onDestroy: "delete", protect: true } }, { dataVolumes: { onDestroy: "delete", protect: true } }],
])("%s", (_label, over, expected) => {
    it("resolves to what was asked", () => expect(resolve(over).operations).toMatchObject(expected));
});

describe("metrics", () => {
    it("listens on peerPort + 1 unless given, plain http even with TLS, and lists Prometheus targets", () => {
        const c = resolve({ metrics: { enabled: true }, tls: { mode: "auto" }, members: [{ name: "etcd-n1", host: "node1" }, { name: "etcd-n2", host: "node2", peerPort: 3380 }, { name: "etcd-n3", host: "node3", metricsPort: 9100 }] });
        expect(c.members.map((m) => m.metricsPort)).toEqual([2381, 3381, 9100]);
        const plan = planCluster(c);
        expect(plan.members.map((m) => m.env.filter((e) => e.startsWith("ETCD_LISTEN_METRICS_URLS=")))).toEqual([
            ["ETCD_LISTEN_METRICS_URLS=http://0.0.0.0:2381"], ["ETCD_LISTEN_METRICS_URLS=http://0.0.0.0:3381"], ["ETCD_LISTEN_METRICS_URLS=http://0.0.0.0:9100"],
        ]);
        expect(plan.members.map((m) => m.metricsTarget)).toEqual(["10.0.0.137:2381", "10.0.0.138:3381", "10.0.0.139:9100"]);
    });

    it("publishes the metrics port with published ports, listening on 2381 inside the container", () => {
        const plan = planCluster(resolve({ networkMode: "published", metrics: { enabled: true } }));
        expect(plan.members[0].ports).toContainEqual({ internal: 2381, external: 2381 });
        expect(plan.members[0].env).toContain("ETCD_LISTEN_METRICS_URLS=http://0.0.0.0:2381");
    });

    it("leaves the environment of every member as it was when metrics are off", () => {
        expect(planCluster(resolve()).members[0].env.some((e) => e.startsWith("ETCD_LISTEN_METRICS_URLS"))).toBe(false);
    });
});

describe("warnings", () => {
    it.each<[string, Partial<EtcdClusterArgs>, RegExp]>([
        ["a memory limit below the backend quota", { resources: { memoryMb: 1024 } }, /resources.memoryMb: 1024 MiB is less than the database may grow to/],
        ["a log driver docker logs cannot read", { logs: { driver: "syslog" } }, /logs.driver "syslog": docker logs cannot read it/],
    ])("%s", (_label, over, pattern) => {
        expect(resolve(over).warnings.join("\n")).toMatch(pattern);
    });

    it("no memory warning when the limit covers the quota", () => {
        expect(resolve({ resources: { memoryMb: 1024 }, tuning: { quotaBackendBytes: 512 * 1024 ** 2 } }).warnings).toEqual([]);
    });
});

describe("bad input is refused with field, value and fix", () => {
    const twoOnOneHost = { hosts: [threeNodeHosts[0]], members: [{ name: "a", clientPort: 2379, peerPort: 2380 }, { name: "b", clientPort: 3379, peerPort: 3380, metricsPort: 2380 }] };
    it.each<[string, Partial<EtcdClusterArgs>, RegExp]>([
        ["a log driver name with spaces", { logs: { driver: "json file" } }, /^logs.driver: "json file" is not a Docker log driver name/],
        ["log options not an object", { logs: { options: "max-size=10m" as unknown as Record<string, string> } }, /^logs.options: "max-size=10m" must be an object/],
        ["a log option that is a number", { logs: { options: { "max-file": 5 as unknown as string } } }, /^logs.options.max-file: 5 must be a string/],
        ["memory below 128 MiB", { resources: { memoryMb: 64 } }, /^resources.memoryMb: 64 must be a whole number of MiB from 128/],
        ["memory not whole", { resources: { memoryMb: 512.5 } }, /^resources.memoryMb: 512.5/],
        ["no CPUs", { resources: { cpus: 0 } }, /^resources.cpus: 0 must be a number of CPUs from 0.01 to 1024/],
        ["an unknown destroy policy", { dataVolumes: { onDestroy: "keep" as "retain" } }, /^dataVolumes.onDestroy: "keep" must be "retain"/],
        ["protect not a boolean", { dataVolumes: { protect: "yes" as unknown as boolean } }, /^dataVolumes.protect: "yes" must be true or false/],
        ["a metrics port without metrics", { members: [{ name: "etcd-n1", host: "node1", metricsPort: 9100 }] }, /^members\[0\].metricsPort: 9100 is set but metrics.enabled is not/],
        ["a metrics port that is no port", { metrics: { enabled: true }, members: [{ name: "etcd-n1", host: "node1", metricsPort: 70000 }] }, /^members\[0\].metricsPort: 70000 is not a port/],
        ["a metrics port on another member's peer port", { ...twoOnOneHost, metrics: { enabled: true } }, /^members\[1\].metricsPort: 2380 is also a port of member "a" on host "node1"/],
        ["a member's own metrics port on its client port", { metrics: { enabled: true }, members: [{ name: "etcd-n1", host: "node1", metricsPort: 2379 }] }, /^members\[0\].metricsPort: 2379 is also a port of member "etcd-n1"/],
        ["ETCD_LISTEN_METRICS_URLS in extraEnv", { extraEnv: { ETCD_LISTEN_METRICS_URLS: "http://0.0.0.0:2381" } }, /^extraEnv.ETCD_LISTEN_METRICS_URLS: the component sets ETCD_LISTEN_METRICS_URLS itself; use metrics.enabled/],
    ])("%s", (_label, over, pattern) => {
        const problems = problemsOf(threeNodeArgs(over));
        expect(problems.some((p) => pattern.test(p))).toBe(true);
    });
});

describe("restore", () => {
    const file = require("path").join(require("os").tmpdir(), `restore-unit-${process.pid}.db`);
    beforeAll(() => require("fs").writeFileSync(file, "x"));
    afterAll(() => require("fs").rmSync(file, { force: true }));

    it("takes a readable file, as an absolute path", () => {
        expect(resolve({ restore: { snapshot: file } }).operations.restore).toEqual({ snapshot: file });
        expect(resolve().operations.restore).toBeUndefined();
    });

    it.each<[string, Partial<EtcdClusterArgs>, RegExp]>([
        ["a file that is not there", { restore: { snapshot: "/no/such/snapshot.db" } }, /^restore\.snapshot: "\/no\/such\/snapshot\.db" is not a readable file where Pulumi runs/],
        ["no path", { restore: { snapshot: "" } }, /^restore\.snapshot: "" must be the path of a snapshot file/],
        ["DNS bootstrap", { restore: { snapshot: file }, bootstrap: { mode: "dns", dns: { domain: "etcd.lab" } } }, /^restore: a restore needs bootstrap\.mode "static".*not "dns"/],
        ["auth without the source's root password", { restore: { snapshot: file }, auth: { enabled: true } }, /^restore with auth\.enabled needs auth\.rootPassword: the snapshot holds the users/],
        ["snapshots before changes not a boolean", { rollout: { snapshotBeforeChanges: "yes" as unknown as boolean } }, /^rollout\.snapshotBeforeChanges: "yes" must be true or false/],
    ])("refuses %s", (_label, over, pattern) => {
        expect(problemsOf(threeNodeArgs(over)).some((p) => pattern.test(p))).toBe(true);
    });
});

describe("maintenance", () => {
    it("defaults to hourly, keeping 24, with defrag, on the first member's host, in <cluster>-backups", () => {
        expect(resolve({ maintenance: { image: "example/etcd-tools:3.5.16" } }).operations.maintenance).toEqual({
            image: "example/etcd-tools:3.5.16", intervalSeconds: 3600, keep: 24, defrag: true, host: expect.objectContaining({ name: "node1" }), volumeName: "seed-backups",
        });
    });

    it.each<[string, Partial<EtcdClusterArgs>, RegExp]>([
        ["no image", { maintenance: { image: "" } }, /^maintenance\.image: "" must name an image with a POSIX sh and \/usr\/local\/bin\/etcdctl/],
        ["an interval under 5 s", { maintenance: { image: "x:1", intervalSeconds: 1 } }, /^maintenance\.intervalSeconds: 1 must be a whole number from 5 to 604800/],
        ["keeping none", { maintenance: { image: "x:1", keep: 0 } }, /^maintenance\.keep: 0 must be a whole number from 1 to 10000/],
        ["a host without members", { maintenance: { image: "x:1", host: "elsewhere" } }, /^maintenance\.host: "elsewhere" runs no member; use one of "node1", "node2", "node3"/],
        ["a bad volume name", { maintenance: { image: "x:1", volumeName: "bad name" } }, /^maintenance\.volumeName: "bad name" is not a valid Docker volume name/],
        ["defrag not a boolean", { maintenance: { image: "x:1", defrag: "no" as unknown as boolean } }, /^maintenance\.defrag: "no" must be true or false/],
    ])("refuses %s", (_label, over, pattern) => {
        expect(problemsOf(threeNodeArgs(over)).some((p) => pattern.test(p))).toBe(true);
    });
});
