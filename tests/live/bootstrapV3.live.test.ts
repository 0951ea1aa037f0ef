/**
 * Bootstrap on the etcd lines that dropped v2 discovery, for real on the lab's Docker hosts (tests/live/lab) through
 * the live deployer: v3 discovery (`--discovery-token`, `--discovery-endpoints`) on 3.6 and 3.7 against a discovery
 * cluster that is itself an EtcdCluster, the refusal of v2 discovery on 3.7, and DNS SRV bootstrap on 3.7.
 *
 * Hosts h1-h3 only. Members use ports 4379/4380, the discovery cluster (one member on h3) 14379/14380, and the
 * dnsmasq runs on h2 port 53, because the DNS case of bootstrap.live.test.ts runs its own on h1 at the same time.
 * Every name starts with "bv3-".
 */
import { randomBytes } from "crypto";
import { EtcdCluster } from "../../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../../components/args";
import { DeploymentError } from "./pulumi/realDeployer";
import { ensureDnsmasqImage, dnsmasqTestImage } from "./dnsmasqImage";
import {
    docker, etcdctlIn, etcdctlOutside, expectOnlyDataVolumesLeft, labHosts, MemberRef, newDeployer, parseMemberList, readLab, removeLeftovers, run, Series,
} from "./lab";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(900_000);

const lab = readLab();
const hosts = labHosts(lab, 3);
const dockerHosts = hosts.map((h) => h.dockerHost);
const clientPort = 4379;
const peerPort = 4380;

const disc = { cluster: "bv3-disc", member: "bv3-disc-n1", host: hosts[2], clientPort: 14379, peerPort: 14380 };
const discEndpoint = `http://${disc.host.address}:${disc.clientPort}`;
const tokenPattern = /^[0-9a-f]{32}$/;

/** Every cluster this file deploys: an interrupted earlier run may have left any of them, and member names differ per cluster. */
const allClusters = [disc.cluster, "bv3-d36", "bv3-d37", "bv3-v2on37", "bv3-v2svc37", "bv3-dns"];

/** One three-member cluster on h1-h3: its member (and container) names, and how an operator reaches them. */
function trio(cluster: string) {
    const names = hosts.map((_, i) => `${cluster}-n${i + 1}`);
    return {
        names,
        refs: hosts.map((h, i): MemberRef => ({ dockerHost: h.dockerHost, container: names[i], localClientUrl: `http://127.0.0.1:${clientPort}` })),
        ipEndpoints: hosts.map((h) => `http://${h.address}:${clientPort}`),
        ipPeerUrls: hosts.map((h) => `http://${h.address}:${peerPort}`),
        args: (image: string, bootstrap: EtcdClusterArgs["bootstrap"]): EtcdClusterArgs => ({
            image,
            hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
            members: hosts.map((h, i) => ({ name: names[i], host: h.name, clientPort, peerPort })),
            healthCheck: { timeoutSeconds: 90 },
            bootstrap,
        }),
    };
}
type Trio = ReturnType<typeof trio>;

async function envOf(dockerHost: string, container: string): Promise<string[]> {
    const r = await docker(dockerHost, "inspect", "-f", "{{json .Config.Env}}", container);
    if (r.code !== 0) throw new Error(`docker inspect ${container}: ${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
}

/** The manual checks: three started members with the expected peer URLs, every endpoint healthy, a put through the first member read through the third. */
async function operatorChecks(t: Trio, expectedPeerUrls: string[]): Promise<void> {
    const list = await etcdctlIn(t.refs[0], "member", "list");
    expect(list.code).toBe(0);
    const members = parseMemberList(list.stdout).sort((a, b) => a.name.localeCompare(b.name));
    expect(members.map((m) => [m.status, m.name, m.peerUrls])).toEqual(t.names.map((n, i) => ["started", n, expectedPeerUrls[i]]));
    const health = await etcdctlOutside(t.ipEndpoints, "endpoint", "health");
    expect(health.code).toBe(0);
    for (const ep of t.ipEndpoints) expect(health.stdout + health.stderr).toContain(`${ep} is healthy: successfully committed proposal`);
    const key = `/bv3/${randomBytes(4).toString("hex")}`;
    expect((await etcdctlIn(t.refs[0], "put", key, "Hello world")).stdout.trim()).toBe("OK");
    expect((await etcdctlIn(t.refs[2], "get", key)).stdout).toBe(`${key}\nHello world\n`);
}

/** The discovery cluster's keys under a prefix, as `key=value` lines (etcdctl get prints key and value on alternate lines). */
async function discoveryKeys(prefix: string): Promise<string[]> {
    const r = await etcdctlOutside([discEndpoint], "get", "--prefix", prefix);
    if (r.code !== 0) throw new Error(`etcdctl get --prefix ${prefix} on ${discEndpoint}: ${r.stderr}`);
    const lines = r.stdout.split("\n").filter(Boolean);
    return lines.filter((_, i) => i % 2 === 0).map((k, i) => `${k}=${lines[2 * i + 1]}`);
}

async function discoveryRevision(): Promise<number> {
    const r = await etcdctlOutside([discEndpoint], "endpoint", "status", "-w", "json");
    if (r.code !== 0) throw new Error(`endpoint status on ${discEndpoint}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { Status: { header: { revision: number } } }[])[0].Status.header.revision;
}

/** Containers and volumes on h1-h3 that carry the cluster's label or one of its names. */
async function traces(cluster: string): Promise<string[]> {
    const found: string[] = [];
    for (const h of dockerHosts) {
        for (const [what, format] of [[["ps", "-a"], "{{.Names}}"], [["volume", "ls"], "{{.Name}}"]] as const) {
            for (const filter of [`label=etcd-cluster.cluster=${cluster}`, `name=${cluster}`]) {
                const r = await docker(h, ...what, "--filter", filter, "--format", format);
                if (r.code !== 0) throw new Error(`docker ${what.join(" ")} on ${h}: ${r.stderr}`);
                found.push(...r.stdout.split("\n").filter(Boolean).map((n) => `${h} ${n}`));
            }
        }
    }
    return found;
}

const discDeployer = newDeployer();

beforeAll(async () => {
    for (const c of allClusters) await removeLeftovers(dockerHosts, c);
    // A one-member static cluster: what an operator runs as the discovery service now that discovery.etcd.io is gone.
    await discDeployer.deploy(disc.cluster, () => {
        new EtcdCluster(disc.cluster, {
            image: lab.images["3.6"],
            hosts: [{ name: disc.host.name, url: disc.host.dockerHost }],
            members: [{ name: disc.member, host: disc.host.name, clientPort: disc.clientPort, peerPort: disc.peerPort }],
            healthCheck: { timeoutSeconds: 90 },
        });
        return {};
    });
});

afterAll(async () => {
    try {
        await discDeployer.destroy();
    } finally {
        for (const c of allClusters) await removeLeftovers(dockerHosts, c);
    }
});

function v3DiscoveryCase(series: Series, cluster: string, protocol: "v3" | undefined) {
    const t = trio(cluster);
    const image = lab.images[series];
    const how = protocol ? `protocol "v3"` : "the protocol left to the etcd version";
    describe(`v3 discovery through the discovery EtcdCluster, ${how}, etcd ${image} members`, () => {
        const deployer = newDeployer();
        let out: { discoveryUrl: string; initialCluster: string; healthReport: string };
        let token = "";

        beforeAll(async () => {
            await removeLeftovers(dockerHosts, cluster);
            out = await deployer.deploy(cluster, () => {
                const c = new EtcdCluster(cluster, t.args(image, { mode: "discovery", discovery: { endpoints: [discEndpoint], ...(protocol ? { protocol } : {}) } }));
                return { discoveryUrl: c.discoveryUrl, initialCluster: c.initialCluster, healthReport: c.healthReport };
            });
        });
        afterAll(async () => {
            try { await deployer.destroy(); } finally { await removeLeftovers(dockerHosts, cluster); }
        });

        it("gave every member the same token and the discovery endpoints, and neither an initial cluster nor a v2 URL", async () => {
            expect(out.discoveryUrl).toBe("");
            expect(out.initialCluster).toBe("");
            expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
            const tokens = new Set<string>();
            for (const [i, h] of hosts.entries()) {
                const env = await envOf(h.dockerHost, t.names[i]);
                expect(env).toEqual(expect.arrayContaining([`ETCD_DISCOVERY_ENDPOINTS=${discEndpoint}`, "ETCD_INITIAL_CLUSTER_STATE=new"]));
                expect(env.filter((e) => /^ETCD_(INITIAL_CLUSTER|DISCOVERY|DISCOVERY_SRV)=/.test(e))).toEqual([]);
                tokens.add(env.find((e) => e.startsWith("ETCD_DISCOVERY_TOKEN="))?.split("=")[1] ?? "");
            }
            expect(tokens.size).toBe(1);
            token = [...tokens][0];
            expect(token).toMatch(tokenPattern);
        });

        it("registered the token on the discovery cluster: its size, and each member under it with its peer URL", async () => {
            expect(token).toMatch(tokenPattern);
            const keys = await discoveryKeys(`/_etcd/registry/${token}/`);
            expect(keys).toContain(`/_etcd/registry/${token}/_config/size=3`);
            const members = keys.filter((k) => k.startsWith(`/_etcd/registry/${token}/members/`)).map((k) => k.split("=").slice(1).join("=")).sort();
            expect(members).toEqual(t.names.map((n, i) => `${n}=${t.ipPeerUrls[i]}`));
        });

        it("passes the manual checks", async () => { await operatorChecks(t, t.ipPeerUrls); });

        it("is destroyed leaving only its data volumes, and the token's keys are removed from the discovery cluster", async () => {
            expect(token).toMatch(tokenPattern);
            await deployer.destroy();
            await expectOnlyDataVolumesLeft(dockerHosts, cluster);
            expect(await discoveryKeys(`/_etcd/registry/${token}/`)).toEqual([]);
        });
    });
}

v3DiscoveryCase("3.6", "bv3-d36", "v3");
v3DiscoveryCase("3.7", "bv3-d37", undefined);

describe(`v2 discovery on etcd ${lab.images["3.7"]} is refused before anything is created, with the fix in the message`, () => {
    const refusals: [string, string, NonNullable<EtcdClusterArgs["bootstrap"]>["discovery"], RegExp][] = [
        ["protocol \"v2\" with the discovery cluster's endpoint", "bv3-v2on37", { protocol: "v2", endpoints: [discEndpoint] },
            /bootstrap\.discovery\.protocol: "v2" cannot be used with etcd 3\.7\.4: etcd 3\.7 removed v2 discovery \(--discovery\).*Use bootstrap\.discovery\.endpoints with protocol "v3"/],
        ["a discovery service (serviceUrl)", "bv3-v2svc37", { serviceUrl: `${discEndpoint}/svc` },
            /bootstrap\.discovery\.serviceUrl: ".*" \(a v2 discovery service\) cannot be used with etcd 3\.7\.4: etcd 3\.7 removed v2 discovery.*Use bootstrap\.discovery\.endpoints with protocol "v3"/],
    ];
    it.each(refusals)("%s", async (_what, cluster, discovery, message) => {
        await removeLeftovers(dockerHosts, cluster);
        const revision = await discoveryRevision();
        const deployer = newDeployer();
        try {
            const attempt = deployer.deploy(cluster, () => {
                new EtcdCluster(cluster, trio(cluster).args(lab.images["3.7"], { mode: "discovery", discovery }));
                return {};
            });
            await expect(attempt).rejects.toThrow(DeploymentError);
            await expect(attempt).rejects.toThrow(message);
            expect(deployer.created.filter((r) => r.type !== "etcd-cluster:index:EtcdCluster")).toEqual([]);
        } finally {
            await deployer.destroy();
        }
        expect(await traces(cluster)).toEqual([]);
        // No token was written either: the discovery cluster saw no write.
        expect(await discoveryRevision()).toBe(revision);
    });
});

describe(`DNS SRV bootstrap through a dnsmasq container the component runs on h2, etcd ${lab.images["3.7"]}`, () => {
    const cluster = "bv3-dns";
    const t = trio(cluster);
    const domain = "bv3.lab";
    const dnsHost = hosts[1];
    const dnsmasqContainer = `${cluster}-dnsmasq`;
    const deployer = newDeployer();
    let out: { dnsmasqConfig: string; clientEndpointList: string[]; healthReport: string; initialCluster: string };

    beforeAll(async () => {
        await ensureDnsmasqImage([dnsHost.dockerHost]);
        await removeLeftovers(dockerHosts, cluster);
        out = await deployer.deploy(cluster, () => {
            const c = new EtcdCluster(cluster, t.args(lab.images["3.7"], {
                mode: "dns",
                dns: { domain, dnsmasq: { container: { host: dnsHost.name, image: dnsmasqTestImage } } },
            }));
            return { dnsmasqConfig: c.dnsmasqConfig, clientEndpointList: c.clientEndpointList, healthReport: c.healthReport, initialCluster: c.initialCluster };
        });
    });
    afterAll(async () => {
        try { await deployer.destroy(); } finally { await removeLeftovers(dockerHosts, cluster); }
    });

    it("runs dnsmasq on h2 only, and dig SRV against h2 gives one answer per member", async () => {
        for (const h of hosts) {
            const ps = await docker(h.dockerHost, "ps", "--filter", `name=^${dnsmasqContainer}$`, "--format", "{{.Names}}");
            expect([h.name, ps.stdout.trim()]).toEqual([h.name, h === dnsHost ? dnsmasqContainer : ""]);
        }
        expect(out.dnsmasqConfig).toContain(`srv-host=_etcd-server._tcp.${domain},${t.names[0]}.${domain},${peerPort},0,100\n`);
        const dig = await run("dig", ["+noall", "+answer", "SRV", `_etcd-server._tcp.${domain}`, `@${dnsHost.address}`, "-p", "53"]);
        expect(dig.code).toBe(0);
        expect(dig.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(6).join(" ")).sort())
            .toEqual(t.names.map((n) => `${peerPort} ${n}.${domain}.`));
        const a = await run("dig", ["+short", "A", `${t.names[2]}.${domain}`, `@${dnsHost.address}`, "-p", "53"]);
        expect(a.stdout.trim()).toBe(hosts[2].address);
    });

    it("members advertise names, use h2 as their DNS server, and found each other by SRV (no initial cluster)", async () => {
        expect(out.clientEndpointList).toEqual(t.names.map((n) => `http://${n}.${domain}:${clientPort}`));
        expect(out.initialCluster).toBe("");
        expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
        for (const [i, h] of hosts.entries()) {
            const env = await envOf(h.dockerHost, t.names[i]);
            expect(env).toEqual(expect.arrayContaining([`ETCD_DISCOVERY_SRV=${domain}`, `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://${t.names[i]}.${domain}:${peerPort}`]));
            expect(env.some((e) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toBe(false);
            const dns = await docker(h.dockerHost, "inspect", "-f", "{{json .HostConfig.Dns}}", t.names[i]);
            expect(JSON.parse(dns.stdout)).toEqual([dnsHost.address]);
        }
    });

    it("passes the manual checks, and endpoint health --cluster by name from inside a member", async () => {
        await operatorChecks(t, t.names.map((n) => `http://${n}.${domain}:${peerPort}`));
        const byName = await etcdctlIn(t.refs[0], "endpoint", "health", "--cluster");
        expect(byName.code).toBe(0);
        for (const n of t.names) expect(byName.stdout + byName.stderr).toContain(`http://${n}.${domain}:${clientPort} is healthy`);
    });

    it("is destroyed leaving only its data volumes (members and dnsmasq)", async () => {
        await deployer.destroy();
        await expectOnlyDataVolumesLeft(dockerHosts, cluster);
        expect((await docker(dnsHost.dockerHost, "ps", "-a", "--filter", `name=^${dnsmasqContainer}$`, "--format", "{{.Names}}")).stdout.trim()).toBe("");
    });
});

// In a describe of its own so that jest reports it last, where it runs: every case above needs the discovery cluster.
describe("the discovery EtcdCluster", () => {
    it("is destroyed leaving only its data volume", async () => {
        await discDeployer.destroy();
        await expectOnlyDataVolumesLeft(dockerHosts, disc.cluster);
    });
});
