/** EtcdCluster with tls/auth under the mock runtime: which resources appear, how they are wired, and that secrets stay secret. */
import * as pulumi from "@pulumi/pulumi";
import { clusterCommands, created, installMocks, ofType, promiseOf, settled, unwrap } from "../mockRuntime";
import { labHosts, labMembers } from "../fixtures";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../../../components/args";

installMocks();

const hosts = labHosts;
const three = labMembers;
const base = (over: Partial<EtcdClusterArgs>): EtcdClusterArgs => ({ image: "local/etcd:v3.5.16", hosts, members: three, ...over });


const secretOutputs = ["clientCertificate", "clientKey", "rootPassword"] as const;
const plainOutputs = ["clientEndpoints", "clientEndpointList", "peerUrls", "initialCluster", "discoveryUrl", "dnsmasqConfig", "memberNames",
    "etcdctlEnv", "healthReport", "caCertificate", "authReport"] as const;

async function deploy(name: string, args: EtcdClusterArgs) {
    const before = created.length;
    const cluster = new EtcdCluster(name, args);
    await settled(cluster);
    const all = [...secretOutputs, ...plainOutputs];
    const values = await promiseOf(pulumi.all(all.map((k) => cluster[k] as pulumi.Output<unknown>)));
    const secrets = await Promise.all(all.map((k) => pulumi.isSecret(cluster[k] as pulumi.Output<unknown>)));
    const out: Record<string, { value: unknown; secret: boolean }> = {};
    all.forEach((k, i) => { out[k] = { value: values[i], secret: secrets[i] }; });
    await promiseOf(pulumi.all(Object.values(cluster.containers).map((c) => c.id)));
    const resources = created.slice(before);
    return { out, resources, byName: (n: string) => resources.find((r) => r.name === n && r.custom !== false)! }; // not the EtcdMember of the same name
}

/** Every secret text the program knows, in the forms the mocks produce. */
const secretTexts = ["PRIVATE KEY", "generated-password-of", "given-S3cret-pw"];

function expectNoSecretsOutsideSecrets(r: Awaited<ReturnType<typeof deploy>>) {
    for (const c of ofType("command:local:Command", r.resources)) {
        for (const field of ["create", "update", "delete", "triggers"]) {
            const text = JSON.stringify(c.inputs[field] ?? "");
            for (const s of secretTexts) expect(text).not.toContain(s);
        }
        const env = unwrap(c.inputs.environment ?? {});
        if ("ETCD_ROOT_PASSWORD" in env.value) expect(env.secret).toBe(true);
    }
    for (const c of ofType("docker:index/container:Container", r.resources)) {
        const text = JSON.stringify([c.inputs.envs, c.inputs.healthcheck, c.inputs.labels, c.inputs.command]);
        for (const s of secretTexts) expect(text).not.toContain(s);
    }
    for (const k of plainOutputs) {
        for (const s of secretTexts) expect(JSON.stringify(r.out[k].value)).not.toContain(s);
    }
    for (const k of secretOutputs) expect(r.out[k].secret).toBe(true);
}

describe("tls off, auth off (the default)", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => { r = await deploy("plain", base({})); });

    it("creates no TLS or password resources, no auth command and no uploads", () => {
        expect(r.resources.filter((x) => x.type.startsWith("tls:"))).toEqual([]);
        expect(ofType("random:index/randomPassword:RandomPassword", r.resources)).toEqual([]);
        expect(clusterCommands(r.resources)).toEqual(["plain-retained-volumes", "plain-membership-check", "plain-rollout-snapshot", "plain-health"]);
        expect(r.byName("plain-etcd-n1").inputs.uploads).toBeUndefined();
        // Without a password in its environment the health check logs as before.
        expect(r.byName("plain-health").inputs.logging).toBeUndefined();
    });

    it("still exports the secret outputs as (empty) secrets", () => {
        for (const k of secretOutputs) expect(r.out[k]).toEqual({ value: "", secret: true });
        expect(r.out.caCertificate.value).toBe("");
        expectNoSecretsOutsideSecrets(r);
    });
});

describe("tls auto + auth on (generated password)", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => { r = await deploy("sec", base({ tls: { mode: "auto" }, auth: { enabled: true } })); });

    it("creates a CA, per member a server and a peer certificate, one client certificate, and a root password", () => {
        const count = (t: string) => ofType(t, r.resources).length;
        expect(count("tls:index/privateKey:PrivateKey")).toBe(1 + 3 * 2 + 1);
        expect(count("tls:index/selfSignedCert:SelfSignedCert")).toBe(1);
        expect(count("tls:index/certRequest:CertRequest")).toBe(3 * 2 + 1);
        expect(count("tls:index/locallySignedCert:LocallySignedCert")).toBe(3 * 2 + 1);
        expect(count("random:index/randomPassword:RandomPassword")).toBe(1);
        expect(r.byName("sec-ca").inputs).toMatchObject({ isCaCertificate: true, allowedUses: ["cert_signing", "crl_signing", "digital_signature"] });
        expect(r.byName("sec-etcd-n2-server-csr").inputs).toMatchObject({ subject: { commonName: "etcd-n2" }, dnsNames: ["localhost"], ipAddresses: ["10.77.0.12", "127.0.0.1"] });
        expect(r.byName("sec-etcd-n2-peer").inputs.allowedUses).toEqual(["digital_signature", "key_encipherment", "server_auth", "client_auth"]);
        expect(r.byName("sec-client-csr").inputs.subject).toEqual({ commonName: "etcd-client" });
        expect(r.byName("sec-client").inputs.allowedUses).toEqual(["digital_signature", "key_encipherment", "client_auth"]);
        expect(r.byName("sec-root-password").inputs).toMatchObject({ length: 32, special: false });
    });

    it("uploads each member's own certificates and the client certificate, keys 0600 and secret", () => {
        const wrapped = unwrap(r.byName("sec-etcd-n2").inputs.uploads);
        expect(wrapped.secret).toBe(true);
        const uploads = wrapped.value as { file: string; content: unknown; permissions: string }[];
        expect(uploads.map((u) => [u.file, u.permissions])).toEqual([
            ["/etc/etcd/pki/ca.crt", "0644"], ["/etc/etcd/pki/server.crt", "0644"], ["/etc/etcd/pki/server.key", "0600"],
            ["/etc/etcd/pki/peer.crt", "0644"], ["/etc/etcd/pki/peer.key", "0600"], ["/etc/etcd/pki/client.crt", "0644"], ["/etc/etcd/pki/client.key", "0600"],
        ]);
        const byFile = (f: string) => uploads.find((u) => u.file.endsWith(f))!.content;
        expect(byFile("server.crt")).toBe("-----BEGIN CERTIFICATE-----sec-etcd-n2-server");
        expect(byFile("ca.crt")).toBe("-----BEGIN CERTIFICATE-----sec-ca");
        expect(byFile("peer.key")).toBe("-----BEGIN PRIVATE KEY-----sec-etcd-n2-peer-key");
        expect(byFile("client.key")).toBe("-----BEGIN PRIVATE KEY-----sec-client-key");
    });

    it("runs the auth command after the health check, with the password in its environment only, logging off", () => {
        const auth = r.byName("sec-auth");
        expect(auth.inputs.logging).toBe("none");
        expect(unwrap(auth.inputs.environment)).toEqual({ secret: true, value: { ETCD_ROOT_PASSWORD: "generated-password-of-sec-root-password" } });
        expect(auth.inputs.create).toContain("user add root --interactive=false");
        expect(unwrap(r.byName("sec-health").inputs.environment)).toEqual({ secret: true, value: { ETCD_ROOT_PASSWORD: "generated-password-of-sec-root-password" } });
        // The health check carries root's password too: nothing of it goes to the engine's log either.
        expect(r.byName("sec-health").inputs.logging).toBe("none");
        expect(r.byName("sec-health").inputs.create).toContain("-e ETCDCTL_USER");
    });

    it("exports the client certificate, key and root password as secrets, the CA in the clear", () => {
        expect(r.out.clientKey.value).toBe("-----BEGIN PRIVATE KEY-----sec-client-key");
        expect(r.out.rootPassword.value).toBe("generated-password-of-sec-root-password");
        expect(r.out.caCertificate).toEqual({ value: "-----BEGIN CERTIFICATE-----sec-ca", secret: false });
        expect(r.out.clientEndpointList.value).toEqual(["https://10.77.0.11:2379", "https://10.77.0.12:2379", "https://10.77.0.13:2379"]);
        expectNoSecretsOutsideSecrets(r);
    });
});

describe("tls provided + a given root password", () => {
    const key = (n: string) => pulumi.secret(`-----BEGIN PRIVATE KEY-----given-${n}`);
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => {
        r = await deploy("byo", base({
            tls: {
                mode: "provided",
                provided: {
                    ca: "-----BEGIN CERTIFICATE-----given-ca",
                    members: Object.fromEntries(three.map((m) => [m.name, { cert: `-----BEGIN CERTIFICATE-----given-${m.name}`, key: key(m.name) }])),
                    client: { cert: "-----BEGIN CERTIFICATE-----given-client", key: key("client") },
                },
            },
            auth: { enabled: true, rootPassword: "given-S3cret-pw" },
        }));
    });

    it("creates no certificates or password, and uploads the given PEMs (member cert as server and peer cert)", () => {
        expect(r.resources.filter((x) => x.type.startsWith("tls:") || x.type.includes("randomPassword"))).toEqual([]);
        const uploads = unwrap(r.byName("byo-etcd-n3").inputs.uploads).value as { file: string; content: unknown }[];
        const byFile = (f: string) => JSON.stringify(uploads.find((u) => u.file.endsWith(f))!.content);
        expect(byFile("server.crt")).toContain("given-etcd-n3");
        expect(byFile("peer.crt")).toContain("given-etcd-n3");
        expect(byFile("peer.key")).toContain("given-etcd-n3");
        expect(byFile("ca.crt")).toContain("given-ca");
        expect(unwrap(r.byName("byo-auth").inputs.environment)).toEqual({ secret: true, value: { ETCD_ROOT_PASSWORD: "given-S3cret-pw" } });
    });

    it("keeps the given password and the client material secret in every output", () => {
        expect(r.out.rootPassword).toEqual({ value: "given-S3cret-pw", secret: true });
        expect(r.out.clientCertificate).toEqual({ value: "-----BEGIN CERTIFICATE-----given-client", secret: true });
        expectNoSecretsOutsideSecrets(r);
    });
});

describe("auth with the health check disabled", () => {
    it("still runs the auth command (its script waits for a member itself)", async () => {
        const r = await deploy("nohc", base({ auth: { enabled: true }, healthCheck: { enabled: false } }));
        expect(clusterCommands(r.resources)).toEqual(["nohc-retained-volumes", "nohc-membership-check", "nohc-rollout-snapshot", "nohc-auth"]);
        expectNoSecretsOutsideSecrets(r);
    });
});
