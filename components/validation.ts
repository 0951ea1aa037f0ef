import * as pulumi from "@pulumi/pulumi";
import { DockerHostArgs, EtcdClusterArgs, EtcdTuningArgs } from "./args";
import { EtcdVersion, formatEtcdVersion, parseEtcdVersion, versionFromImage } from "./etcdVersion";
import { resolveBootstrap, ResolvedBootstrap, UrlScheme } from "./bootstrap";
import { resolveAuth, ResolvedAuth, ResolvedTls, resolveTls } from "./security";
import { isAddress, show } from "./argChecks";

/** The official image at a pinned 3.6 patch (etcd-facts §0, §3). */
export const defaultImage = "gcr.io/etcd-development/etcd:v3.6.14";
export const defaultLocalHost: DockerHostArgs = { name: "local", url: "unix:///var/run/docker.sock" };
export const defaultClientPort = 2379;
export const defaultPeerPort = 2380;
export const defaultHealthCheckTimeoutSeconds = 120;

/** Every problem found in the arguments, each naming the field, the bad value and the fix. */
export class EtcdClusterArgsError extends Error {
    constructor(public readonly problems: string[], where: string) {
        super(`invalid ${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "EtcdClusterArgsError";
    }
}

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
    host: ResolvedHost;
    address: string;
    clientPort: number;
    peerPort: number;
    containerName: string;
    volumeName: string;
}

/** Arguments with every default applied and every rule checked. */
export interface ResolvedCluster {
    clusterName: string;
    image: string;
    /** Known when the image tag or `etcdVersion` says it. */
    version?: EtcdVersion;
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
    /** Scheme of every peer and client URL: "https" with TLS (one switch, see bootstrap.ts). */
    scheme: UrlScheme;
    /** TLS for clients and peers (`tls`). */
    tls: ResolvedTls;
    /** Authentication (`auth`). */
    auth: ResolvedAuth;
    /** Things that are allowed but probably not what the user wants. */
    warnings: string[];
}

/** Docker's own rule for container and volume names, which member names also become. */
const dockerNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const etcdEnvPattern = /^ETCD_[A-Z0-9_]+$/;

/**
 * `ETCD_*` settings the component derives itself, and the argument to use instead. Setting one through
 * `extraEnv` would either be silently overridden or make etcd exit on a conflict, so it is refused.
 */
export const managedEtcdEnv: Record<string, string> = {
    ETCD_NAME: "members[].name",
    ETCD_DATA_DIR: "members[].volumeName (the data dir lives on that volume)",
    ETCD_LISTEN_CLIENT_URLS: "members[].clientPort",
    ETCD_LISTEN_PEER_URLS: "members[].peerPort",
    ETCD_ADVERTISE_CLIENT_URLS: "members[].address / clientPort",
    ETCD_INITIAL_ADVERTISE_PEER_URLS: "members[].address / peerPort",
    ETCD_INITIAL_CLUSTER: "members",
    ETCD_INITIAL_CLUSTER_STATE: "members",
    ETCD_INITIAL_CLUSTER_TOKEN: "clusterToken",
    ETCD_DISCOVERY: "bootstrap.discovery",
    ETCD_DISCOVERY_TOKEN: "bootstrap.discovery",
    ETCD_DISCOVERY_ENDPOINTS: "bootstrap.discovery.endpoints",
    ETCD_DISCOVERY_SRV: "bootstrap.dns.domain",
    ETCD_DISCOVERY_SRV_NAME: "bootstrap.dns.srvName",
    ETCD_HEARTBEAT_INTERVAL: "tuning.heartbeatIntervalMs",
    ETCD_ELECTION_TIMEOUT: "tuning.electionTimeoutMs",
    ETCD_QUOTA_BACKEND_BYTES: "tuning.quotaBackendBytes",
    ETCD_AUTO_COMPACTION_MODE: "tuning.autoCompactionMode",
    ETCD_AUTO_COMPACTION_RETENTION: "tuning.autoCompactionRetention",
    ETCD_SNAPSHOT_COUNT: "tuning.snapshotCount",
    ETCD_LOG_LEVEL: "tuning.logLevel",
    ETCD_LOGGER: "tuning.logLevel (the component picks the logger for the etcd version)",
    ETCD_CERT_FILE: "tls",
    ETCD_KEY_FILE: "tls",
    ETCD_TRUSTED_CA_FILE: "tls",
    ETCD_CLIENT_CERT_AUTH: "tls.clientCertAuth",
    ETCD_AUTO_TLS: "tls",
    ETCD_PEER_CERT_FILE: "tls",
    ETCD_PEER_KEY_FILE: "tls",
    ETCD_PEER_TRUSTED_CA_FILE: "tls",
    ETCD_PEER_CLIENT_CERT_AUTH: "tls.peerClientCertAuth",
    ETCD_PEER_AUTO_TLS: "tls",
};

const logLevels = ["debug", "info", "warn", "error", "panic", "fatal"];

function isPort(value: unknown): value is number {
    return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

function resolveHost(host: DockerHostArgs, path: string, problems: string[]): ResolvedHost | undefined {
    if (!host || typeof host.name !== "string" || !dockerNamePattern.test(host.name)) {
        problems.push(`${path}.name: ${show(host?.name)} is not a valid host name; use 1–63 letters, digits, ".", "_" or "-".`);
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(host.url);
    } catch {
        problems.push(`${path}.url: ${show(host.url)} is not a URL; use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock.`);
        return undefined;
    }
    const scheme = url.protocol.replace(/:$/, "");
    const sshOpts = host.sshOpts ?? [];
    if (!Array.isArray(sshOpts) || sshOpts.some((o) => typeof o !== "string")) {
        problems.push(`${path}.sshOpts: ${show(host.sshOpts)} must be a list of strings, e.g. ["-i", "~/.ssh/etcd"].`);
    }
    const hasTls = host.caMaterial !== undefined || host.certMaterial !== undefined || host.keyMaterial !== undefined;
    const base = { name: host.name, url: host.url, sshOpts, caMaterial: host.caMaterial, certMaterial: host.certMaterial, keyMaterial: host.keyMaterial };
    switch (scheme) {
        case "ssh":
        case "tcp": {
            const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
            if (!hostname || !isAddress(hostname)) {
                problems.push(`${path}.url: ${show(host.url)} has no valid host; use ${scheme}://${scheme === "ssh" ? "user@" : ""}10.0.0.137${scheme === "tcp" ? ":2376" : ""}.`);
            }
            if (scheme === "ssh" && hasTls) {
                problems.push(`${path}: TLS material is for tcp:// hosts, but ${show(host.url)} is ssh://; remove caMaterial/certMaterial/keyMaterial.`);
            }
            if (scheme === "tcp" && !(host.caMaterial !== undefined && host.certMaterial !== undefined && host.keyMaterial !== undefined)) {
                problems.push(`${path}: ${show(host.url)} is a tcp:// Docker host without TLS (caMaterial, certMaterial, keyMaterial); ` +
                    `a plain tcp daemon gives root to anyone who reaches it. Use ssh://user@${hostname} or provide all three PEMs.`);
            }
            if (scheme === "tcp" && sshOpts.length > 0) {
                problems.push(`${path}.sshOpts: only ssh:// hosts use ssh options, but the url is ${show(host.url)}; remove sshOpts.`);
            }
            return { ...base, scheme, hostname };
        }
        case "unix":
            if (!url.pathname || url.pathname === "/") {
                problems.push(`${path}.url: ${show(host.url)} names no socket; use unix:///var/run/docker.sock.`);
            }
            if (hasTls || sshOpts.length > 0) {
                problems.push(`${path}: a unix:// host takes no ssh options or TLS material; remove them.`);
            }
            return { ...base, scheme: "unix" };
        default:
            problems.push(`${path}.url: scheme ${show(scheme)} of ${show(host.url)} is not supported; use ssh://, tcp:// or unix://.`);
            return undefined;
    }
}

function checkTuning(tuning: EtcdTuningArgs, problems: string[]): void {
    const positiveInt = (key: keyof EtcdTuningArgs, max = Number.MAX_SAFE_INTEGER) => {
        const v = tuning[key];
        if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max)) {
            problems.push(`tuning.${key}: ${show(v)} must be a whole number from 1 to ${max}.`);
            return false;
        }
        return true;
    };
    const hbOk = positiveInt("heartbeatIntervalMs", 50000);
    const etOk = positiveInt("electionTimeoutMs", 50000);
    positiveInt("snapshotCount");
    if (tuning.quotaBackendBytes !== undefined && (!Number.isInteger(tuning.quotaBackendBytes) || tuning.quotaBackendBytes < 0)) {
        problems.push(`tuning.quotaBackendBytes: ${show(tuning.quotaBackendBytes)} must be a whole number of bytes (0 = etcd's default, 2 GiB).`);
    }
    if (hbOk && etOk) {
        const heartbeat = tuning.heartbeatIntervalMs ?? 100;
        const election = tuning.electionTimeoutMs ?? 1000;
        if (election < 5 * heartbeat) {
            problems.push(`tuning.electionTimeoutMs: ${election} is less than 5 × heartbeatIntervalMs (${heartbeat}); etcd refuses to start. ` +
                `Set electionTimeoutMs to at least ${5 * heartbeat} (10 × is usual).`);
        }
    }
    if (tuning.autoCompactionMode !== undefined && !["periodic", "revision"].includes(tuning.autoCompactionMode)) {
        problems.push(`tuning.autoCompactionMode: ${show(tuning.autoCompactionMode)} must be "periodic" or "revision".`);
    }
    if (tuning.autoCompactionRetention !== undefined) {
        const mode = tuning.autoCompactionMode ?? "periodic";
        const ok = mode === "revision" ? /^\d+$/.test(tuning.autoCompactionRetention) : /^(\d+|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/.test(tuning.autoCompactionRetention);
        if (!ok) {
            problems.push(`tuning.autoCompactionRetention: ${show(tuning.autoCompactionRetention)} does not fit mode ${mode}; ` +
                (mode === "revision" ? `use a revision count such as "1000".` : `use a duration such as "1h" or "30m", or hours as a number.`));
        }
    }
    if (tuning.logLevel !== undefined && !logLevels.includes(tuning.logLevel)) {
        problems.push(`tuning.logLevel: ${show(tuning.logLevel)} must be one of ${logLevels.join(", ")}.`);
    }
}

function checkExtraEnv(extraEnv: Record<string, string>, problems: string[]): void {
    for (const [key, value] of Object.entries(extraEnv)) {
        if (!etcdEnvPattern.test(key)) {
            problems.push(`extraEnv.${key}: only ETCD_* settings (upper case, e.g. ETCD_MAX_TXN_OPS) are passed to etcd; rename or remove it.`);
        } else if (managedEtcdEnv[key]) {
            problems.push(`extraEnv.${key}: the component sets ${key} itself; use ${managedEtcdEnv[key]} instead.`);
        }
        if (typeof value !== "string") {
            problems.push(`extraEnv.${key}: ${show(value)} must be a string (quote numbers and booleans).`);
        }
    }
}

/**
 * Checks every rule and applies every default, without creating anything. Throws
 * {@link EtcdClusterArgsError} listing all problems at once, so one run shows everything to fix.
 */
export function resolveClusterArgs(clusterName: string, args: EtcdClusterArgs): ResolvedCluster {
    const problems: string[] = [];
    const warnings: string[] = [];
    const networkMode = args.networkMode ?? "host";
    if (!["host", "published"].includes(networkMode)) {
        problems.push(`networkMode: ${show(networkMode)} must be "host" or "published".`);
    }
    const restartPolicy = args.restartPolicy ?? "unless-stopped";
    if (!["no", "on-failure", "always", "unless-stopped"].includes(restartPolicy)) {
        problems.push(`restartPolicy: ${show(restartPolicy)} must be one of no, on-failure, always, unless-stopped.`);
    }

    const image = args.image ?? defaultImage;
    if (typeof image !== "string" || image.trim() === "" || /\s/.test(image)) {
        problems.push(`image: ${show(image)} is not an image reference; use e.g. ${defaultImage}.`);
    }
    let version: EtcdVersion | undefined;
    if (args.etcdVersion !== undefined) {
        version = parseEtcdVersion(args.etcdVersion);
        if (!version) {
            problems.push(`etcdVersion: ${show(args.etcdVersion)} is not a version; use e.g. "3.5.16".`);
        }
        const fromTag = typeof image === "string" ? versionFromImage(image) : undefined;
        if (version && fromTag && formatEtcdVersion(fromTag) !== formatEtcdVersion(version)) {
            problems.push(`etcdVersion: ${show(args.etcdVersion)} contradicts the image tag of ${show(image)} (${formatEtcdVersion(fromTag)}); remove etcdVersion or fix the image.`);
        }
    } else if (typeof image === "string") {
        version = versionFromImage(image);
    }

    const hostArgs = args.hosts ?? [defaultLocalHost];
    if (!Array.isArray(hostArgs) || hostArgs.length === 0) {
        problems.push(`hosts: ${show(args.hosts)} must list at least one Docker host, or be left out for the local engine.`);
    }
    const hosts: ResolvedHost[] = [];
    (Array.isArray(hostArgs) ? hostArgs : []).forEach((h, i) => {
        const resolved = resolveHost(h, `hosts[${i}]`, problems);
        if (!resolved) {
            return;
        }
        if (hosts.some((other) => other.name === resolved.name)) {
            problems.push(`hosts[${i}].name: ${show(resolved.name)} is used by two hosts; host names must be unique.`);
        } else if (hosts.some((other) => other.url === resolved.url)) {
            problems.push(`hosts[${i}].url: ${show(resolved.url)} is listed twice; give members the same host name instead.`);
        } else {
            hosts.push(resolved);
        }
    });

    const memberArgs = args.members;
    if (!Array.isArray(memberArgs) || memberArgs.length === 0) {
        problems.push(`members: ${show(memberArgs)} must list at least one member, e.g. [{ name: "etcd-n1" }].`);
    }
    const members: ResolvedMember[] = [];
    (Array.isArray(memberArgs) ? memberArgs : []).forEach((m, i) => {
        const path = `members[${i}]`;
        if (!m || typeof m.name !== "string" || !dockerNamePattern.test(m.name)) {
            problems.push(`${path}.name: ${show(m?.name)} is not a valid member name; use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
            return;
        }
        if (members.some((other) => other.name === m.name)) {
            problems.push(`${path}.name: ${show(m.name)} is used by two members; member names must be unique.`);
            return;
        }
        let host: ResolvedHost | undefined;
        if (m.host === undefined) {
            if (hosts.length === 1) {
                host = hosts[0];
            } else if (hosts.length > 1) {
                problems.push(`${path}.host: missing; with several hosts each member must name one of ${hosts.map((h) => show(h.name)).join(", ")}.`);
            }
        } else {
            host = hosts.find((h) => h.name === m.host);
            if (!host && hosts.length > 0) {
                problems.push(`${path}.host: ${show(m.host)} is not in hosts; use one of ${hosts.map((h) => show(h.name)).join(", ")}.`);
            }
        }
        const clientPort = m.clientPort ?? defaultClientPort;
        const peerPort = m.peerPort ?? defaultPeerPort;
        if (!isPort(clientPort)) {
            problems.push(`${path}.clientPort: ${show(clientPort)} is not a port; use a whole number from 1 to 65535.`);
        }
        if (!isPort(peerPort)) {
            problems.push(`${path}.peerPort: ${show(peerPort)} is not a port; use a whole number from 1 to 65535.`);
        }
        if (isPort(clientPort) && clientPort === peerPort) {
            problems.push(`${path}: clientPort and peerPort are both ${clientPort}; give them different ports (2379 and 2380 by default).`);
        }
        const address = m.address ?? (host?.scheme === "unix" ? "127.0.0.1" : host?.hostname);
        if (address === undefined) {
            if (host) {
                problems.push(`${path}.address: missing and not derivable from its host; set the IP or DNS name peers reach it at.`);
            }
        } else if (typeof address !== "string" || !isAddress(address)) {
            const hint = typeof address === "string" && /^[a-z]+:\/\//.test(address) ? " without the scheme" :
                typeof address === "string" && /:\d+$/.test(address) ? " without the port (set clientPort/peerPort)" : "";
            problems.push(`${path}.address: ${show(address)} is not an IP address or DNS name; give the bare address${hint}, e.g. 10.0.0.137.`);
        } else if (networkMode === "published" && (address === "localhost" || address.startsWith("127."))) {
            problems.push(`${path}.address: ${show(address)} is a loopback address, which peers in other containers cannot reach with networkMode "published"; ` +
                `use the host's own address, or networkMode "host".`);
        }
        const containerName = m.containerName ?? m.name;
        const volumeName = m.volumeName ?? `${m.name}-data`;
        if (!dockerNamePattern.test(containerName)) {
            problems.push(`${path}.containerName: ${show(containerName)} is not a valid Docker container name.`);
        }
        if (!dockerNamePattern.test(volumeName)) {
            problems.push(`${path}.volumeName: ${show(volumeName)} is not a valid Docker volume name.`);
        }
        if (host && address !== undefined) {
            members.push({ name: m.name, host, address, clientPort, peerPort, containerName, volumeName });
        }
    });

    // Collisions only make sense between members that resolved cleanly.
    for (let i = 0; i < members.length; i++) {
        for (let j = 0; j < i; j++) {
            const [a, b] = [members[j], members[i]];
            const where = `members ${show(a.name)} and ${show(b.name)}`;
            const endpointsA = [a.clientPort, a.peerPort];
            for (const port of [b.clientPort, b.peerPort]) {
                if (a.address === b.address && endpointsA.includes(port)) {
                    problems.push(`${where} both use ${a.address}:${port}; give one of them other ports or another address.`);
                } else if (a.host === b.host && endpointsA.includes(port)) {
                    problems.push(`${where} both use port ${port} on Docker host ${show(a.host.name)}; give one of them other ports.`);
                }
            }
            if (a.host === b.host && a.containerName === b.containerName) {
                problems.push(`${where} both use container name ${show(a.containerName)} on host ${show(a.host.name)}; set containerName.`);
            }
            if (a.host === b.host && a.volumeName === b.volumeName) {
                problems.push(`${where} both use volume ${show(a.volumeName)} on host ${show(a.host.name)}; set volumeName.`);
            }
        }
    }

    const tls = resolveTls(args.tls, (Array.isArray(memberArgs) ? memberArgs : []).map((m) => m?.name).filter((n): n is string => typeof n === "string"), problems);
    const auth = resolveAuth(args.auth, problems);
    const scheme: UrlScheme = tls.mode === "off" ? "http" : "https";
    const bootstrap = resolveBootstrap(args.bootstrap, {
        clusterName, version, members, memberArgs: Array.isArray(memberArgs) ? memberArgs : [], hosts, scheme,
    }, problems, warnings);

    const tuning = args.tuning ?? {};
    checkTuning(tuning, problems);
    const extraEnv = args.extraEnv ?? {};
    checkExtraEnv(extraEnv, problems);

    const timeoutSeconds = args.healthCheck?.timeoutSeconds ?? defaultHealthCheckTimeoutSeconds;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5 || timeoutSeconds > 3600) {
        problems.push(`healthCheck.timeoutSeconds: ${show(timeoutSeconds)} must be a whole number of seconds from 5 to 3600.`);
    }

    if (problems.length > 0) {
        throw new EtcdClusterArgsError(problems, `arguments of EtcdCluster ${show(clusterName)}`);
    }
    if (members.length % 2 === 0) {
        warnings.push(`EtcdCluster ${show(clusterName)} has ${members.length} members: an even count tolerates no more failures than ` +
            `${members.length - 1} members do (quorum is ${members.length / 2 + 1}); use ${members.length - 1} or ${members.length + 1}.`);
    }
    const dnsmasqHost = bootstrap.mode === "dns" && bootstrap.dnsmasq?.kind === "container" ? bootstrap.dnsmasq.host : undefined;
    const usedHosts = hosts.filter((h) => members.some((m) => m.host === h) || h === dnsmasqHost);
    hosts.filter((h) => !usedHosts.includes(h)).forEach((h) => warnings.push(
        `EtcdCluster ${show(clusterName)}: host ${show(h.name)} (${h.url}) runs no member, so nothing is created on it; remove it or give it a member.`));
    return {
        clusterName,
        image,
        version,
        hosts: usedHosts,
        members,
        networkMode,
        restartPolicy,
        tuning,
        extraEnv,
        labels: args.labels ?? {},
        healthCheck: { enabled: args.healthCheck?.enabled ?? true, timeoutSeconds },
        bootstrap,
        scheme,
        tls,
        auth,
        warnings,
    };
}
