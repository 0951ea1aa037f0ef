/** Bootstrap planning, pure: each mode's ETCD_* variables for every member, and the member set a discovery token is made for. */
import { EtcdClusterArgs } from "../../../components/args";
import { memberSetKey } from "../../../components/plan/bootstrap";
import { foundingLines, memberEnv } from "../../../components/plan/member";
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { threeNodeArgs as seed, threeNodeMembers as members } from "../fixtures";

const common = (ip: string, advertised = ip) => [
    `ETCD_NAME=etcd-n${Number(ip.split(".")[3]) - 136}`,
    "ETCD_DATA_DIR=/var/lib/etcd/data",
    "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380",
    "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379",
    `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://${advertised}:2380`,
    `ETCD_ADVERTISE_CLIENT_URLS=http://${advertised}:2379`,
];

describe("each member's environment, per bootstrap mode", () => {
    it("static (the default): ETCD_INITIAL_CLUSTER from the members, as before", () => {
        const plan = planCluster(resolveClusterArgs("s", seed({ bootstrap: { mode: "static" } })));
        expect(plan.members.map((m) => memberEnv(m, foundingLines(m), "tok"))).toEqual(["10.0.0.137", "10.0.0.138", "10.0.0.139"].map((ip) => [
            ...common(ip),
            "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:2380",
            "ETCD_INITIAL_CLUSTER_STATE=new",
            "ETCD_INITIAL_CLUSTER_TOKEN=tok",
        ]));
        expect(planCluster(resolveClusterArgs("s", seed())).members[0].env).toEqual(plan.members[0].env);
    });

    it("discovery from a service: ETCD_DISCOVERY = the service's answer, no ETCD_INITIAL_CLUSTER, state new", () => {
        const c = resolveClusterArgs("d", seed({ bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } }));
        expect(c.bootstrap).toEqual({ mode: "discovery", protocol: "v2", source: "service", serviceUrl: "https://discovery.etcd.io", attempts: 5 });
        const plan = planCluster(c);
        expect(plan.initialCluster).toBe("");
        expect(plan.members.map((m) => memberEnv(m, foundingLines(m, { bootstrap: c.bootstrap, value: "https://discovery.etcd.io/abc" }), "tok"))).toEqual(
            ["10.0.0.137", "10.0.0.138", "10.0.0.139"].map((ip) => [
                ...common(ip),
                "ETCD_INITIAL_CLUSTER_STATE=new",
                "ETCD_INITIAL_CLUSTER_TOKEN=tok",
                "ETCD_DISCOVERY=https://discovery.etcd.io/abc",
            ]));
    });

    it("self-hosted v2 discovery (etcd ≤ 3.5): ETCD_DISCOVERY = <endpoint>/v2/keys/discovery/<token>", () => {
        const c = resolveClusterArgs("d", seed({ image: "local/etcd:v3.4.23", bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } } }));
        expect(c.bootstrap).toMatchObject({ protocol: "v2", source: "endpoints", endpoints: ["http://10.0.0.100:2379"] });
        const env = memberEnv(planCluster(c).members[1], foundingLines(planCluster(c).members[1], { bootstrap: c.bootstrap, value: "http://10.0.0.100:2379/v2/keys/discovery/t0k" }), "tok");
        expect(env).toEqual([...common("10.0.0.138"), "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_INITIAL_CLUSTER_TOKEN=tok",
            "ETCD_DISCOVERY=http://10.0.0.100:2379/v2/keys/discovery/t0k"]);
        expect(env.some((e) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toBe(false);
    });

    it("v3 discovery (etcd ≥ 3.6, the default there): ETCD_DISCOVERY_TOKEN + ETCD_DISCOVERY_ENDPOINTS", () => {
        const c = resolveClusterArgs("d", seed({ image: "gcr.io/etcd-development/etcd:v3.6.14",
            bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379", "http://10.0.0.101:2379"] } } }));
        expect(c.bootstrap).toMatchObject({ protocol: "v3" });
        expect(memberEnv(planCluster(c).members[2], foundingLines(planCluster(c).members[2], { bootstrap: c.bootstrap, value: "t0k" }), "tok")).toEqual([
            ...common("10.0.0.139"), "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_INITIAL_CLUSTER_TOKEN=tok",
            "ETCD_DISCOVERY_TOKEN=t0k", "ETCD_DISCOVERY_ENDPOINTS=http://10.0.0.100:2379,http://10.0.0.101:2379",
        ]);
    });

    it("dns: advertises <member>.<domain> (or dnsName), listens on IPs, ETCD_DISCOVERY_SRV, no ETCD_INITIAL_CLUSTER", () => {
        const c = resolveClusterArgs("d", seed({
            members: [{ name: "etcd-n1", host: "node1", dnsName: "etcd1.example.com" }, { name: "etcd-n2", host: "node2" }, { name: "etcd-n3", host: "node3" }],
            bootstrap: { mode: "dns", dns: { domain: "example.com" } },
        }));
        const plan = planCluster(c);
        expect(plan.members.map((m) => memberEnv(m, foundingLines(m), "tok"))).toEqual([
            ["10.0.0.137", "etcd1.example.com"], ["10.0.0.138", "etcd-n2.example.com"], ["10.0.0.139", "etcd-n3.example.com"],
        ].map(([ip, name]) => [...common(ip, name), "ETCD_DISCOVERY_SRV=example.com", "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_INITIAL_CLUSTER_TOKEN=tok"]));
        expect(plan.clientEndpoints).toEqual(["http://etcd1.example.com:2379", "http://etcd-n2.example.com:2379", "http://etcd-n3.example.com:2379"]);
        expect(plan.initialCluster).toBe("");
    });

    it("dns with srvName adds ETCD_DISCOVERY_SRV_NAME", () => {
        const c = resolveClusterArgs("d", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", srvName: "prod" } } }));
        expect(planCluster(c).members[0].env).toEqual(expect.arrayContaining(["ETCD_DISCOVERY_SRV=example.com", "ETCD_DISCOVERY_SRV_NAME=prod"]));
    });

    it.each<[string, EtcdClusterArgs["bootstrap"]]>([
        ["static", { mode: "static" }],
        ["discovery service", { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } }],
        ["dns", { mode: "dns", dns: { domain: "example.com", srvName: "x" } }],
        ["self-hosted discovery", { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } }],
    ])("never sets one variable twice (%s)", (_mode, bootstrap) => {
        const c = resolveClusterArgs("d", seed({ bootstrap }));
        const keys = memberEnv(planCluster(c).members[0], foundingLines(planCluster(c).members[0], { bootstrap: c.bootstrap, value: "v" }), "t").map((e) => e.split("=")[0]);
        expect(new Set(keys).size).toBe(keys.length);
    });
});

describe("the member set a discovery token is made for", () => {
    it("is the names and peer URLs, whatever the order, and changes when a member or a URL changes", () => {
        const key = (m: typeof members) => planCluster(resolveClusterArgs("k", seed({ members: m, bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } }))).memberSetKey;
        expect(key(members)).toBe("etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:2380");
        expect(key([...members].reverse())).toBe(key(members));
        expect(key(members.slice(0, 2))).not.toBe(key(members));
        expect(key([...members.slice(0, 2), { name: "etcd-n4", host: "node3" }])).not.toBe(key(members));
        expect(memberSetKey([{ name: "a", peerUrl: "http://x:2380" }])).not.toBe(memberSetKey([{ name: "a", peerUrl: "http://x:2381" }]));
    });
});
