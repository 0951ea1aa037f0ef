/** Member planning, pure: every member's ETCD_* environment, URLs, ports, labels and Docker healthcheck. */
import { EtcdClusterArgs } from "../../../components/args";
import { foundingLines, memberEnv, MemberPlan } from "../../../components/plan/member";
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { threeNodeArgs } from "../fixtures";

const seed = resolveClusterArgs("seed", threeNodeArgs());

describe("planCluster", () => {
    const plan = planCluster(seed);

    it("gives each member exactly its settings, as ETCD_* variables only", () => {
        expect(memberEnv(plan.members[0], foundingLines(plan.members[0]), "tok")).toEqual([
            "ETCD_NAME=etcd-n1",
            "ETCD_DATA_DIR=/var/lib/etcd/data",
            "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380",
            "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379",
            "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://10.0.0.137:2380",
            "ETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.137:2379",
            "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:2380",
            "ETCD_INITIAL_CLUSTER_STATE=new",
            "ETCD_INITIAL_CLUSTER_TOKEN=tok",
        ]);
        expect(plan.members.map((m) => m.env.find((e) => e.startsWith("ETCD_ADVERTISE_CLIENT_URLS")))).toEqual([
            "ETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.137:2379",
            "ETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.138:2379",
            "ETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.139:2379",
        ]);
    });

    it("never sets one variable twice", () => {
        for (const m of plan.members) {
            const keys = memberEnv(m, foundingLines(m), "t").map((e) => e.split("=")[0]);
            expect(new Set(keys).size).toBe(keys.length);
        }
    });

    it("exposes endpoints, peer URLs and the initial cluster in member order", () => {
        expect(plan.clientEndpoints).toEqual(["http://10.0.0.137:2379", "http://10.0.0.138:2379", "http://10.0.0.139:2379"]);
        expect(plan.peerUrls).toEqual(["http://10.0.0.137:2380", "http://10.0.0.138:2380", "http://10.0.0.139:2380"]);
        expect(plan.hosts.map((h) => [h.name, h.memberNames])).toEqual([["node1", ["etcd-n1"]], ["node2", ["etcd-n2"]], ["node3", ["etcd-n3"]]]);
    });

    it("labels members and checks health in exec form (the official image has no shell)", () => {
        expect(plan.members[1].labels).toEqual({ "etcd-cluster.cluster": "seed", "etcd-cluster.member": "etcd-n2" });
        expect(plan.members[1].healthcheckTest).toEqual(["CMD", "/usr/local/bin/etcdctl", "--endpoints=http://127.0.0.1:2379", "endpoint", "health"]);
        expect(plan.members[1].ports).toEqual([]);
    });

    // Each networking case: the arguments, which member to look at, and what its plan must hold.
    it.each<[string, EtcdClusterArgs, number, Partial<MemberPlan> & { envIncludes: string[] }]>([
        ["listens on the member's own ports with host networking, so members can share a host",
            { members: [{ name: "a" }, { name: "b", clientPort: 22379, peerPort: 22380 }] }, 1, {
                envIncludes: ["ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:22379", "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:22380", "ETCD_ADVERTISE_CLIENT_URLS=http://127.0.0.1:22379"],
                localClientUrl: "http://127.0.0.1:22379",
            }],
        ["publishes -p <clientPort>:2379 -p <peerPort>:2380 and listens on 2379/2380 inside with networkMode published",
            { networkMode: "published", members: [{ name: "a", address: "172.17.0.1", clientPort: 12379, peerPort: 12380 }] }, 0, {
                ports: [{ internal: 2379, external: 12379 }, { internal: 2380, external: 12380 }],
                envIncludes: ["ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379", "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://172.17.0.1:12380"],
                localClientUrl: "http://127.0.0.1:2379",
            }],
        ["brackets IPv6 addresses in URLs", { members: [{ name: "a", address: "fd00::1" }] }, 0, { envIncludes: [], peerUrl: "http://[fd00::1]:2380" }],
    ])("%s", (_case, args, index, { envIncludes, ...expected }) => {
        const m = planCluster(resolveClusterArgs("net", args)).members[index];
        expect(m.env).toEqual(expect.arrayContaining(envIncludes));
        expect(m).toMatchObject(expected);
    });

    it("passes tuning and extra settings through, and switches 3.4 to the zap logger for log levels", () => {
        const tuned = (image: string) => planCluster(resolveClusterArgs("t", {
            image,
            members: [{ name: "a" }],
            tuning: { heartbeatIntervalMs: 250, electionTimeoutMs: 2500, quotaBackendBytes: 4294967296, autoCompactionMode: "periodic",
                autoCompactionRetention: "1h", snapshotCount: 5000, logLevel: "warn" },
            extraEnv: { ETCD_MAX_TXN_OPS: "256" },
        })).members[0].env.slice(8);
        expect(tuned("local/etcd:v3.4.23")).toEqual([
            "ETCD_HEARTBEAT_INTERVAL=250", "ETCD_ELECTION_TIMEOUT=2500", "ETCD_QUOTA_BACKEND_BYTES=4294967296",
            "ETCD_AUTO_COMPACTION_MODE=periodic", "ETCD_AUTO_COMPACTION_RETENTION=1h", "ETCD_SNAPSHOT_COUNT=5000",
            "ETCD_LOGGER=zap", "ETCD_LOG_LEVEL=warn", "ETCD_MAX_TXN_OPS=256",
        ]);
        expect(tuned("local/etcd:v3.5.16")).not.toContain("ETCD_LOGGER=zap");
    });
});

describe("memberEnv: the container environment from the bootstrap lines a member's join command recorded", () => {
    const own = (ip: string, name = `etcd-n${Number(ip.split(".")[3]) - 136}`, advertised = ip) => [
        `ETCD_NAME=${name}`, "ETCD_DATA_DIR=/var/lib/etcd/data", "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380", "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379",
        `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://${advertised}:2380`, `ETCD_ADVERTISE_CLIENT_URLS=http://${advertised}:2379`,
    ];
    // Settings after the bootstrap variables, so that their place shows.
    const tuned = { tuning: { heartbeatIntervalMs: 250, electionTimeoutMs: 2500 } };
    const after = ["ETCD_HEARTBEAT_INTERVAL=250", "ETCD_ELECTION_TIMEOUT=2500"];
    const initialCluster = "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:2380";
    const reversed = (lines: string) => lines.split("\n").reverse().join("\n");

    // Each bootstrap mode: the arguments, the recorded lines (in docker inspect's arbitrary order), and the
    // environment the member's container had before members recorded their bootstrap (member etcd-n1).
    it.each<[string, Partial<EtcdClusterArgs>, string, string[]]>([
        ["static", {}, `ETCD_INITIAL_CLUSTER_STATE=new\n${initialCluster}`,
            [...own("10.0.0.137"), initialCluster, "ETCD_INITIAL_CLUSTER_STATE=new", ...after, "ETCD_INITIAL_CLUSTER_TOKEN=tok"]],
        ["dns, with an SRV name", { bootstrap: { mode: "dns", dns: { domain: "example.com", srvName: "prod" } } },
            "ETCD_INITIAL_CLUSTER_STATE=new\nETCD_DISCOVERY_SRV_NAME=prod\nETCD_DISCOVERY_SRV=example.com",
            [...own("10.0.0.137", "etcd-n1", "etcd-n1.example.com"), "ETCD_DISCOVERY_SRV=example.com", "ETCD_DISCOVERY_SRV_NAME=prod", "ETCD_INITIAL_CLUSTER_STATE=new",
                ...after, "ETCD_INITIAL_CLUSTER_TOKEN=tok"]],
        ["discovery v2: ETCD_DISCOVERY after the cluster token", { bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } },
            "ETCD_DISCOVERY=https://discovery.etcd.io/abc\nETCD_INITIAL_CLUSTER_STATE=new",
            [...own("10.0.0.137"), "ETCD_INITIAL_CLUSTER_STATE=new", ...after, "ETCD_INITIAL_CLUSTER_TOKEN=tok", "ETCD_DISCOVERY=https://discovery.etcd.io/abc"]],
        ["discovery v3: token and endpoints after the cluster token",
            { image: "local/etcd:v3.6.14", bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } } },
            "ETCD_DISCOVERY_ENDPOINTS=http://10.0.0.100:2379\nETCD_INITIAL_CLUSTER_STATE=new\nETCD_DISCOVERY_TOKEN=t0k",
            [...own("10.0.0.137"), "ETCD_INITIAL_CLUSTER_STATE=new", ...after, "ETCD_INITIAL_CLUSTER_TOKEN=tok",
                "ETCD_DISCOVERY_TOKEN=t0k", "ETCD_DISCOVERY_ENDPOINTS=http://10.0.0.100:2379"]],
    ])("%s: same order whatever order the lines come in", (_mode, args, lines, expected) => {
        const m = planCluster(resolveClusterArgs("seed", threeNodeArgs({ ...tuned, ...args }))).members[0];
        expect(memberEnv(m, lines, "tok")).toEqual(expected);
        expect(memberEnv(m, reversed(lines), "tok")).toEqual(expected);
        expect(memberEnv(m, `\n${lines}\n\n`, "tok")).toEqual(expected);
    });

    it.each<[string, Partial<EtcdClusterArgs>, ((m: MemberPlan) => string)]>([
        ["static", {}, (m) => foundingLines(m)],
        ["dns", { bootstrap: { mode: "dns", dns: { domain: "example.com" } } }, (m) => foundingLines(m)],
    ])("%s: a founding member's own lines give the environment it was planned with", (_mode, args, lines) => {
        const m = planCluster(resolveClusterArgs("seed", threeNodeArgs({ ...tuned, ...args }))).members[2];
        expect(memberEnv(m, lines(m), "tok")).toEqual([...m.env, "ETCD_INITIAL_CLUSTER_TOKEN=tok"]);
    });

    it.each<[string, Partial<EtcdClusterArgs>]>([
        ["static", {}],
        ["dns", { bootstrap: { mode: "dns", dns: { domain: "example.com" } } }],
        ["discovery", { bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } }],
    ])("%s: a member that joined a running cluster gets its recorded initial cluster and state existing, and no founding variable", (_mode, args) => {
        const m = planCluster(resolveClusterArgs("seed", threeNodeArgs({ ...tuned, ...args }))).members[2];
        const joined = "ETCD_INITIAL_CLUSTER_STATE=existing\nETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n3=http://10.0.0.139:2380";
        expect(memberEnv(m, joined, "tok")).toEqual([
            ...m.envBefore, "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n3=http://10.0.0.139:2380", "ETCD_INITIAL_CLUSTER_STATE=existing",
            ...after, "ETCD_INITIAL_CLUSTER_TOKEN=tok",
        ]);
    });

    it("takes only the bootstrap variables from the lines (a container's inspect may hold others)", () => {
        const m = planCluster(resolveClusterArgs("seed", threeNodeArgs())).members[0];
        expect(memberEnv(m, `PATH=/usr/bin\n${initialCluster}\nETCD_INITIAL_CLUSTER_STATE=new\nETCD_NAME=other`, "tok")).toEqual(memberEnv(m, foundingLines(m), "tok"));
    });
});
