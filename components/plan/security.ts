/**
 * Secure clusters, the planning: the certificate SANs of each member, the `ETCD_*` TLS variables, the files
 * uploaded into every member container and the etcdctl flags every command uses
 * (https://etcd.io/docs/v3.6/op-guide/security/). Keys and certificates never appear in anything planned
 * here: they travel as container `uploads`; only their paths are in the environment and on command lines.
 */
import * as net from "net";
import type { ResolvedBootstrap, ResolvedMember, ResolvedTls } from "../resolve/model";

/** Where the PEM files go in every member container. */
export const pkiDir = "/etc/etcd/pki";

/** The files uploaded into each member container, by what they hold. */
export const tlsFiles = {
    ca: `${pkiDir}/ca.crt`,
    serverCert: `${pkiDir}/server.crt`,
    serverKey: `${pkiDir}/server.key`,
    peerCert: `${pkiDir}/peer.crt`,
    peerKey: `${pkiDir}/peer.key`,
    clientCert: `${pkiDir}/client.crt`,
    clientKey: `${pkiDir}/client.key`,
} as const;
export type TlsMaterial = keyof typeof tlsFiles;

/** Common name of the client certificate `auto` makes: not an etcd user, so it grants nothing with auth on. */
export const clientCommonName = "etcd-client";

/** Subject alternative names of a member's server and peer certificates. */
export interface CertSans {
    dnsNames: string[];
    ipAddresses: string[];
}

/**
 * Every name and address a member is reached by: its address (what peers and clients dial), with DNS bootstrap
 * its advertised DNS name and the SRV domain (etcd checks the domain against peer certificates), and
 * `localhost`/`127.0.0.1` for `docker exec … etcdctl` and the Docker healthcheck inside the container.
 */
export function certSans(bootstrap: ResolvedBootstrap, m: Pick<ResolvedMember, "name" | "address" | "dnsName">): CertSans {
    const names = [m.address, ...(bootstrap.mode === "dns" && m.dnsName !== undefined ? [m.dnsName, bootstrap.domain] : []), "localhost", "127.0.0.1"];
    const unique = (xs: string[]) => xs.filter((x, i) => xs.findIndex((y) => y.toLowerCase() === x.toLowerCase()) === i);
    return {
        dnsNames: unique(names.filter((n) => net.isIP(n) === 0)),
        ipAddresses: unique(names.filter((n) => net.isIP(n) !== 0)),
    };
}

/** The `ETCD_*` TLS settings of every member (same on each: the file paths are the same in every container). */
export function tlsEnv(tls: ResolvedTls): string[] {
    if (tls.mode === "off") return [];
    return [
        `ETCD_CERT_FILE=${tlsFiles.serverCert}`,
        `ETCD_KEY_FILE=${tlsFiles.serverKey}`,
        ...(tls.clientCertAuth ? [`ETCD_TRUSTED_CA_FILE=${tlsFiles.ca}`, "ETCD_CLIENT_CERT_AUTH=true"] : []),
        `ETCD_PEER_CERT_FILE=${tlsFiles.peerCert}`,
        `ETCD_PEER_KEY_FILE=${tlsFiles.peerKey}`,
        `ETCD_PEER_TRUSTED_CA_FILE=${tlsFiles.ca}`,
        ...(tls.peerClientCertAuth ? ["ETCD_PEER_CLIENT_CERT_AUTH=true"] : []),
    ];
}

/** One file uploaded into a member container: certificates 0644, keys 0600 (not world-readable; etcd runs as root). */
export interface TlsUpload {
    file: string;
    material: TlsMaterial;
    permissions: "0644" | "0600";
}

/** The uploads of every member container: CA, server and peer certificate and key, and the client certificate for etcdctl. */
export function tlsUploads(tls: ResolvedTls): TlsUpload[] {
    if (tls.mode === "off") return [];
    return (Object.keys(tlsFiles) as TlsMaterial[]).map((material) => ({
        file: tlsFiles[material],
        material,
        permissions: material.endsWith("Key") ? "0600" : "0644",
    }));
}

/** Flags of every `etcdctl` the component runs inside a member container (paths only, never contents). */
export function etcdctlTlsFlags(tls: ResolvedTls): string[] {
    if (tls.mode === "off") return [];
    return [`--cacert=${tlsFiles.ca}`, `--cert=${tlsFiles.clientCert}`, `--key=${tlsFiles.clientKey}`];
}
