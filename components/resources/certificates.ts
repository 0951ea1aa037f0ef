/**
 * The TLS material of a secure cluster. `tls.mode: "auto"`: a CA and a client certificate for the cluster, and per
 * member a server and a peer certificate (@pulumi/tls, kept in state); `provided`: the user's PEMs. What each
 * certificate covers is planned in plan/security.ts; here it is only created.
 *
 * Every private key and the client certificate are wrapped in `pulumi.secret` here, whatever the provider marks,
 * so they stay secret in every output and in the state of every resource they flow into.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as tls from "@pulumi/tls";
import type { MemberPlan } from "../plan/member";
import { CertSans, clientCommonName, TlsMaterial } from "../plan/security";
import type { ResolvedCluster } from "../resolve/model";

/** A member's own certificates and keys (PEM). */
export interface MemberTlsMaterial {
    serverCert: pulumi.Output<string>;
    serverKey: pulumi.Output<string>;
    peerCert: pulumi.Output<string>;
    peerKey: pulumi.Output<string>;
}

/** What the cluster hands every member: the shared PEMs, and how the member gets its own. */
export interface ClusterTls {
    ca: pulumi.Output<string>;
    clientCert: pulumi.Output<string>;
    clientKey: pulumi.Output<string>;
    /** `auto`: the CA that signs each member's certificates. */
    signer?: CertificateSigner;
    /** `provided`: each member's certificate and key, by member name. */
    provided?: Record<string, { cert: pulumi.Input<string>; key: pulumi.Input<string> }>;
}

export interface CertificateSigner {
    caKeyPem: pulumi.Output<string>;
    caCertPem: pulumi.Output<string>;
    validityHours: number;
}

/** Key usages of member certificates: etcd uses the server certificate as a client too (grpc gateway), peers both ways. */
const memberUses = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];

const newKey = (id: string, opts: pulumi.CustomResourceOptions) => new tls.PrivateKey(id, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);

/** A key, a CSR and a certificate signed by the cluster's CA: `<id>-key`, `<id>-csr`, `<id>`. */
function issueCertificate(id: string, commonName: string, sans: CertSans, allowedUses: string[], signer: CertificateSigner, opts: pulumi.CustomResourceOptions) {
    const key = newKey(`${id}-key`, opts);
    const csr = new tls.CertRequest(`${id}-csr`, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName },
        dnsNames: sans.dnsNames,
        ipAddresses: sans.ipAddresses,
    }, opts);
    const cert = new tls.LocallySignedCert(id, {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: signer.caKeyPem,
        caCertPem: signer.caCertPem,
        validityPeriodHours: signer.validityHours,
        allowedUses,
    }, opts);
    return { cert: cert.certPem, key: pulumi.secret(key.privateKeyPem) };
}

/** Creates (auto) or wraps (provided) the cluster-wide TLS material; undefined without TLS. */
export function createClusterTls(name: string, cluster: ResolvedCluster, parent: pulumi.Resource): ClusterTls | undefined {
    const t = cluster.tls;
    if (t.mode === "off") return undefined;
    if (t.mode === "provided") {
        const p = t.provided!;
        return { ca: pulumi.output(p.ca), clientCert: pulumi.secret(p.client.cert), clientKey: pulumi.secret(p.client.key), provided: p.members };
    }
    const opts = { parent };
    const caKey = newKey(`${name}-ca-key`, opts);
    const ca = new tls.SelfSignedCert(`${name}-ca`, {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: `${cluster.clusterName} etcd CA` },
        validityPeriodHours: t.validityHours,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    }, opts);
    const signer = { caKeyPem: caKey.privateKeyPem, caCertPem: ca.certPem, validityHours: t.validityHours };
    const client = issueCertificate(`${name}-client`, clientCommonName, { dnsNames: [], ipAddresses: [] },
        ["digital_signature", "key_encipherment", "client_auth"], signer, opts);
    return { ca: ca.certPem, clientCert: pulumi.secret(client.cert), clientKey: client.key, signer };
}

/**
 * One member's certificates: issued by the cluster's CA (`auto`, as `<id>-server…` and `<id>-peer…`) or the
 * given ones (`provided`, the same certificate as server and peer certificate).
 */
export function createMemberTls(id: string, plan: MemberPlan, clusterTls: ClusterTls, opts: pulumi.CustomResourceOptions): MemberTlsMaterial {
    if (clusterTls.signer === undefined) {
        const given = clusterTls.provided![plan.name];
        const cert = pulumi.output(given.cert);
        const key = pulumi.secret(given.key);
        return { serverCert: cert, serverKey: key, peerCert: cert, peerKey: key };
    }
    const server = issueCertificate(`${id}-server`, plan.name, plan.certSans, memberUses, clusterTls.signer, opts);
    const peer = issueCertificate(`${id}-peer`, plan.name, plan.certSans, memberUses, clusterTls.signer, opts);
    return { serverCert: server.cert, serverKey: server.key, peerCert: peer.cert, peerKey: peer.key };
}

/** The Docker `uploads` of one member: the plan's files filled with the cluster's and the member's own material. */
export function memberUploads(plan: MemberPlan, clusterTls: ClusterTls, own: MemberTlsMaterial): docker.types.input.ContainerUpload[] | undefined {
    if (plan.uploads.length === 0) return undefined;
    const content: Record<TlsMaterial, pulumi.Output<string>> = {
        ca: clusterTls.ca,
        clientCert: clusterTls.clientCert,
        clientKey: clusterTls.clientKey,
        ...own,
    };
    return plan.uploads.map((u) => ({ file: u.file, content: content[u.material], permissions: u.permissions }));
}
