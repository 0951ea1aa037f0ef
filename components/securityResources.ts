/**
 * The resources of a secure cluster: the CA and certificates (`tls.mode: "auto"`, @pulumi/tls), the root
 * password (@pulumi/random) and the command that creates the root user and enables authentication. What to
 * create is decided by the pure plan (security.ts); this file only creates children of the component.
 *
 * Every private key, the client certificate and the password are wrapped in `pulumi.secret` here, whatever the
 * provider marks, so they stay secret in every output and in the state of every resource they flow into.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { healthCheckSpec } from "./scripts/healthCheck";
import { rootPasswordEnv, tlsEnvName } from "./scripts/shell";
import { authEnableScript } from "./scripts/auth";
import type { ClusterPlan } from "./plan/cluster";
import { CertSans, clientCommonName, TlsMaterial } from "./plan/security";
import type { ResolvedCluster } from "./resolve/model";

/** PEM material of a TLS cluster: what the uploads of each member are made of. */
export interface TlsMaterials {
    ca: pulumi.Output<string>;
    clientCert: pulumi.Output<string>;
    clientKey: pulumi.Output<string>;
    members: Record<string, { serverCert: pulumi.Output<string>; serverKey: pulumi.Output<string>; peerCert: pulumi.Output<string>; peerKey: pulumi.Output<string> }>;
}

/** Key usages of member certificates: etcd uses the server certificate as a client too (grpc gateway), peers both ways. */
const memberUses = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];

/** Creates (auto) or wraps (provided) the TLS material; undefined without TLS. */
export function createTlsMaterials(name: string, cluster: ResolvedCluster, plan: ClusterPlan, parent: pulumi.Resource): TlsMaterials | undefined {
    const t = cluster.tls;
    if (t.mode === "off") return undefined;
    if (t.mode === "provided") {
        const p = t.provided!;
        const members: TlsMaterials["members"] = {};
        for (const m of plan.members) {
            const given = p.members[m.name];
            const cert = pulumi.output(given.cert);
            const key = pulumi.secret(given.key);
            members[m.name] = { serverCert: cert, serverKey: key, peerCert: cert, peerKey: key };
        }
        return { ca: pulumi.output(p.ca), clientCert: pulumi.secret(p.client.cert), clientKey: pulumi.secret(p.client.key), members };
    }
    const opts = { parent };
    const newKey = (id: string) => new tls.PrivateKey(id, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
    const caKey = newKey(`${name}-ca-key`);
    const ca = new tls.SelfSignedCert(`${name}-ca`, {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: `${cluster.clusterName} etcd CA` },
        validityPeriodHours: t.validityHours,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    }, opts);
    const issue = (id: string, commonName: string, sans: CertSans, allowedUses: string[]) => {
        const key = newKey(`${id}-key`);
        const csr = new tls.CertRequest(`${id}-csr`, {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName },
            dnsNames: sans.dnsNames,
            ipAddresses: sans.ipAddresses,
        }, opts);
        const cert = new tls.LocallySignedCert(id, {
            certRequestPem: csr.certRequestPem,
            caPrivateKeyPem: caKey.privateKeyPem,
            caCertPem: ca.certPem,
            validityPeriodHours: t.validityHours,
            allowedUses,
        }, opts);
        return { cert: cert.certPem, key: pulumi.secret(key.privateKeyPem) };
    };
    const members: TlsMaterials["members"] = {};
    for (const m of plan.members) {
        const server = issue(`${name}-${m.name}-server`, m.name, m.certSans, memberUses);
        const peer = issue(`${name}-${m.name}-peer`, m.name, m.certSans, memberUses);
        members[m.name] = { serverCert: server.cert, serverKey: server.key, peerCert: peer.cert, peerKey: peer.key };
    }
    const client = issue(`${name}-client`, clientCommonName, { dnsNames: [], ipAddresses: [] }, ["digital_signature", "key_encipherment", "client_auth"]);
    return { ca: ca.certPem, clientCert: pulumi.secret(client.cert), clientKey: client.key, members };
}

/** The Docker `uploads` of one member: the plan's files filled with that member's material. */
export function memberUploads(plan: ClusterPlan["members"][number], materials: TlsMaterials | undefined): docker.types.input.ContainerUpload[] | undefined {
    if (!materials || plan.uploads.length === 0) return undefined;
    const own = materials.members[plan.name];
    const content: Record<TlsMaterial, pulumi.Output<string>> = {
        ca: materials.ca,
        serverCert: own.serverCert,
        serverKey: own.serverKey,
        peerCert: own.peerCert,
        peerKey: own.peerKey,
        clientCert: materials.clientCert,
        clientKey: materials.clientKey,
    };
    return plan.uploads.map((u) => ({ file: u.file, content: content[u.material], permissions: u.permissions }));
}

/** The root password: given (made secret) or generated and kept in state; undefined without auth. */
export function createRootPassword(name: string, cluster: ResolvedCluster, parent: pulumi.Resource): pulumi.Output<string> | undefined {
    if (!cluster.auth.enabled) return undefined;
    if (cluster.auth.rootPassword !== undefined) return pulumi.secret(cluster.auth.rootPassword);
    // Letters and digits only: etcdctl reads the password from stdin up to the first blank.
    return pulumi.secret(new random.RandomPassword(`${name}-root-password`, { length: 32, special: false }, { parent }).result);
}

/**
 * Environment of every command that reaches the Docker hosts with the docker CLI: tcp hosts' TLS PEMs (keys as
 * secrets) and, with auth, the root password. Never argv.
 */
export function commandEnvironment(plan: ClusterPlan, rootPassword: pulumi.Output<string> | undefined): Record<string, pulumi.Input<string>> {
    const environment: Record<string, pulumi.Input<string>> = {};
    plan.hosts.forEach((h, i) => {
        if (h.host.scheme === "tcp") {
            environment[tlsEnvName(i, "ca")] = h.host.caMaterial!;
            environment[tlsEnvName(i, "cert")] = h.host.certMaterial!;
            environment[tlsEnvName(i, "key")] = pulumi.secret(h.host.keyMaterial!);
        }
    });
    if (rootPassword !== undefined) environment[rootPasswordEnv] = rootPassword;
    return environment;
}

/**
 * The command that creates the root user and enables authentication once the cluster is healthy (after
 * `dependsOn`). Idempotent: run again (new containers, a second `up`), it finds auth on and changes nothing.
 */
export function createAuthCommand(
    name: string,
    cluster: ResolvedCluster,
    plan: ClusterPlan,
    rootPassword: pulumi.Output<string>,
    triggers: pulumi.Input<string>[],
    dependsOn: pulumi.Resource[],
    parent: pulumi.Resource,
): command.local.Command {
    const spec = healthCheckSpec(name, plan, cluster.healthCheck.timeoutSeconds);
    return new command.local.Command(`${name}-auth`, {
        create: authEnableScript({
            clusterName: name,
            hosts: spec.hosts,
            probes: spec.probes,
            etcdctlFlags: plan.etcdctlFlags,
            timeoutSeconds: cluster.healthCheck.timeoutSeconds,
        }),
        environment: commandEnvironment(plan, rootPassword),
        // The script never prints the password; still, nothing of this command goes to the engine's log.
        logging: "none",
        triggers,
    }, { parent, dependsOn });
}
