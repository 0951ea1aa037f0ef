/**
 * The resolved model: the arguments with every default applied and every rule checked. `resolve/` builds it,
 * `plan/` reads it; nothing after this point looks at the raw arguments again.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EtcdTuningArgs, ProvidedTlsArgs } from "../args";
import type { EtcdVersion } from "./etcdVersion";

/** Peer/client URL scheme of every member: "https" with TLS, one switch for the whole cluster. */
export type UrlScheme = "http" | "https";

export interface ResolvedHost {
    name: string;
    url: string;
    scheme: "ssh" | "tcp" | "unix";
    /** Host name or IP from an ssh/tcp url. */
    hostname?: string;
    sshOpts: string[];
    caMaterial?: pulumi.Input<string>;
    certMaterial?: pulumi.Input<string>;
    keyMaterial?: pulumi.Input<string>;
}

export interface ResolvedMember {
    name: string;
    /** Position in `members`, for messages (`members[<index>].…`). */
    index: number;
    host: ResolvedHost;
    address: string;
    clientPort: number;
    peerPort: number;
    containerName: string;
    volumeName: string;
    /**
     * `bootstrap.mode: "dns"`: the DNS name the member advertises (given, or `<name>.<domain>`); undefined in
     * the other modes. While the members are being resolved it holds `members[].dnsName` as given.
     */
    dnsName?: string;
    /** Port of the metrics endpoint; undefined unless `metrics.enabled`. */
    metricsPort?: number;
}

export type ResolvedTls =
    | { mode: "off" }
    | { mode: "auto" | "provided"; clientCertAuth: boolean; peerClientCertAuth: boolean; validityHours: number; provided?: ProvidedTlsArgs };

export interface ResolvedAuth {
    enabled: boolean;
    /** Given by the user; else generated. */
    rootPassword?: pulumi.Input<string>;
}

export type ResolvedDiscovery =
    | { mode: "discovery"; protocol: "v2"; source: "service"; serviceUrl: string; attempts: number }
    | { mode: "discovery"; protocol: "v2" | "v3"; source: "endpoints"; endpoints: string[]; attempts: number };

interface ResolvedDnsmasqCommon {
    /** Where the server answers: the check asks it, members may be pointed at it. */
    serverAddress: string;
    serverPort: number;
    useForMembers: boolean;
    upstreamServers: string[];
    checkAttempts: number;
}

export type ResolvedDnsmasq = ResolvedDnsmasqCommon & (
    | { kind: "container"; host: ResolvedHost; image: string; containerName: string }
    | { kind: "remote"; sshHost: string; sshPort: number; user: string; privateKey?: pulumi.Input<string>; path: string; reloadCommand: string }
);

/** DNS SRV bootstrap; each member's advertised name is its {@link ResolvedMember.dnsName}. */
export interface ResolvedDns {
    mode: "dns";
    domain: string;
    srvName?: string;
    dnsmasq?: ResolvedDnsmasq;
}

export type ResolvedBootstrap = { mode: "static" } | ResolvedDiscovery | ResolvedDns;

/** Arguments with every default applied and every rule checked. */
export interface ResolvedCluster {
    clusterName: string;
    image: string;
    /** Known when the image tag or `etcdVersion` says it. */
    version?: EtcdVersion;
    /** The hosts that run something (a member, or the dnsmasq of DNS bootstrap). */
    hosts: ResolvedHost[];
    members: ResolvedMember[];
    networkMode: "host" | "published";
    restartPolicy: "no" | "on-failure" | "always" | "unless-stopped";
    tuning: EtcdTuningArgs;
    extraEnv: Record<string, string>;
    labels: Record<string, string>;
    healthCheck: { enabled: boolean; timeoutSeconds: number };
    /** How members find each other at first start (`bootstrap`). */
    bootstrap: ResolvedBootstrap;
    /** Scheme of every peer and client URL: "https" with TLS. */
    scheme: UrlScheme;
    /** TLS for clients and peers (`tls`). */
    tls: ResolvedTls;
    /** Authentication (`auth`). */
    auth: ResolvedAuth;
    /** How changes roll through running members (`rollout`). */
    rollout: ResolvedRollout;
    /** Logs, limits, metrics and data volumes. */
    operations: ResolvedOperations;
    /** Things that are allowed but probably not what the user wants. */
    warnings: string[];
}

export interface ResolvedOperations {
    logs: { driver: string; options: Record<string, string> };
    resources: { memoryMb?: number; cpus?: number };
    metrics: { enabled: boolean };
    dataVolumes: { onDestroy: "retain" | "delete"; protect: boolean };
    /** `restore.snapshot` as an absolute path; undefined without `restore`. */
    restore?: { snapshot: string };
    /** `maintenance` with its defaults; undefined without it. */
    maintenance?: { image: string; intervalSeconds: number; keep: number; defrag: boolean; host: ResolvedHost; volumeName: string };
}

export interface ResolvedRollout {
    memberTimeoutSeconds: number;
    maxAppliedLag: number;
    stopGraceSeconds: number;
    snapshotDir: string;
    snapshotBeforeChanges: boolean;
}

/** What the resolution of `bootstrap` needs from the rest of the arguments. */
export interface BootstrapContext {
    clusterName: string;
    version?: EtcdVersion;
    /** Members that resolved cleanly, `dnsName` as given. */
    members: ResolvedMember[];
    /** Every resolved host (also those without members: dnsmasq may run there). */
    hosts: ResolvedHost[];
    scheme: UrlScheme;
}
