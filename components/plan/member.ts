/**
 * One member's plan: its URLs, its complete `ETCD_*` environment (https://etcd.io/docs/v3.6/op-guide/configuration/),
 * ports, labels, Docker healthcheck and TLS files. Pure: the member's container is built from this alone.
 */
import * as net from "net";
import { atLeast } from "../resolve/etcdVersion";
import type { ResolvedCluster, ResolvedMember, UrlScheme } from "../resolve/model";
import { bootstrapEnv, discoveryEnv } from "./bootstrap";
import { clusterLabel, memberLabel } from "./labels";
import { CertSans, certSans, etcdctlTlsFlags, tlsEnv, TlsUpload, tlsUploads } from "./security";

/** Where the data volume is mounted; etcd creates the data dir below it with the 0700 mode it wants. */
export const volumeMountPath = "/var/lib/etcd";
export const dataDir = `${volumeMountPath}/data`;
export const etcdctlPath = "/usr/local/bin/etcdctl";
/** Ports etcd listens on inside the container when ports are published (`-p <clientPort>:2379 -p <peerPort>:2380`). */
export const containerClientPort = 2379;
export const containerPeerPort = 2380;
/** etcd's conventional metrics port, where it listens inside the container when ports are published. */
export const containerMetricsPort = 2381;

/** Everything about one member that follows from the arguments: the container is built from this alone. */
export interface MemberPlan {
    name: string;
    hostName: string;
    containerName: string;
    volumeName: string;
    /** What peers dial (`--initial-advertise-peer-urls`). */
    peerUrl: string;
    /** What clients dial (`--advertise-client-urls`). */
    clientUrl: string;
    /** Client URL as seen from inside the member's own container, for `docker exec … etcdctl`. */
    localClientUrl: string;
    /** `ETCD_*` environment of a founding member except the cluster token, which is only known at deploy time. */
    env: string[];
    /**
     * The same, in parts: the member's own settings before and after the bootstrap variables, and the
     * bootstrap variables of a founding member (see {@link memberEnv}).
     */
    envBefore: string[];
    foundingEnv: string[];
    envAfter: string[];
    /** Published ports (`networkMode: "published"` only). */
    ports: { internal: number; external: number }[];
    labels: Record<string, string>;
    /** Docker HEALTHCHECK in exec form: the official image has no shell. */
    healthcheckTest: string[];
    /** TLS: the PEM files uploaded into the container (which material, where, which mode). Empty without TLS. */
    uploads: TlsUpload[];
    /** TLS: SANs of the member's server and peer certificates (`tls.mode: "auto"`). */
    certSans: CertSans;
    /** `host:port` Prometheus scrapes (`/metrics`, plain http); undefined unless metrics are enabled. */
    metricsTarget?: string;
    /** Docker log driver and its options. */
    logs: { driver: string; options: Record<string, string> };
    /** Docker memory (MiB) and CPU limits, where set. */
    limits: { memoryMb?: number; cpus?: number };
}

/** `scheme://address:port`, IPv6 addresses in brackets. */
export function url(address: string, port: number, scheme: UrlScheme = "http"): string {
    const host = net.isIPv6(address) ? `[${address}]` : address;
    return `${scheme}://${host}:${port}`;
}

/** The host a member puts in its advertise URLs: its DNS name with DNS bootstrap (it must match an SRV target), else its address. */
export function advertiseHost(m: Pick<ResolvedMember, "address" | "dnsName">): string {
    return m.dnsName ?? m.address;
}

/** What peers dial (`--initial-advertise-peer-urls`). */
export function peerUrl(cluster: Pick<ResolvedCluster, "scheme">, m: ResolvedMember): string {
    return url(advertiseHost(m), m.peerPort, cluster.scheme);
}

function tuningEnv(cluster: ResolvedCluster): string[] {
    const t = cluster.tuning;
    const env: [string, string | number | undefined][] = [
        ["ETCD_HEARTBEAT_INTERVAL", t.heartbeatIntervalMs],
        ["ETCD_ELECTION_TIMEOUT", t.electionTimeoutMs],
        ["ETCD_QUOTA_BACKEND_BYTES", t.quotaBackendBytes],
        ["ETCD_AUTO_COMPACTION_MODE", t.autoCompactionMode],
        ["ETCD_AUTO_COMPACTION_RETENTION", t.autoCompactionRetention],
        ["ETCD_SNAPSHOT_COUNT", t.snapshotCount],
        // 3.4 defaults to capnslog, which ignores --log-level; zap is the only logger from 3.5 on.
        ["ETCD_LOGGER", t.logLevel !== undefined && cluster.version && !atLeast(cluster.version, 3, 5) ? "zap" : undefined],
        ["ETCD_LOG_LEVEL", t.logLevel],
    ];
    return env.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
}

/**
 * `endpoint health` counts "permission denied" as healthy, which is what a client certificate whose CN is no
 * etcd user gets with auth on. Without such a certificate (auth on, no client-cert auth) it gets "user name is
 * empty", counted unhealthy, and the container config must not carry root's password: then the Docker
 * healthcheck asks `endpoint status` (no credentials needed, but no quorum check; the post-deploy check has that).
 */
function healthcheckCommand(cluster: ResolvedCluster): "health" | "status" {
    const certLogin = cluster.tls.mode !== "off" && cluster.tls.clientCertAuth;
    return cluster.auth.enabled && !certLogin ? "status" : "health";
}

/** Plans one member of a validated cluster, given the cluster's `--initial-cluster` (empty unless bootstrap is static). */
export function planMember(cluster: ResolvedCluster, m: ResolvedMember, initialCluster: string): MemberPlan {
    const published = cluster.networkMode === "published";
    const listenClientPort = published ? containerClientPort : m.clientPort;
    const listenPeerPort = published ? containerPeerPort : m.peerPort;
    const localClientUrl = url("127.0.0.1", listenClientPort, cluster.scheme);
    // Listen URLs are always IPs; advertise URLs carry the DNS name with DNS bootstrap.
    const advertisedPeerUrl = peerUrl(cluster, m);
    const clientUrl = url(advertiseHost(m), m.clientPort, cluster.scheme);
    const envBefore = [
        `ETCD_NAME=${m.name}`,
        `ETCD_DATA_DIR=${dataDir}`,
        `ETCD_LISTEN_PEER_URLS=${url("0.0.0.0", listenPeerPort, cluster.scheme)}`,
        `ETCD_LISTEN_CLIENT_URLS=${url("0.0.0.0", listenClientPort, cluster.scheme)}`,
        `ETCD_INITIAL_ADVERTISE_PEER_URLS=${advertisedPeerUrl}`,
        `ETCD_ADVERTISE_CLIENT_URLS=${clientUrl}`,
    ];
    const foundingEnv = [...bootstrapEnv(cluster.bootstrap, initialCluster), "ETCD_INITIAL_CLUSTER_STATE=new"];
    const listenMetricsPort = published ? containerMetricsPort : m.metricsPort;
    // Plain http whatever the client scheme: scrapers and load balancers then need no client certificate.
    const metricsEnv = m.metricsPort === undefined ? [] : [`ETCD_LISTEN_METRICS_URLS=${url("0.0.0.0", listenMetricsPort!)}`];
    const envAfter = [...tlsEnv(cluster.tls), ...tuningEnv(cluster), ...metricsEnv, ...Object.entries(cluster.extraEnv).map(([k, v]) => `${k}=${v}`)];
    return {
        name: m.name,
        hostName: m.host.name,
        containerName: m.containerName,
        volumeName: m.volumeName,
        peerUrl: advertisedPeerUrl,
        clientUrl,
        localClientUrl,
        env: [...envBefore, ...foundingEnv, ...envAfter],
        envBefore,
        foundingEnv,
        envAfter,
        ports: published ? [
            { internal: containerClientPort, external: m.clientPort },
            { internal: containerPeerPort, external: m.peerPort },
            ...(m.metricsPort === undefined ? [] : [{ internal: containerMetricsPort, external: m.metricsPort }]),
        ] : [],
        labels: { ...cluster.labels, [clusterLabel]: cluster.clusterName, [memberLabel]: m.name },
        healthcheckTest: ["CMD", etcdctlPath, `--endpoints=${localClientUrl}`, ...etcdctlTlsFlags(cluster.tls), "endpoint", healthcheckCommand(cluster)],
        uploads: tlsUploads(cluster.tls),
        certSans: certSans(cluster.bootstrap, m),
        metricsTarget: m.metricsPort === undefined ? undefined : url(m.address, m.metricsPort).replace(/^http:\/\//, ""),
        logs: cluster.operations.logs,
        limits: cluster.operations.resources,
    };
}

/**
 * Bootstrap variables in the order a member's environment has them: those known when planning where
 * `ETCD_INITIAL_CLUSTER` always was, then, after the cluster token, those a discovery bootstrap gets at deploy time.
 */
const plannedKeys = ["ETCD_INITIAL_CLUSTER", "ETCD_DISCOVERY_SRV", "ETCD_DISCOVERY_SRV_NAME", "ETCD_INITIAL_CLUSTER_STATE"];
const deployTimeKeys = ["ETCD_DISCOVERY", "ETCD_DISCOVERY_TOKEN", "ETCD_DISCOVERY_ENDPOINTS"];

/**
 * The member's full environment once the deploy-time values are known: its own settings, the bootstrap
 * variables it was created with (`bootstrapLines`: a founding member's, or `ETCD_INITIAL_CLUSTER` and
 * `ETCD_INITIAL_CLUSTER_STATE=existing` of a member that joined a running cluster, one `KEY=value` a line, as
 * the member's join command recorded them, in any order), and the cluster token. The order is the one containers
 * had before members recorded their bootstrap, so existing containers see no change.
 */
export function memberEnv(member: MemberPlan, bootstrapLines: string, clusterToken: string): string[] {
    const lines = bootstrapLines.split("\n").filter((l) => l !== "");
    const pick = (keys: string[]) => keys.flatMap((k) => lines.filter((l) => l.startsWith(`${k}=`)));
    return [...member.envBefore, ...pick(plannedKeys), ...member.envAfter, `ETCD_INITIAL_CLUSTER_TOKEN=${clusterToken}`, ...pick(deployTimeKeys)];
}

/**
 * The bootstrap lines of a founding member (what {@link memberEnv} takes), given the deploy-time discovery value
 * (v2 URL or v3 token) with discovery bootstrap.
 */
export function foundingLines(member: MemberPlan, discovery?: { bootstrap: ResolvedCluster["bootstrap"]; value: string }): string {
    return [...member.foundingEnv, ...(discovery ? discoveryEnv(discovery.bootstrap, discovery.value) : [])].join("\n");
}
