/**
 * Secure clusters (issue 5) for real on the lab's Docker hosts, through the live deployer (which performs the
 * @pulumi/tls resources too): TLS with certificates the component makes, authentication, and DNS bootstrap over
 * https on etcd 3.4.23; TLS and auth on the default line (3.7 too in the full matrix). Checked from outside with the Debian etcdctl and the component's own outputs (CA,
 * client certificate and key, root password) written to temp files / passed in the environment.
 * Ports 5379/5380 and cluster names `secure-*`, apart from the other live suites.
 */
import * as fs from "fs";
import { randomBytes } from "crypto";
import { EtcdCluster } from "../../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../../components/args";
import { clusterAccess } from "../../components/scripts/access";
import { planCluster } from "../../components/plan/cluster";
import { authEnableScript } from "../../components/scripts/auth";
import { rootPasswordEnv } from "../../components/scripts/shell";
import { resolveClusterArgs } from "../../components/resolve/cluster";
import { ensureDnsmasqImage, dnsmasqTestImage } from "./dnsmasqImage";
import { ClientTlsFiles, DEFAULT_SERIES, docker, etcdctlTls, eventually, expectOnlyDataVolumesLeft, newDeployer, parseMemberList, readLab, removeLeftovers, run, runWithEnv, writeClientTls } from "./lab";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(900_000);

const lab = readLab();
const hosts = lab.hosts.slice(0, 3);
const clientPort = 5379;
const peerPort = 5380;
// Names of this file's own: a cluster another suite left behind on these hosts cannot stand in its way.
const names = ["tls-n1", "tls-n2", "tls-n3"];

function clusterArgs(image: string, extra: Partial<EtcdClusterArgs>): EtcdClusterArgs {
    return {
        image,
        hosts: hosts.map((h) => ({ name: h.name, url: h.dockerHost })),
        members: hosts.map((h, i) => ({ name: names[i], host: h.name, clientPort, peerPort })),
        healthCheck: { timeoutSeconds: 90 },
        ...extra,
    };
}

const ipEndpoints = hosts.map((h) => `https://${h.address}:${clientPort}`);

interface SecureOutputs {
    clientEndpointList: string[];
    peerUrls: string[];
    caCertificate: string;
    clientCertificate: string;
    clientKey: string;
    rootPassword: string;
    healthReport: string;
    authReport: string;
    dnsmasqConfig: string;
}

const secureOutputs = (c: EtcdCluster) => ({
    clientEndpointList: c.clientEndpointList, peerUrls: c.peerUrls, caCertificate: c.caCertificate, clientCertificate: c.clientCertificate,
    clientKey: c.clientKey, rootPassword: c.rootPassword, healthReport: c.healthReport, authReport: c.authReport, dnsmasqConfig: c.dnsmasqConfig,
});

/** Files of one member container as `tar -tv` lists them (mode, owner, path), without a shell in the image. */
async function pkiListing(dockerHost: string, container: string): Promise<string> {
    const r = await run("sh", ["-c", 'docker -H "$1" cp "$2":/etc/etcd/pki - | tar --numeric-owner -tvf -', "sh", dockerHost, container]);
    if (r.code !== 0) throw new Error(r.stderr);
    return r.stdout;
}

describe.each([DEFAULT_SERIES, "3.7"] as const)("etcd %s: TLS (auto) and auth on three lab hosts", (series) => {
    const cluster = `secure-tls${series.replace(".", "")}`;
    const args = clusterArgs(lab.images[series], { tls: { mode: "auto" }, auth: { enabled: true } });
    const deployer = newDeployer();
    let out: SecureOutputs;
    let files: ClientTlsFiles;
    const root = () => `root:${out.rootPassword}`;

    beforeAll(async () => {
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        out = await deployer.deploy(cluster, async () => secureOutputs(new EtcdCluster(cluster, args))) as unknown as SecureOutputs;
        files = writeClientTls(out.caCertificate, out.clientCertificate, out.clientKey);
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        if (files) fs.rmSync(files.dir, { recursive: true, force: true });
    });

    it("exports https endpoints, a CA, a client certificate and key, and a root password", () => {
        expect(out.clientEndpointList).toEqual(ipEndpoints);
        expect(out.peerUrls).toEqual(hosts.map((h) => `https://${h.address}:${peerPort}`));
        expect(out.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(out.clientCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(out.clientKey).toMatch(/PRIVATE KEY-----/);
        expect(out.rootPassword).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(out.healthReport).toMatch(new RegExp(`^etcd cluster ${cluster}: 3 of 3 members started and healthy`));
        // etcd-client: the user named like the client certificate's CN (no role), so requests made with that
        // certificate alone are not logged as "cannot find a user for permission check".
        expect(out.authReport).toMatch(/created user root; created user etcd-client \(no role: the client certificate's name\); granted role root to root; authentication enabled/);
    });

    it("member list (as root) shows three started members with https URLs; endpoint health is healthy everywhere", async () => {
        const list = await etcdctlTls(ipEndpoints, files, { user: root() }, "member", "list");
        expect(list.stderr).toBe("");
        expect(parseMemberList(list.stdout).map((m) => [m.status, m.name, m.peerUrls, m.clientUrls]).sort())
            .toEqual(names.map((n, i) => ["started", n, out.peerUrls[i], ipEndpoints[i]]));
        const health = await etcdctlTls(ipEndpoints, files, {}, "endpoint", "health");
        expect(health.code).toBe(0);
        for (const ep of ipEndpoints) expect(health.stdout + health.stderr).toContain(`${ep} is healthy: successfully committed proposal`);
    });

    it("a put without credentials is refused; with root's it succeeds and is read through another member", async () => {
        const key = `/secure/${randomBytes(4).toString("hex")}`;
        const anonymous = await etcdctlTls([ipEndpoints[0]], files, {}, "put", key, "nope");
        expect(anonymous.code).not.toBe(0);
        expect(anonymous.stderr).toMatch(/user name not found|permission denied|user name is empty/);
        expect((await etcdctlTls([ipEndpoints[0]], files, { user: root() }, "put", key, "Hello world")).stdout.trim()).toBe("OK");
        expect((await etcdctlTls([ipEndpoints[2]], files, { user: root() }, "get", key)).stdout).toBe(`${key}\nHello world\n`);
        expect((await etcdctlTls([ipEndpoints[1]], files, { user: "root:wrong-password" }, "get", key)).code).not.toBe(0);
    });

    it("a client without a certificate is refused, and so is plain http", async () => {
        const noCert = await etcdctlTls([ipEndpoints[0]], files, { withCert: false, user: root() }, "get", "/secure", "--prefix");
        expect(noCert.code).not.toBe(0);
        const http = await run("etcdctl", [`--endpoints=http://${hosts[0].address}:${clientPort}`, "--dial-timeout=3s", "--command-timeout=5s", "endpoint", "health"]);
        expect(http.code).not.toBe(0);
        const curl = await run("curl", ["-sS", "--max-time", "5", "--cacert", files.cacert, `${ipEndpoints[0]}/health`]);
        expect(curl.code).not.toBe(0); // the TLS handshake needs a client certificate
    });

    it("keys reach the containers as uploads, not host paths, and are not world-readable; no secret in any container's env", async () => {
        for (const [i, h] of hosts.entries()) {
            const listing = await pkiListing(h.dockerHost, names[i]);
            for (const f of ["server.key", "peer.key", "client.key"]) expect(listing).toMatch(new RegExp(`^-rw------- 0/0 .* pki/${f.replace(".", "\\.")}$`, "m"));
            for (const f of ["ca.crt", "server.crt", "peer.crt", "client.crt"]) expect(listing).toMatch(new RegExp(`^-rw-r--r-- 0/0 .* pki/${f.replace(".", "\\.")}$`, "m"));
            const mounts = await docker(h.dockerHost, "inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}};{{end}}", names[i]);
            expect(mounts.stdout.trim()).toBe(`volume ${names[i]}-data /var/lib/etcd;`);
            const env = await docker(h.dockerHost, "inspect", "-f", "{{json .Config.Env}}", names[i]);
            expect(JSON.parse(env.stdout)).toEqual(expect.arrayContaining([
                "ETCD_CLIENT_CERT_AUTH=true", "ETCD_PEER_CLIENT_CERT_AUTH=true", "ETCD_CERT_FILE=/etc/etcd/pki/server.crt",
                `ETCD_ADVERTISE_CLIENT_URLS=${ipEndpoints[i]}`,
            ]));
            expect(env.stdout).not.toContain(out.rootPassword);
            expect(env.stdout).not.toContain("PRIVATE KEY");
            // The native healthcheck (exec form, with the client certificate) reports healthy after its first runs.
            const healthy = await eventually(async () => (await docker(h.dockerHost, "inspect", "-f", "{{.State.Health.Status}}", names[i])).stdout.trim() === "healthy", 45_000);
            expect(healthy).toBe(true);
        }
    });

    it("the auth command is idempotent: run again against the running cluster it succeeds and changes nothing", async () => {
        const resolved = resolveClusterArgs(cluster, args);
        const plan = planCluster(resolved);
        const script = authEnableScript({ ...clusterAccess(cluster, plan), timeoutSeconds: 30 });
        const usersBefore = await etcdctlTls(ipEndpoints, files, { user: root() }, "user", "list");
        const again = await runWithEnv("sh", ["-c", script], { [rootPasswordEnv]: out.rootPassword }, 120_000);
        expect(again.stderr).toBe("");
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/authentication already enabled and root's password works; nothing changed/);
        expect((await etcdctlTls(ipEndpoints, files, { user: root() }, "user", "list")).stdout).toBe(usersBefore.stdout);
        expect(usersBefore.stdout).toBe("etcd-client\nroot\n");
        // With a wrong password it fails and says why, rather than silently succeeding.
        const wrong = await runWithEnv("sh", ["-c", script], { [rootPasswordEnv]: "not-the-password" }, 120_000);
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr).toMatch(/authentication is enabled, but root's password is refused/);
    });

    it("a second deployment of the same config changes nothing", async () => {
        // Deployed again to the same stack, every resource comes with exactly the inputs it was created with
        // (the deployer compares them with its state, as the engine's diff does), so nothing is touched.
        const again = await deployer.deploy(cluster, async () => secureOutputs(new EtcdCluster(cluster, args))) as unknown as SecureOutputs;
        expect(deployer.unchanged.length).toBeGreaterThan(20);
        expect(deployer.unchanged).toEqual(expect.arrayContaining([
            `random:index/randomPassword:RandomPassword ${cluster}-root-password`,
            `docker:index/container:Container ${cluster}-${names[0]}`,
        ]));
        expect([again.rootPassword, again.caCertificate, again.healthReport]).toEqual([out.rootPassword, out.caCertificate, out.healthReport]);
    });

    it("is destroyed leaving only its data volumes", async () => {
        await deployer.destroy();
        await expectOnlyDataVolumesLeft(hosts.map((h) => h.dockerHost), cluster);
    });
});

describe("DNS SRV bootstrap over https (_etcd-server-ssl) on etcd 3.4.23, dnsmasq container on h1", () => {
    const cluster = "secure-dns34";
    const domain = "secure.lab";
    const deployer = newDeployer();
    let out: SecureOutputs;
    let files: ClientTlsFiles;

    beforeAll(async () => {
        await ensureDnsmasqImage(hosts.map((h) => h.dockerHost));
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        out = await deployer.deploy(cluster, async () => secureOutputs(new EtcdCluster(cluster, clusterArgs(lab.images["3.4"], {
            tls: { mode: "auto" },
            bootstrap: { mode: "dns", dns: { domain, dnsmasq: { container: { host: hosts[0].name, image: dnsmasqTestImage } } } },
        })))) as unknown as SecureOutputs;
        files = writeClientTls(out.caCertificate, out.clientCertificate, out.clientKey);
    });
    afterAll(async () => {
        await deployer.destroy();
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        if (files) fs.rmSync(files.dir, { recursive: true, force: true });
    });

    it("serves _etcd-server-ssl records and the members bootstrapped from them with https peer URLs", async () => {
        expect(out.dnsmasqConfig).toContain(`srv-host=_etcd-server-ssl._tcp.${domain},${names[0]}.${domain},${peerPort},0,100\n`);
        const dig = await run("dig", ["+noall", "+answer", "SRV", `_etcd-server-ssl._tcp.${domain}`, `@${hosts[0].address}`, "-p", "53"]);
        expect(dig.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(6).join(" ")).sort()).toEqual(names.map((n) => `${peerPort} ${n}.${domain}.`));
        const env = await docker(hosts[0].dockerHost, "inspect", "-f", "{{json .Config.Env}}", names[0]);
        expect(JSON.parse(env.stdout)).toEqual(expect.arrayContaining([`ETCD_DISCOVERY_SRV=${domain}`, `ETCD_INITIAL_ADVERTISE_PEER_URLS=https://${names[0]}.${domain}:${peerPort}`]));
        expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
    });

    it("member list and endpoint health through the client certificate; a put on one member is read on another", async () => {
        const list = await etcdctlTls(ipEndpoints, files, {}, "member", "list");
        expect(list.stderr).toBe("");
        expect(parseMemberList(list.stdout).map((m) => [m.status, m.name, m.peerUrls]).sort())
            .toEqual(names.map((n) => ["started", n, `https://${n}.${domain}:${peerPort}`]));
        const health = await etcdctlTls(ipEndpoints, files, {}, "endpoint", "health");
        expect(health.code).toBe(0);
        const key = `/secure/${randomBytes(4).toString("hex")}`;
        expect((await etcdctlTls([ipEndpoints[0]], files, {}, "put", key, "over-tls")).stdout.trim()).toBe("OK");
        expect((await etcdctlTls([ipEndpoints[2]], files, {}, "get", key, "--print-value-only")).stdout).toBe("over-tls\n");
        expect((await etcdctlTls([ipEndpoints[1]], files, { withCert: false }, "get", key)).code).not.toBe(0);
    });

    it("is destroyed leaving only its data volumes", async () => {
        await deployer.destroy();
        await expectOnlyDataVolumesLeft(hosts.map((h) => h.dockerHost), cluster);
    });
});

describe("auth without TLS on three lab hosts, etcd 3.4.23", () => {
    const cluster = "secure-auth34";
    const deployer = newDeployer();
    let out: SecureOutputs;
    const endpoints = hosts.map((h) => `http://${h.address}:${clientPort}`);

    beforeAll(async () => {
        await removeLeftovers(hosts.map((h) => h.dockerHost), cluster);
        out = await deployer.deploy(cluster, async () => secureOutputs(new EtcdCluster(cluster, clusterArgs(lab.images["3.4"], { auth: { enabled: true } })))) as unknown as SecureOutputs;
    });
    afterAll(async () => { await deployer.destroy(); await removeLeftovers(hosts.map((h) => h.dockerHost), cluster); });

    it("enables auth after the health check passed; anonymous writes are refused, root's succeed; members report healthy to Docker", async () => {
        expect(out.healthReport).toMatch(/3 of 3 members started and healthy/);
        // No TLS, so no client certificate and no user named after one.
        expect(out.authReport).toMatch(/created user root; granted role root to root; authentication enabled/);
        const anonymous = await runWithEnv("etcdctl", [`--endpoints=${endpoints[0]}`, "--command-timeout=5s", "put", "/a", "b"], {});
        expect(anonymous.code).not.toBe(0);
        expect(anonymous.stderr).toMatch(/user name is empty/);
        const asRoot = await runWithEnv("etcdctl", [`--endpoints=${endpoints[0]}`, "--command-timeout=5s", "put", "/a", "b"], { ETCDCTL_USER: `root:${out.rootPassword}` });
        expect(asRoot.stdout.trim()).toBe("OK");
        for (const [i, h] of hosts.entries()) {
            const ok = await eventually(async () => (await docker(h.dockerHost, "inspect", "-f", "{{.State.Health.Status}}", names[i])).stdout.trim() === "healthy", 30_000);
            expect(ok).toBe(true); // the Docker healthcheck asks `endpoint status`, which needs no credentials
        }
    });

    it("is destroyed leaving only its data volumes", async () => {
        await deployer.destroy();
        await expectOnlyDataVolumesLeft(hosts.map((h) => h.dockerHost), cluster);
    });
});
