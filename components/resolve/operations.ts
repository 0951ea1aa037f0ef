/**
 * Logs, resource limits, metrics and data volumes: each checked (every problem with field, value and fix) and
 * returned with its defaults.
 */
import * as fs from "fs";
import * as path from "path";
import type { EtcdClusterArgs } from "../args";
import { dockerNamePattern, isPort, show } from "./argChecks";
import { defaultImage, defaultLogOptions } from "./defaults";
import { atLeast, imageTag, versionFromImage } from "./etcdVersion";
import type { ResolvedMember, ResolvedOperations } from "./model";

const logDriverPattern = /^[a-z0-9][a-z0-9_.\-/:]*$/;
/** Drivers `docker logs` reads (https://docs.docker.com/engine/logging/drivers/#limitations-of-logging-drivers). */
const readableLogDrivers = ["json-file", "local", "journald"];
const defaultQuotaBytes = 2 * 1024 ** 3;

function resolveLogs(args: EtcdClusterArgs, problems: string[], warnings: string[]): ResolvedOperations["logs"] {
    const driver = args.logs?.driver ?? "json-file";
    if (typeof driver !== "string" || !logDriverPattern.test(driver)) {
        problems.push(`logs.driver: ${show(driver)} is not a Docker log driver name; use e.g. "json-file", "local" or "journald".`);
    }
    const given = args.logs?.options;
    if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
        problems.push(`logs.options: ${show(given)} must be an object of option name → string value, e.g. { "max-size": "10m" }.`);
        return { driver, options: {} };
    }
    for (const [k, v] of Object.entries(given ?? {})) {
        if (typeof v !== "string") problems.push(`logs.options.${k}: ${show(v)} must be a string (quote numbers, e.g. "5").`);
    }
    if (!readableLogDrivers.includes(driver)) {
        warnings.push(`logs.driver ${show(driver)}: docker logs cannot read it (unless Docker's dual logging is on), so failure messages cannot quote the members' logs.`);
    }
    const options = given ?? (["json-file", "local"].includes(driver) ? { ...defaultLogOptions } : {});
    return { driver, options };
}

function resolveResources(args: EtcdClusterArgs, problems: string[], warnings: string[]): ResolvedOperations["resources"] {
    const { memoryMb, cpus } = args.resources ?? {};
    if (memoryMb !== undefined && (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 16 * 1024 * 1024)) {
        problems.push(`resources.memoryMb: ${show(memoryMb)} must be a whole number of MiB from 128 (etcd needs more in practice: https://etcd.io/docs/v3.5/op-guide/hardware/#memory).`);
    } else if (memoryMb !== undefined && memoryMb * 1024 ** 2 < (args.tuning?.quotaBackendBytes || defaultQuotaBytes)) {
        warnings.push(`resources.memoryMb: ${memoryMb} MiB is less than the database may grow to (tuning.quotaBackendBytes, ${args.tuning?.quotaBackendBytes || defaultQuotaBytes} bytes): ` +
            `a member with a large database is then slowed down by page-cache eviction, or killed by the kernel.`);
    }
    if (cpus !== undefined && (typeof cpus !== "number" || !Number.isFinite(cpus) || cpus < 0.01 || cpus > 1024)) {
        problems.push(`resources.cpus: ${show(cpus)} must be a number of CPUs from 0.01 to 1024, e.g. 1.5.`);
    }
    return { memoryMb, cpus };
}

function resolveDataVolumes(args: EtcdClusterArgs, problems: string[]): ResolvedOperations["dataVolumes"] {
    const onDestroy = args.dataVolumes?.onDestroy ?? "retain";
    if (!["retain", "delete"].includes(onDestroy)) {
        problems.push(`dataVolumes.onDestroy: ${show(onDestroy)} must be "retain" (keep the data when the cluster is destroyed) or "delete".`);
    }
    const protect = args.dataVolumes?.protect ?? false;
    if (typeof protect !== "boolean") {
        problems.push(`dataVolumes.protect: ${show(protect)} must be true or false.`);
    }
    return { onDestroy, protect };
}

/**
 * `metrics`, and each member's `metricsPort` (set on `members`, which must have resolved cleanly): given ports are
 * refused without `metrics.enabled` (nothing would listen there), and a metrics port may clash with no port of a
 * member on the same host.
 */
function resolveMetrics(args: EtcdClusterArgs, members: ResolvedMember[], problems: string[]): ResolvedOperations["metrics"] {
    const enabled = args.metrics?.enabled ?? false;
    if (typeof enabled !== "boolean") {
        problems.push(`metrics.enabled: ${show(enabled)} must be true or false.`);
    }
    for (const m of members) {
        const given = args.members[m.index]?.metricsPort;
        if (given !== undefined && enabled !== true) {
            problems.push(`members[${m.index}].metricsPort: ${show(given)} is set but metrics.enabled is not; enable metrics or remove metricsPort.`);
        } else if (given !== undefined && !isPort(given)) {
            problems.push(`members[${m.index}].metricsPort: ${show(given)} is not a port; use a whole number from 1 to 65535.`);
        } else if (enabled === true) {
            m.metricsPort = given ?? m.peerPort + 1;
        }
    }
    for (const m of members.filter((x) => x.metricsPort !== undefined)) {
        const clash = members.find((o) => o.host === m.host && (o.clientPort === m.metricsPort || o.peerPort === m.metricsPort ||
            (o !== m && o.metricsPort === m.metricsPort)));
        if (clash) {
            problems.push(`members[${m.index}].metricsPort: ${m.metricsPort} is also a port of member ${show(clash.name)} on host ${show(m.host.name)}; set another metricsPort.`);
        }
    }
    return { enabled: enabled === true };
}

/** `restore`: a readable file, with static bootstrap (the restore needs the initial cluster). Reads the file system. */
function resolveRestore(args: EtcdClusterArgs, problems: string[]): ResolvedOperations["restore"] {
    if (args.restore === undefined) return undefined;
    const snapshot = args.restore?.snapshot;
    if (typeof snapshot !== "string" || snapshot.trim() === "") {
        problems.push(`restore.snapshot: ${show(snapshot)} must be the path of a snapshot file (etcdctl snapshot save).`);
        return undefined;
    }
    const file = path.resolve(snapshot);
    let ok = false;
    try {
        ok = fs.statSync(file).isFile();
        fs.accessSync(file, fs.constants.R_OK);
    } catch {
        ok = false;
    }
    if (!ok) problems.push(`restore.snapshot: ${show(snapshot)} is not a readable file where Pulumi runs (${file}); give the path of a snapshot file.`);
    const mode = args.bootstrap?.mode ?? "static";
    if (mode !== "static") {
        problems.push(`restore: a restore needs bootstrap.mode "static" (it writes the initial cluster into each member's data), not ${show(mode)}.`);
    }
    if (args.auth?.enabled === true && args.auth.rootPassword === undefined) {
        problems.push(`restore with auth.enabled needs auth.rootPassword: the snapshot holds the users of the cluster it was saved from, ` +
            `so the restored cluster's root has that cluster's password; give it (as a secret).`);
    }
    return { snapshot: file };
}

/** A Dockerfile for a maintenance image: busybox's sh and tools, and the etcd binaries of the cluster's own image. */
function maintenanceDockerfile(clusterImage: unknown): string {
    const etcdImage = typeof clusterImage === "string" && imageTag(clusterImage) !== undefined ? clusterImage : defaultImage;
    const version = versionFromImage(etcdImage);
    // etcdutl exists from 3.5 on; the maintenance loop uses it for snapshot status there.
    const binaries = version !== undefined && !atLeast(version, 3, 5) ? "etcdctl" : "etcdctl /usr/local/bin/etcdutl";
    return `FROM ${etcdImage} AS etcd / FROM busybox:1.36 / COPY --from=etcd /usr/local/bin/${binaries} /usr/local/bin/`;
}

/** `maintenance`: an image, whole numbers in range, a known host (default the first member's), a volume name. */
function resolveMaintenance(clusterName: string, args: EtcdClusterArgs, members: ResolvedMember[], problems: string[]): ResolvedOperations["maintenance"] {
    const m = args.maintenance;
    if (m === undefined) return undefined;
    const image = m.image;
    if (typeof image !== "string" || image.trim() === "" || /\s/.test(image)) {
        problems.push(`maintenance.image: ${show(image)} must name an image with a POSIX sh and /usr/local/bin/etcdctl (and etcdutl from 3.5) ` +
            `of the cluster's etcd version; the etcd image has no shell. E.g. build one from these Dockerfile lines and give its tag: ${maintenanceDockerfile(args.image)}.`);
    }
    const ranged = (key: "intervalSeconds" | "keep", def: number, min: number, max: number) => {
        const v = m[key] ?? def;
        if (!Number.isInteger(v) || v < min || v > max) problems.push(`maintenance.${key}: ${show(v)} must be a whole number from ${min} to ${max}.`);
        return v;
    };
    const intervalSeconds = ranged("intervalSeconds", 3600, 5, 604800);
    const keep = ranged("keep", 24, 1, 10000);
    const defrag = m.defrag ?? true;
    if (typeof defrag !== "boolean") problems.push(`maintenance.defrag: ${show(defrag)} must be true or false.`);
    const host = m.host === undefined ? members[0]?.host : members.find((x) => x.host.name === m.host)?.host;
    if (m.host !== undefined && host === undefined) {
        problems.push(`maintenance.host: ${show(m.host)} runs no member; use one of ${[...new Set(members.map((x) => show(x.host.name)))].join(", ")}.`);
    }
    const volumeName = m.volumeName ?? `${clusterName}-backups`;
    if (!dockerNamePattern.test(volumeName)) problems.push(`maintenance.volumeName: ${show(volumeName)} is not a valid Docker volume name.`);
    return host === undefined ? undefined : { image, intervalSeconds, keep, defrag, host, volumeName };
}

/** `logs`, `resources`, `metrics`, `dataVolumes`, `restore` and `maintenance`. */
export function resolveOperations(clusterName: string, args: EtcdClusterArgs, members: ResolvedMember[], problems: string[], warnings: string[]): ResolvedOperations {
    return {
        logs: resolveLogs(args, problems, warnings),
        resources: resolveResources(args, problems, warnings),
        metrics: resolveMetrics(args, members, problems),
        dataVolumes: resolveDataVolumes(args, problems),
        restore: resolveRestore(args, problems),
        maintenance: resolveMaintenance(clusterName, args, members, problems),
    };
}
