/**
 * Discovery-token and DNS SRV bootstrap, for real on the lab's Docker hosts (tests/live/lab) through the live
 * deployer, checked as an operator does it by hand: member list, endpoint health, a put on one member read on another.
 *
 * The test runs its own helpers: a v2 discovery etcd (3.5.16, ETCD_ENABLE_V2=true) on h3, a stand-in for
 * the discovery service (node http on 127.0.0.1), and the dnsmasq image (dnsmasqImage.ts).
 * Members use ports 3379/3380 and the discovery etcd 13379/13380, apart from the static suite's 2379/2380.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { randomBytes } from "crypto";
import { EtcdCluster } from "../../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../../components/args";
import { DeploymentError } from "./pulumi/realDeployer";
import { ensureDnsmasqImage, dnsmasqTestImage } from "./dnsmasqImage";
import {
    DEFAULT_SERIES, docker, etcdctlIn, etcdctlOutside, eventually, expectOnlyDataVolumesLeft, MemberRef, newDeployer, parseMemberList,
    readLab, removeLeftovers, revisionOf, run, watchOnce,
} from "./lab";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(900_000);

const lab = readLab();
const hosts = lab.hosts.slice(0, 3);
const clientPort = 3379;
const peerPort = 3380;
// Names of this file's own: a cluster another suite left behind on these hosts cannot stand in its way.
const names = ["bt-n1", "bt-n2", "bt-n3"];

/** The discovery etcd: on h3, v2 API on, its own ports. */
const disc = { host: hosts[2], container: "bootstrap-live-discovery", clientPort: 13379, peerPort: 13380 };
const discEndpoint = `http://${disc.host.address}:${disc.clientPort}`;

function clusterArgs(image: string, bootstrap: EtcdClusterArgs["bootstrap"], extra: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs {
    return {
        image,
        hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
        members: hosts.map((h, i) => ({ name: names[i], host: h.name, clientPort, peerPort })),
        healthCheck: { timeoutSeconds: 90 },
        bootstrap,
        ...extra,
    };
}

const memberRefs: MemberRef[] = hosts.map((h, i) => ({ dockerHost: h.dockerHost, container: names[i], localClientUrl: `http://127.0.0.1:${clientPort}` }));
const ipEndpoints = hosts.map((h) => `http://${h.address}:${clientPort}`);

async function startDiscoveryEtcd(): Promise<void> {
    await docker(disc.host.dockerHost, "rm", "-f", disc.container);
    const r = await docker(disc.host.dockerHost, "run", "-d", "--name", disc.container, "--network", "host",
        "-e", "ETCD_NAME=discovery", "-e", "ETCD_DATA_DIR=/var/lib/etcd/data", "-e", "ETCD_ENABLE_V2=true",
        "-e", `ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:${disc.clientPort}`, "-e", `ETCD_ADVERTISE_CLIENT_URLS=${discEndpoint}`,
        "-e", `ETCD_LISTEN_PEER_URLS=http://127.0.0.1:${disc.peerPort}`, "-e", `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://127.0.0.1:${disc.peerPort}`,
        "-e", `ETCD_INITIAL_CLUSTER=discovery=http://127.0.0.1:${disc.peerPort}`, lab.images["3.5"]);
    if (r.code !== 0) throw new Error(`could not start the discovery etcd: ${r.stderr}`);
    const up = await eventually(async () => (await run("curl", ["-fsS", "--max-time", "2", `${discEndpoint}/v2/keys`])).code === 0, 30_000, 500);
    if (!up) throw new Error(`the discovery etcd at ${discEndpoint} does not serve /v2/keys: ${(await docker(disc.host.dockerHost, "logs", "--tail", "20", disc.container)).stderr}`);
}

/** The manual checks: three started members, every endpoint healthy, a put through the first member read through the third, a watch through the second. */
async function operatorChecks(expectedPeerUrls: string[]): Promise<void> {
    const list = await etcdctlIn(memberRefs[0], "member", "list");
    expect(list.code).toBe(0);
    const members = parseMemberList(list.stdout).sort((a, b) => a.name.localeCompare(b.name));
    expect(members.map((m) => [m.status, m.name, m.peerUrls])).toEqual(names.map((n, i) => ["started", n, expectedPeerUrls[i]]));
    const health = await etcdctlOutside(ipEndpoints, "endpoint", "health");
    expect(health.code).toBe(0);
    for (const ep of ipEndpoints) expect(health.stdout + health.stderr).toContain(`${ep} is healthy: successfully committed proposal`);
    const key = `/testdir/${randomBytes(4).toString("hex")}`;
    expect((await etcdctlIn(memberRefs[0], "put", key, "Hello world")).stdout.trim()).toBe("OK");
    expect((await etcdctlIn(memberRefs[2], "get", key)).stdout).toBe(`${key}\nHello world\n`);
    const watched = watchOnce(memberRefs[1], "hi", (await revisionOf(memberRefs[1])) + 1);
    expect((await etcdctlIn(memberRefs[2], "put", "hi", "shanyuhai")).code).toBe(0);
    expect(await watched).toBe("PUT\nhi\nshanyuhai\n");
}

async function expectNoLeftovers(cluster: string): Promise<void> {
    await expectOnlyDataVolumesLeft(hosts.map((h) => h.dockerHost), cluster);
}

const ipPeerUrls = hosts.map((h) => `http://${h.address}:${peerPort}`);

beforeAll(async () => {
    await startDiscoveryEtcd();
});

afterAll(async () => {
    await docker(disc.host.dockerHost, "rm", "-f", disc.container);
});

describe("(1) discovery token on a self-hosted v2 discovery etcd, etcd 3.4.23 members", () => {
    const cluster = "boot-v2";
    const deployer = newDeployer();
    let out: { discoveryUrl: string; initialCluster: string; healthReport: string };

    beforeAll(async () => {
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        out = await deployer.deploy(cluster, async () => {
            const c = new EtcdCluster(cluster, clusterArgs(lab.images["3.4"], { mode: "discovery", discovery: { endpoints: [discEndpoint] } }));
            return { discoveryUrl: c.discoveryUrl, initialCluster: c.initialCluster, healthReport: c.healthReport };
        });
    });
    afterAll(async () => { await deployer.destroy(); await removeLeftovers(hosts.map((h) => h.dockerHost), cluster); });

    it("made a token on the discovery etcd and bootstrapped through it (no initial cluster)", async () => {
        expect(out.discoveryUrl).toMatch(new RegExp(`^${discEndpoint}/v2/keys/discovery/[0-9a-f]{32}$`));
        expect(out.initialCluster).toBe("");
        const registered = await run("curl", ["-fsS", `${out.discoveryUrl}?recursive=true`]);
        expect(JSON.parse(registered.stdout).node.nodes.filter((n: { key: string }) => !n.key.endsWith("/_config"))).toHaveLength(3);
        const env = await docker(hosts[0].dockerHost, "inspect", "-f", "{{json .Config.Env}}", names[0]);
        expect(JSON.parse(env.stdout)).toEqual(expect.arrayContaining([`ETCD_DISCOVERY=${out.discoveryUrl}`, "ETCD_INITIAL_CLUSTER_STATE=new"]));
        expect((JSON.parse(env.stdout) as string[]).some((e) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toBe(false);
        expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
    });

    it("passes the manual checks", async () => { await operatorChecks(ipPeerUrls); });

    it("is destroyed leaving only its data volumes, and the token's keys are removed", async () => {
        await deployer.destroy();
        await expectNoLeftovers(cluster);
        expect((await run("curl", ["-fsS", out.discoveryUrl])).code).not.toBe(0);
    });
});

describe(`(2) DNS SRV through a dnsmasq container the component runs on h1, etcd ${DEFAULT_SERIES} (the default line)`, () => {
    const cluster = "boot-dns";
    const domain = "etcd.lab";
    const deployer = newDeployer();
    let out: { dnsmasqConfig: string; clientEndpointList: string[]; healthReport: string };

    beforeAll(async () => {
        await ensureDnsmasqImage(hosts.map((h) => h.dockerHost));
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        out = await deployer.deploy(cluster, async () => {
            const c = new EtcdCluster(cluster, clusterArgs(lab.images[DEFAULT_SERIES], {
                mode: "dns",
                dns: { domain, dnsmasq: { container: { host: hosts[0].name, image: dnsmasqTestImage } } },
            }));
            return { dnsmasqConfig: c.dnsmasqConfig, clientEndpointList: c.clientEndpointList, healthReport: c.healthReport };
        });
    }, 900_000);
    afterAll(async () => { await deployer.destroy(); await removeLeftovers(hosts.map((h) => h.dockerHost), cluster); });

    it("serves the documented SRV records: dig SRV against the dnsmasq on h1 gives one answer per member", async () => {
        expect(out.dnsmasqConfig).toContain(`srv-host=_etcd-server._tcp.${domain},${names[0]}.${domain},${peerPort},0,100\n`);
        const dig = await run("dig", ["+noall", "+answer", "SRV", `_etcd-server._tcp.${domain}`, `@${hosts[0].address}`, "-p", "53"]);
        expect(dig.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(6).join(" ")).sort())
            .toEqual(names.map((n) => `${peerPort} ${n}.${domain}.`));
    });

    it("members advertise names and found each other by SRV (ETCD_DISCOVERY_SRV, no initial cluster)", async () => {
        expect(out.clientEndpointList).toEqual(names.map((n) => `http://${n}.${domain}:${clientPort}`));
        const env = JSON.parse((await docker(hosts[1].dockerHost, "inspect", "-f", "{{json .Config.Env}}", names[1])).stdout) as string[];
        expect(env).toEqual(expect.arrayContaining([`ETCD_DISCOVERY_SRV=${domain}`, `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://${names[1]}.${domain}:${peerPort}`]));
        expect(env.some((e) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toBe(false);
        expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
    });

    it("passes the manual checks, and endpoint health --cluster by name from inside a member", async () => {
        await operatorChecks(names.map((n) => `http://${n}.${domain}:${peerPort}`));
        const byName = await etcdctlIn(memberRefs[1], "endpoint", "health", "--cluster");
        expect(byName.code).toBe(0);
        for (const n of names) expect(byName.stdout + byName.stderr).toContain(`http://${n}.${domain}:${clientPort} is healthy`);
    });

    it("is destroyed leaving only its data volumes (members and dnsmasq)", async () => {
        await deployer.destroy();
        await expectNoLeftovers(cluster);
        expect((await docker(hosts[0].dockerHost, "ps", "-a", "--filter", `name=^${cluster}-dnsmasq$`, "--format", "{{.Names}}")).stdout.trim()).toBe("");
    });
});

it("(3) dns + etcd 3.4.23 + http is refused before anything is created", async () => {
    const deployer = newDeployer();
    try {
        const attempt = deployer.deploy("boot-dns34", async () => {
            new EtcdCluster("boot-dns34", clusterArgs(lab.images["3.4"], {
                mode: "dns", dns: { domain: "etcd.lab", dnsmasq: { container: { host: hosts[0].name, image: dnsmasqTestImage } } },
            }));
            return {};
        });
        await expect(attempt).rejects.toThrow(DeploymentError);
        await expect(attempt).rejects.toThrow(/bootstrap\.mode: "dns" with http peer URLs cannot bootstrap etcd 3\.4\.23.*etcd issue 11321.*Use etcd ≥ 3\.5/);
        expect(deployer.created.filter((r) => r.type !== "etcd-cluster:index:EtcdCluster")).toEqual([]);
    } finally {
        await deployer.destroy();
    }
});

/** A stand-in for discovery.etcd.io: `/new?size=N` creates a token on the v2 discovery etcd and answers its URL. */
async function standInService(answer503 = false): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
    const requests: string[] = [];
    const server = http.createServer(async (req, res) => {
        requests.push(req.url ?? "");
        const m = /^\/new\?size=(\d+)$/.exec(req.url ?? "");
        if (answer503) {
            res.writeHead(503).end("Service Unavailable\n");
        } else if (!m) {
            res.writeHead(404).end("not found\n");
        } else {
            const token = randomBytes(16).toString("hex");
            const key = `${discEndpoint}/v2/keys/discovery/${token}`;
            const put = await fetch(`${key}/_config/size`, { method: "PUT", body: new URLSearchParams({ value: m[1] }) });
            if (put.ok) res.writeHead(200, { "Content-Type": "text/plain" }).end(`${key}\n`);
            else res.writeHead(502).end(`discovery etcd answered ${put.status}\n`);
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("(4) the discovery-service code path, against a local stand-in, etcd 3.5.16", () => {
    const cluster = "boot-svc";
    const deployer = newDeployer();
    let service: Awaited<ReturnType<typeof standInService>>;
    let out: { discoveryUrl: string; healthReport: string };

    beforeAll(async () => {
        service = await standInService();
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        out = await deployer.deploy(cluster, async () => {
            const c = new EtcdCluster(cluster, clusterArgs(lab.images["3.5"], { mode: "discovery", discovery: { serviceUrl: service.url } }));
            return { discoveryUrl: c.discoveryUrl, healthReport: c.healthReport };
        });
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        await service.close();
    });

    it("asked the service once for a token of size 3 and gave its answer to the members", async () => {
        expect(service.requests).toEqual(["/new?size=3"]);
        expect(out.discoveryUrl).toMatch(new RegExp(`^${discEndpoint}/v2/keys/discovery/[0-9a-f]{32}$`));
        const env = JSON.parse((await docker(hosts[2].dockerHost, "inspect", "-f", "{{json .Config.Env}}", names[2])).stdout) as string[];
        expect(env).toContain(`ETCD_DISCOVERY=${out.discoveryUrl}`);
        expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
    });

    it("passes the manual checks", async () => { await operatorChecks(ipPeerUrls); });

    it("is destroyed leaving only its data volumes", async () => {
        await deployer.destroy();
        await expectNoLeftovers(cluster);
    });

    it("a service answering 503 fails the deployment with the clear message, before any member exists", async () => {
        const down = await standInService(true);
        const failing = newDeployer();
        try {
            const attempt = failing.deploy("boot-503", async () => {
                new EtcdCluster("boot-503", clusterArgs(lab.images["3.5"], { mode: "discovery", discovery: { serviceUrl: down.url, attempts: 2 } }));
                return {};
            });
            await expect(attempt).rejects.toThrow(/answered 503 Service Unavailable \(2 attempts\)\. The public discovery\.etcd\.io is no longer maintained/);
            expect(down.requests).toEqual(["/new?size=3", "/new?size=3"]);
            expect(failing.created.filter((r) => r.type === "docker:index/container:Container")).toEqual([]);
        } finally {
            await failing.destroy();
            await down.close();
        }
        await expectNoLeftovers("boot-503");
    });
});
