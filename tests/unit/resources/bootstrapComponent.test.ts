/** EtcdCluster's bootstrap resources under the mock runtime: what is created, how it is wired, what is exported. */
import * as pulumi from "@pulumi/pulumi";
import { clusterCommands, created, installMocks, ofType, promiseOf, registrationsSettled, settled, unwrap } from "../mockRuntime";
import { labHosts, labMembers } from "../fixtures";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../../../components/args";
import { EtcdClusterArgsError } from "../../../components/resolve/argChecks";

installMocks();

const hosts = labHosts;
const three = labMembers;

async function deploy(name: string, args: EtcdClusterArgs) {
    const before = created.length;
    const cluster = new EtcdCluster(name, args);
    await settled(cluster);
    const outputs = await promiseOf(pulumi.output({
        discoveryUrl: cluster.discoveryUrl, dnsmasqConfig: cluster.dnsmasqConfig, initialCluster: cluster.initialCluster,
        clientEndpointList: cluster.clientEndpointList, healthReport: cluster.healthReport,
        containerIds: Object.values(cluster.containers).map((c) => c.id),
    }));
    const resources = created.slice(before);
    const byName = (n: string) => resources.find((r) => r.name === n && r.custom !== false)!; // not the EtcdMember of the same name
    return { outputs, resources, byName };
}


describe("discovery through a service", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => { r = await deploy("svc", { image: "local/etcd:v3.5.16", hosts, members: three, bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } }); });

    it("asks the service for a token with a local command whose triggers are the member set", () => {
        const cmd = r.byName("svc-discovery");
        expect(cmd.type).toBe("command:local:Command");
        expect(cmd.inputs.create).toContain("url='https://discovery.etcd.io/new?size=3'");
        expect(cmd.inputs.triggers).toEqual(["etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n3=http://10.77.0.13:2380", "https://discovery.etcd.io"]);
    });

    it("gives every member ETCD_DISCOVERY = the command's stdout, and no ETCD_INITIAL_CLUSTER", () => {
        for (const m of three) {
            const envs: string[] = unwrap(r.byName(`svc-${m.name}`).inputs.envs).value;
            expect(envs).toContain("ETCD_DISCOVERY=report of svc-discovery");
            expect(envs).toContain("ETCD_INITIAL_CLUSTER_STATE=new");
            expect(envs.filter((e) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toEqual([]);
        }
    });

    it("exports the discovery URL, and an empty initial cluster", () => {
        expect(r.outputs.discoveryUrl).toBe("report of svc-discovery");
        expect(r.outputs.initialCluster).toBe("");
        expect(r.outputs.dnsmasqConfig).toBe("");
    });

    it("starts members only after the token exists", () => {
        const cmd = r.byName("svc-discovery");
        for (const m of three) {
            expect(r.resources.indexOf(r.byName(`svc-${m.name}`))).toBeGreaterThan(r.resources.indexOf(cmd));
        }
    });
});

describe("self-hosted discovery", () => {
    const v2 = (ms: typeof three): EtcdClusterArgs => ({
        image: "local/etcd:v3.4.23", hosts, members: ms, bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.77.0.13:12379"] } },
    });

    it("v2: a random token kept by the member set, a PUT of its size, ETCD_DISCOVERY from the command", async () => {
        const r = await deploy("v2", v2(three));
        const token = r.byName("v2-discovery-token");
        expect(token.type).toBe("random:index/randomId:RandomId");
        expect(token.inputs).toEqual({ byteLength: 16, keepers: {
            members: "etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n3=http://10.77.0.13:2380", size: "3" } });
        const cmd = r.byName("v2-discovery");
        expect(cmd.inputs.create).toContain("url='http://10.77.0.13:12379/v2/keys/discovery/c0ffee00/_config/size'");
        expect(cmd.inputs.create).toContain("-d value=3");
        expect(cmd.inputs.delete).toContain("-X DELETE 'http://10.77.0.13:12379/v2/keys/discovery/c0ffee00?recursive=true'");
        expect(cmd.inputs.triggers).toEqual(["c0ffee00", "http://10.77.0.13:12379"]);
        expect(unwrap(r.byName("v2-etcd-n2").inputs.envs).value).toContain("ETCD_DISCOVERY=report of v2-discovery");
        expect(r.outputs.discoveryUrl).toBe("report of v2-discovery");
    });

    it("a changed member list gives the token different keepers and the service command different triggers", async () => {
        const a = await deploy("chg-a", v2(three));
        const b = await deploy("chg-b", v2([...three.slice(0, 2), { name: "etcd-n4", host: "h3" }]));
        const keepers = (r: typeof a, n: string) => r.byName(n).inputs.keepers;
        expect(keepers(b, "chg-b-discovery-token").members).toBe("etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n4=http://10.77.0.13:2380");
        expect(keepers(b, "chg-b-discovery-token")).not.toEqual(keepers(a, "chg-a-discovery-token"));
        const c = await deploy("chg-c", v2(three.slice(0, 1)));
        expect(keepers(c, "chg-c-discovery-token")).toEqual({ members: "etcd-n1=http://10.77.0.11:2380", size: "1" });

        const svc = (ms: typeof three) => ({ image: "local/etcd:v3.5.16", hosts, members: ms, bootstrap: { mode: "discovery" as const, discovery: { serviceUrl: "https://discovery.etcd.io" } } });
        const s1 = await deploy("chg-s1", svc(three));
        const s2 = await deploy("chg-s2", svc(three.slice(0, 1)));
        expect(s1.byName("chg-s1-discovery").inputs.triggers).not.toEqual(s2.byName("chg-s2-discovery").inputs.triggers);
        expect(s2.byName("chg-s2-discovery").inputs.create).toContain("new?size=1");
    });

    it("v3 (etcd 3.6): the size key through the JSON gateway, ETCD_DISCOVERY_TOKEN/ENDPOINTS, no discovery URL", async () => {
        const r = await deploy("v3", {
            image: "gcr.io/etcd-development/etcd:v3.6.14", hosts, members: three,
            bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } },
        });
        expect(r.byName("v3-discovery").inputs.create).toContain("\"$ep/v3/kv/put\"");
        expect(unwrap(r.byName("v3-etcd-n1").inputs.envs).value).toEqual(expect.arrayContaining([
            "ETCD_DISCOVERY_TOKEN=report of v3-discovery", "ETCD_DISCOVERY_ENDPOINTS=http://10.0.0.100:2379",
        ]));
        expect(r.outputs.discoveryUrl).toBe("");
    });
});

describe("DNS bootstrap with a dnsmasq container", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => {
        r = await deploy("dns", {
            image: "local/etcd:v3.5.16",
            hosts: [...hosts, { name: "ns", url: "ssh://root@10.77.0.14" }],
            members: three,
            bootstrap: { mode: "dns", dns: { domain: "etcd.lab", dnsmasq: { container: { host: "ns", image: "local/dnsmasq:test" } } } },
        });
    });

    it("runs dnsmasq on its host with host networking and the rendered config uploaded", () => {
        const c = r.byName("dns-dnsmasq");
        expect(c.type).toBe("docker:index/container:Container");
        expect(c.provider).toMatch(/::dns-ns::dns-ns-id$/);
        expect(c.inputs).toMatchObject({
            name: "dns-dnsmasq",
            image: "sha256:dns-dnsmasq-image",
            entrypoints: ["dnsmasq"],
            networkMode: "host",
            uploads: [{ file: "/etc/dnsmasq.d/etcd.conf", content: r.outputs.dnsmasqConfig }],
        });
        expect(c.inputs.command).toEqual(expect.arrayContaining(["--listen-address=10.77.0.14", "--port=53", "--no-resolv", "--no-hosts", "--bind-interfaces"]));
        expect(r.outputs.dnsmasqConfig).toContain("srv-host=_etcd-server._tcp.etcd.lab,etcd-n2.etcd.lab,2380,0,100\n");
        expect(r.outputs.dnsmasqConfig).toContain("host-record=etcd-n3.etcd.lab,10.77.0.13\n");
    });

    it("pulls no etcd image on the dnsmasq-only host, but the dnsmasq image", () => {
        expect(ofType("docker:index/remoteImage:RemoteImage", r.resources).map((i) => [i.name, i.inputs.name]).sort()).toEqual([
            ["dns-dnsmasq-image", "local/dnsmasq:test"], ["dns-h1-image", "local/etcd:v3.5.16"], ["dns-h2-image", "local/etcd:v3.5.16"], ["dns-h3-image", "local/etcd:v3.5.16"],
        ]);
    });

    it("checks the SRV records against it after it runs, and starts members only after the check", () => {
        const check = r.byName("dns-dns-check");
        expect(check.inputs.create).toContain("name='_etcd-server._tcp.etcd.lab'");
        expect(check.inputs.create).toContain("server='10.77.0.14'");
        expect(check.inputs.triggers).toEqual([r.outputs.dnsmasqConfig, "dns-dnsmasq-id"]);
        expect(r.resources.indexOf(check)).toBeGreaterThan(r.resources.indexOf(r.byName("dns-dnsmasq")));
        for (const m of three) expect(r.resources.indexOf(r.byName(`dns-${m.name}`))).toBeGreaterThan(r.resources.indexOf(check));
    });

    it("points members at it and has them advertise names, with ETCD_DISCOVERY_SRV", () => {
        const n1 = r.byName("dns-etcd-n1").inputs;
        expect(n1.dns).toEqual(["10.77.0.14"]);
        expect(unwrap(n1.envs).value).toEqual(expect.arrayContaining([
            "ETCD_DISCOVERY_SRV=etcd.lab", "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://etcd-n1.etcd.lab:2380", "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380",
        ]));
        expect(unwrap(n1.envs).value.filter((e: string) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toEqual([]);
        expect(r.outputs.clientEndpointList).toEqual(["http://etcd-n1.etcd.lab:2379", "http://etcd-n2.etcd.lab:2379", "http://etcd-n3.etcd.lab:2379"]);
    });
});

it("DNS bootstrap with a remote dnsmasq: a drop-in over ssh with stdin, a restart, and the check", async () => {
    const r = await deploy("rdns", {
        image: "local/etcd:v3.5.16", hosts, members: three,
        bootstrap: { mode: "dns", dns: { domain: "etcd.lab", srvName: "blue", dnsmasq: { remote: { host: "10.77.0.1", user: "admin" } } } },
    });
    const cmd = r.byName("rdns-dnsmasq-records");
    expect(cmd.type).toBe("command:remote:Command");
    expect(cmd.inputs.stdin).toBe(r.outputs.dnsmasqConfig);
    expect(cmd.inputs.create).toContain("cat >'/etc/dnsmasq.d/rdns-etcd.conf.tmp'");
    expect(cmd.inputs.create).toMatch(/; systemctl restart dnsmasq$/);
    expect(cmd.inputs.update).toBe(cmd.inputs.create);
    expect(cmd.inputs.delete).toBe("set -e; rm -f '/etc/dnsmasq.d/rdns-etcd.conf'; systemctl restart dnsmasq");
    const check = r.byName("rdns-dns-check");
    expect(check.inputs.create).toContain("name='_etcd-server-blue._tcp.etcd.lab'");
    expect(check.inputs.create).toContain("server='10.77.0.1'");
    expect(r.byName("rdns-etcd-n1").inputs.dns).toBeUndefined();
    expect(unwrap(r.byName("rdns-etcd-n1").inputs.envs).value).toContain("ETCD_DISCOVERY_SRV_NAME=blue");
});

it("DNS bootstrap with a remote dnsmasq: the ssh key reaches the command as a secret even when given in the clear", async () => {
    const r = await deploy("keyed", {
        image: "local/etcd:v3.5.16", hosts, members: three,
        bootstrap: { mode: "dns", dns: { domain: "etcd.lab", dnsmasq: { remote: { host: "10.77.0.1", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" } } } },
    });
    expect(unwrap(r.byName("keyed-dnsmasq-records").inputs.connection)).toEqual({
        secret: true, value: expect.objectContaining({ host: "10.77.0.1", port: 22, user: "root", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" }),
    });
});

it("DNS bootstrap without dnsmasq: only the config output, no extra resources", async () => {
    const r = await deploy("plain", { image: "local/etcd:v3.5.16", hosts, members: three, bootstrap: { mode: "dns", dns: { domain: "etcd.lab" } } });
    expect(r.outputs.dnsmasqConfig).toMatch(/^# etcd cluster plain/);
    expect(clusterCommands(r.resources)).toEqual(["plain-retained-volumes", "plain-membership-check", "plain-rollout-snapshot", "plain-health"]);
});

it("refuses dns + etcd 3.4 + http before registering anything", async () => {
    await registrationsSettled();
    const before = created.length;
    expect(() => new EtcdCluster("old", { image: "local/etcd:v3.4.23", hosts, members: three, bootstrap: { mode: "dns", dns: { domain: "etcd.lab" } } }))
        .toThrow(EtcdClusterArgsError);
    // Registrations reach the mocks asynchronously: only once they have settled does "none" mean none.
    await registrationsSettled();
    expect(created.slice(before).map((r) => `${r.type} ${r.name}`)).toEqual([]);
});
