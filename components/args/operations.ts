/**
 * Arguments for running a cluster for real: container logs, resource limits, the metrics endpoint and what
 * happens to the data volumes when the cluster is destroyed.
 */

/**
 * The members' container logs. Docker's default `json-file` driver never rotates
 * (https://docs.docker.com/engine/logging/drivers/json-file/): without limits an etcd that logs a lot fills the
 * host's disk. Changing these settings replaces the containers, one member at a time.
 */
export interface LogArgs {
    /**
     * Docker log driver (https://docs.docker.com/engine/logging/configure/). Default `json-file`. With a driver
     * other than `json-file`, `local` or `journald`, `docker logs` shows nothing (unless Docker's dual logging is
     * on), and neither can the component's failure messages, which quote the members' logs.
     */
    driver?: string;
    /**
     * Options of the driver (`--log-opt`). Default for `json-file` and `local`: `{ "max-size": "10m", "max-file": "5" }`
     * (at most 50 MB of logs per member); no default for other drivers. Given options replace the defaults as a
     * whole; give an empty object to keep Docker's own (unbounded for `json-file`).
     */
    options?: Record<string, string>;
}

/**
 * Resource limits of each member container. etcd's memory is mostly its boltdb, memory-mapped: plan for the
 * database size (at most `tuning.quotaBackendBytes`, 2 GiB by default) plus a few hundred MB, and 8 GB or more
 * for heavy clusters (https://etcd.io/docs/v3.5/op-guide/hardware/#memory). A member that reaches its limit is
 * killed by the kernel (OOM), so a limit too small makes a cluster lose members under load. Default: no limits.
 */
export interface ResourceLimitArgs {
    /**
     * Memory limit in MiB (Docker `--memory`), at least 128. Changed in place (`docker update`), without a restart.
     * A limit below `tuning.quotaBackendBytes` is allowed (the boltdb pages are file-backed and reclaimable) but
     * warned about.
     */
    memoryMb?: number;
    /** CPU limit in CPUs (Docker `--cpus`), e.g. `1.5`; from 0.01 to 1024. Changing it replaces the containers, one at a time. */
    cpus?: number;
}

/**
 * etcd's metrics and health endpoint on a separate, plain-http port (`--listen-metrics-urls`,
 * https://etcd.io/docs/v3.6/op-guide/configuration/#--listen-metrics-urls), so that Prometheus can scrape
 * `/metrics` and load balancers can probe `/health` without client certificates even when TLS is on. Off by default:
 * it opens one more port on every member, answering without authentication (metrics hold no keys or values).
 */
export interface MetricsArgs {
    /** Serve `/metrics` and `/health` on each member's `metricsPort`. Default false. */
    enabled?: boolean;
}

/**
 * A new cluster made from a snapshot (https://etcd.io/docs/v3.5/op-guide/recovery/#restoring-a-cluster): before
 * each member first starts, its data volume is prepared with `etcdutl snapshot restore` (`etcdctl` on 3.4) under its
 * own name and peer URL, the full initial cluster and the cluster token. Static bootstrap only. The snapshot is
 * checked first: a corrupt one fails the deployment before any member exists. A volume that already holds data is
 * never overwritten (the deployment fails, naming it). Used once, when the members are created: leaving it in the
 * arguments afterwards changes nothing; members added later join the running cluster empty, as always. With
 * `auth.enabled`, give `auth.rootPassword`: the snapshot holds the users of the cluster it came from.
 */
export interface RestoreArgs {
    /** Path, where Pulumi runs, of a snapshot file (`etcdctl snapshot save`, or this component's `lastSnapshot.path`). */
    snapshot: string;
}

/**
 * Scheduled maintenance on a Docker host, so that it keeps running between deployments: a small container the
 * component creates takes a snapshot every `intervalSeconds` into a named volume, verifies it (`snapshot status`),
 * keeps the last `keep`, and then defragments the members one at a time, never the whole cluster at once (defrag
 * blocks the member it runs on: https://etcd.io/docs/v3.5/op-guide/maintenance/#defragmentation). Changing these
 * settings replaces only that container, never a member.
 */
export interface MaintenanceArgs {
    /**
     * Image of the maintenance container. The official etcd image has no shell, so this is another one: it must have a
     * POSIX `sh` with `date`, `sleep`, `ls`, `rm`, `mv`, `chmod`, `tail`, `sed` on PATH, and `/usr/local/bin/etcdctl`
     * (and `/usr/local/bin/etcdutl` from 3.5) of the cluster's etcd version, e.g. an image built `FROM` a busybox image
     * with those two binaries copied from the etcd image. Required. For example, from this Dockerfile:
     * ```
     * FROM gcr.io/etcd-development/etcd:v3.6.17 AS etcd
     * FROM busybox:1.36
     * COPY --from=etcd /usr/local/bin/etcdctl /usr/local/bin/etcdutl /usr/local/bin/
     * ```
     */
    image: string;
    /** Seconds between two runs (snapshot, prune, defrag). Default 3600, 5–604800. */
    intervalSeconds?: number;
    /** How many snapshots to keep in the volume, the newest. Default 24, 1–10000. */
    keep?: number;
    /** Defragment each member after the snapshot, one at a time. Default true. */
    defrag?: boolean;
    /** The `hosts` entry that runs the container. Default: the first member's host. */
    host?: string;
    /** The named volume that holds the snapshots (mounted at /backups). Default `<cluster name>-backups`. */
    volumeName?: string;
}

/** The members' data volumes across `pulumi destroy`. */
export interface DataVolumeArgs {
    /**
     * What `pulumi destroy` (or removing the whole cluster from the program) does with the data volumes:
     * `retain` (default) leaves them on their hosts and says so, and a later deployment with the same member and
     * volume names starts on that data (the cluster comes back with its keys; etcd ignores the bootstrap settings
     * once a data dir exists); `delete` removes them with the containers. A member removed from `members` (a
     * scale-in) always loses its volume: after `member remove` its data can never rejoin the cluster.
     */
    onDestroy?: "retain" | "delete";
    /**
     * Pulumi's `protect` on every data volume (https://www.pulumi.com/docs/iac/concepts/options/protect/): no
     * deployment may delete one, including a scale-in, until protection is lifted. Default false.
     */
    protect?: boolean;
}
