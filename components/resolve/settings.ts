/**
 * The cluster-wide settings: image and etcd version, Docker networking and restart policy, tuning, extra
 * `ETCD_*` variables and the health check. Each function checks its settings (pushing each problem with
 * field, value and fix) and returns them with the defaults applied.
 */
import type { EtcdClusterArgs, EtcdTuningArgs } from "../args";
import { show } from "./argChecks";
import { defaultHealthCheckTimeoutSeconds, defaultImage, defaultRollout } from "./defaults";
import { EtcdVersion, formatEtcdVersion, imageTag, parseEtcdVersion, versionFromImage } from "./etcdVersion";
import type { ResolvedCluster, ResolvedRollout } from "./model";

const etcdEnvPattern = /^ETCD_[A-Z0-9_]+$/;
const logLevels = ["debug", "info", "warn", "error", "panic", "fatal"];

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
    ETCD_LISTEN_METRICS_URLS: "metrics.enabled and members[].metricsPort",
};

/** `networkMode` and `restartPolicy`. */
export function resolveDockerSettings(args: EtcdClusterArgs, problems: string[]): Pick<ResolvedCluster, "networkMode" | "restartPolicy"> {
    const networkMode = args.networkMode ?? "host";
    if (!["host", "published"].includes(networkMode)) {
        problems.push(`networkMode: ${show(networkMode)} must be "host" or "published".`);
    }
    const restartPolicy = args.restartPolicy ?? "unless-stopped";
    if (!["no", "on-failure", "always", "unless-stopped"].includes(restartPolicy)) {
        problems.push(`restartPolicy: ${show(restartPolicy)} must be one of no, on-failure, always, unless-stopped.`);
    }
    return { networkMode, restartPolicy };
}

/** `image`, and the etcd version from `etcdVersion` or the image tag. */
/**
 * An image without a tag: the etcd version is read from the tag, and without a digest Docker pulls `:latest`,
 * whichever release that is on the day (and on each host), so it is refused. A digest pins the image, but only
 * `etcdVersion` can then say which etcd it holds.
 */
function untagged(image: string, etcdVersion: string | undefined, problems: string[]): void {
    const example = imageTag(defaultImage)!;
    if (!image.includes("@")) {
        problems.push(`image: ${show(image)} has no tag, so Docker would pull ${show(`${image}:latest`)}, whichever etcd release that is on the day, ` +
            `and the component reads the etcd version from the tag; pin a release, e.g. ${show(`${image}:${example}`)}.`);
    } else if (etcdVersion === undefined) {
        problems.push(`image: ${show(image)} has a digest but no tag, so the etcd version (read from the tag) is unknown; ` +
            `set etcdVersion to the release the digest holds, e.g. etcdVersion: ${show(example.replace(/^v/, ""))}.`);
    }
}

export function resolveImage(args: EtcdClusterArgs, problems: string[]): { image: string; version?: EtcdVersion } {
    const image = args.image ?? defaultImage;
    if (typeof image !== "string" || image.trim() === "" || /\s/.test(image)) {
        problems.push(`image: ${show(image)} is not an image reference; use e.g. ${defaultImage}.`);
    } else if (imageTag(image) === undefined) {
        untagged(image, args.etcdVersion, problems);
    }
    if (args.etcdVersion === undefined) {
        return { image, version: typeof image === "string" ? versionFromImage(image) : undefined };
    }
    const version = parseEtcdVersion(args.etcdVersion);
    if (!version) {
        problems.push(`etcdVersion: ${show(args.etcdVersion)} is not a version; use e.g. "3.5.16".`);
    }
    const fromTag = typeof image === "string" ? versionFromImage(image) : undefined;
    if (version && fromTag && formatEtcdVersion(fromTag) !== formatEtcdVersion(version)) {
        problems.push(`etcdVersion: ${show(args.etcdVersion)} contradicts the image tag of ${show(image)} (${formatEtcdVersion(fromTag)}); remove etcdVersion or fix the image.`);
    }
    return { image, version };
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

/** `tuning`, `extraEnv`, `labels` and `healthCheck`. */
export function resolveEtcdSettings(args: EtcdClusterArgs, problems: string[]): Pick<ResolvedCluster, "tuning" | "extraEnv" | "labels" | "healthCheck"> {
    const tuning = args.tuning ?? {};
    checkTuning(tuning, problems);
    const extraEnv = args.extraEnv ?? {};
    checkExtraEnv(extraEnv, problems);
    const timeoutSeconds = args.healthCheck?.timeoutSeconds ?? defaultHealthCheckTimeoutSeconds;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5 || timeoutSeconds > 3600) {
        problems.push(`healthCheck.timeoutSeconds: ${show(timeoutSeconds)} must be a whole number of seconds from 5 to 3600.`);
    }
    return { tuning, extraEnv, labels: args.labels ?? {}, healthCheck: { enabled: args.healthCheck?.enabled ?? true, timeoutSeconds } };
}

/** `rollout`: whole numbers in their ranges, a non-empty directory name. */
export function resolveRollout(args: EtcdClusterArgs, problems: string[]): ResolvedRollout {
    const r = { ...defaultRollout, ...Object.fromEntries(Object.entries(args.rollout ?? {}).filter(([, v]) => v !== undefined)) } as ResolvedRollout;
    const ranges: [keyof ResolvedRollout, number, number][] = [["memberTimeoutSeconds", 10, 3600], ["maxAppliedLag", 1, 1000000], ["stopGraceSeconds", 1, 600]];
    for (const [key, min, max] of ranges) {
        const v = r[key];
        if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
            problems.push(`rollout.${key}: ${show(v)} must be a whole number from ${min} to ${max}.`);
        }
    }
    if (typeof r.snapshotBeforeChanges !== "boolean") {
        problems.push(`rollout.snapshotBeforeChanges: ${show(r.snapshotBeforeChanges)} must be true or false.`);
    }
    if (typeof r.snapshotDir !== "string" || r.snapshotDir.trim() === "" || /[\n\0]/.test(r.snapshotDir)) {
        problems.push(`rollout.snapshotDir: ${show(r.snapshotDir)} must name a directory, e.g. "etcd-snapshots".`);
    }
    return r;
}
