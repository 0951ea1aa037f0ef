import * as net from "net";
import { atLeast } from "./etcdVersion";
import { ResolvedCluster, ResolvedHost, ResolvedMember } from "./validation";
import { advertiseHost, bootstrapEnv, discoveryEnv, memberSetKey, UrlScheme } from "./bootstrap";
import { DnsRecords, dnsRecords, renderDnsmasqConfig } from "./dnsmasq";
import { CertSans, certSans, etcdctlTlsFlags, tlsEnv, TlsUpload, tlsUploads } from "./security";

/** Where the data volume is mounted; etcd creates the data dir below it with the 0700 mode it wants. */
export const volumeMountPath = "/var/lib/etcd";
export const dataDir = `${volumeMountPath}/data`;
export const etcdctlPath = "/usr/local/bin/etcdctl";
/** Ports etcd listens on inside the container when ports are published (the seed's `-p 2379:2379 -p 2380:2380`). */
export const containerClientPort = 2379;
export const containerPeerPort = 2380;

export const clusterLabel = "etcd-cluster.cluster";
export const memberLabel = "etcd-cluster.member";

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
    /** `ETCD_*` environment except the cluster token, which is only known at deploy time. */
    env: string[];
    /** Published ports (`networkMode: "published"` only). */
    ports: { internal: number; external: number }[];
    labels: Record<string, string>;
    /** Docker HEALTHCHECK in exec form: the official image has no shell. */
    healthcheckTest: string[];
    /** TLS: the PEM files uploaded into the container (which material, where, which mode). Empty without TLS. */
    uploads: TlsUpload[];
    /** TLS: SANs of the member's server and peer certificates (`tls.mode: "auto"`). */
    certSans: CertSans;
}

export interface HostPlan {
    name: string;
    host: ResolvedHost;
    memberNames: string[];
}

export interface ClusterPlan {
    members: MemberPlan[];
    hosts: HostPlan[];
    /** `--initial-cluster`: `name=peerUrl,…` in member order; empty unless bootstrap is static. */
    initialCluster: string;
    /** Names and peer URLs, order-independent: a discovery token is made for exactly this set. */
    memberSetKey: string;
    /** DNS bootstrap only: the SRV and host records, and the dnsmasq config that serves them. */
    dns?: { records: DnsRecords; dnsmasqConfig: string };
    clientEndpoints: string[];
    peerUrls: string[];
    /** `--cacert/--cert/--key` of every etcdctl the component runs in a member container (empty without TLS). */
    etcdctlFlags: string[];
    /** Authentication on: commands authenticate as root. */
    auth: boolean;
}

function url(address: string, port: number, scheme: UrlScheme = "http"): string {
    const host = net.isIPv6(address) ? `[${address}]` : address;
    return `${scheme}://${host}:${port}`;
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

function planMember(cluster: ResolvedCluster, m: ResolvedMember, initialCluster: string): MemberPlan {
    const published = cluster.networkMode === "published";
    const listenClientPort = published ? containerClientPort : m.clientPort;
    const listenPeerPort = published ? containerPeerPort : m.peerPort;
    const localClientUrl = url("127.0.0.1", listenClientPort, cluster.scheme);
    // DNS bootstrap advertises names (they must match the SRV targets); listen URLs are always IPs.
    const advertised = advertiseHost(cluster.bootstrap, m);
    const peerUrl = url(advertised, m.peerPort, cluster.scheme);
    const clientUrl = url(advertised, m.clientPort, cluster.scheme);
    return {
        name: m.name,
        hostName: m.host.name,
        containerName: m.containerName,
        volumeName: m.volumeName,
        peerUrl,
        clientUrl,
        localClientUrl,
        env: [
            `ETCD_NAME=${m.name}`,
            `ETCD_DATA_DIR=${dataDir}`,
            `ETCD_LISTEN_PEER_URLS=${url("0.0.0.0", listenPeerPort, cluster.scheme)}`,
            `ETCD_LISTEN_CLIENT_URLS=${url("0.0.0.0", listenClientPort, cluster.scheme)}`,
            `ETCD_INITIAL_ADVERTISE_PEER_URLS=${peerUrl}`,
            `ETCD_ADVERTISE_CLIENT_URLS=${clientUrl}`,
            ...bootstrapEnv(cluster.bootstrap, initialCluster),
            "ETCD_INITIAL_CLUSTER_STATE=new",
            ...tlsEnv(cluster.tls),
            ...tuningEnv(cluster),
            ...Object.entries(cluster.extraEnv).map(([k, v]) => `${k}=${v}`),
        ],
        ports: published ? [
            { internal: containerClientPort, external: m.clientPort },
            { internal: containerPeerPort, external: m.peerPort },
        ] : [],
        labels: { ...cluster.labels, [clusterLabel]: cluster.clusterName, [memberLabel]: m.name },
        healthcheckTest: ["CMD", etcdctlPath, `--endpoints=${localClientUrl}`, ...etcdctlTlsFlags(cluster.tls), "endpoint", healthcheckCommand(cluster)],
        uploads: tlsUploads(cluster.tls),
        certSans: certSans(cluster.bootstrap, m),
    };
}

/** Plans every member of a validated cluster. Pure: same arguments, same plan. */
export function planCluster(cluster: ResolvedCluster): ClusterPlan {
    const peerUrlOf = (m: ResolvedMember) => url(advertiseHost(cluster.bootstrap, m), m.peerPort, cluster.scheme);
    const initialCluster = cluster.bootstrap.mode === "static" ? cluster.members.map((m) => `${m.name}=${peerUrlOf(m)}`).join(",") : "";
    const members = cluster.members.map((m) => planMember(cluster, m, initialCluster));
    const boot = cluster.bootstrap;
    let dns: ClusterPlan["dns"];
    if (boot.mode === "dns") {
        const records = dnsRecords(boot, cluster.members, cluster.scheme);
        dns = { records, dnsmasqConfig: renderDnsmasqConfig(cluster.clusterName, records, boot.dnsmasq?.upstreamServers) };
    }
    const hosts = cluster.hosts.map((host) => ({
        name: host.name,
        host,
        memberNames: cluster.members.filter((m) => m.host === host).map((m) => m.name),
    }));
    return {
        members,
        hosts,
        initialCluster,
        memberSetKey: memberSetKey(members),
        dns,
        clientEndpoints: members.map((m) => m.clientUrl),
        peerUrls: members.map((m) => m.peerUrl),
        etcdctlFlags: etcdctlTlsFlags(cluster.tls),
        auth: cluster.auth.enabled,
    };
}

/**
 * The member's full environment once the deploy-time values are known: the cluster token and, with discovery
 * bootstrap, the discovery URL (v2) or token (v3) (pass the cluster's `bootstrap` with it).
 */
export function memberEnv(member: MemberPlan, clusterToken: string, discovery?: { bootstrap: ResolvedCluster["bootstrap"]; value: string }): string[] {
    return [...member.env, `ETCD_INITIAL_CLUSTER_TOKEN=${clusterToken}`, ...(discovery ? discoveryEnv(discovery.bootstrap, discovery.value) : [])];
}
