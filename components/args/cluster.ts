/**
 * The arguments of {@link EtcdCluster}: the cluster, its Docker hosts, its members, tuning and the health check.
 * Plain types with TSDoc, nothing else; `resolve/` checks them and applies the defaults documented here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BootstrapArgs } from "./bootstrap";
import type { DataVolumeArgs, LogArgs, MaintenanceArgs, MetricsArgs, ResourceLimitArgs, RestoreArgs } from "./operations";
import type { AuthArgs, TlsArgs } from "./security";

/**
 * A Docker engine that runs one or more members. One `docker.Provider` is created per host.
 *
 * Structural fields (name, url, options) are plain values, not `Input`s: they decide how many
 * providers exist and what they are called, which must be known before any resource is created.
 */
export interface DockerHostArgs {
    /** Name members use to refer to this host (`EtcdMemberArgs.host`). Letters, digits, `.`, `_`, `-`. */
    name: string;
    /**
     * Docker daemon address: `ssh://user@host[:port]` (recommended for remote hosts), `tcp://host:port`
     * (only with TLS material: a plain tcp daemon socket is root on that machine for anyone who can reach it),
     * or `unix:///path/to/docker.sock` (the local engine).
     * See https://docs.docker.com/engine/security/protect-access/.
     */
    url: string;
    /**
     * Extra `ssh` options for `ssh://` hosts, e.g. `["-i", "~/.ssh/etcd", "-o", "StrictHostKeyChecking=accept-new"]`.
     * Passed to the Docker provider and to the health check's `ssh`. Default: none (your ssh config applies).
     */
    sshOpts?: string[];
    /** PEM CA certificate that signed the `tcp://` daemon's certificate. Required with `certMaterial`. */
    caMaterial?: pulumi.Input<string>;
    /** PEM client certificate for a `tcp://` daemon. */
    certMaterial?: pulumi.Input<string>;
    /** PEM client private key for a `tcp://` daemon (pass it as a secret). */
    keyMaterial?: pulumi.Input<string>;
}

/** One etcd member: one container, one data volume, on one Docker host. */
export interface EtcdMemberArgs {
    /**
     * Member name (`--name`, https://etcd.io/docs/v3.6/op-guide/configuration/#--name). Also the default
     * container name. 1–63 characters: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
     */
    name: string;
    /** Name of the `hosts` entry that runs this member. Default: the only host, when there is exactly one. */
    host?: string;
    /**
     * Address (IP or DNS name, no scheme, no port) that peers and clients reach this member at; used in its
     * advertise URLs. Default: the host part of its Docker host's `ssh://`/`tcp://` url, or `127.0.0.1`
     * for a `unix://` host.
     */
    address?: string;
    /** Client port (`--advertise-client-urls`), 1–65535. Default 2379. */
    clientPort?: number;
    /** Peer port (`--initial-advertise-peer-urls`), 1–65535. Default 2380. */
    peerPort?: number;
    /**
     * Port of the metrics endpoint (`metrics.enabled`), plain http on every address of the member. Default: `peerPort + 1`
     * (2381 with the default ports). Only allowed with `metrics.enabled`.
     */
    metricsPort?: number;
    /** Container name. Default: the member name. Must be unique on its Docker host. */
    containerName?: string;
    /** Name of the Docker volume that holds the data dir. Default: `<member name>-data`. */
    volumeName?: string;
    /**
     * DNS name the member advertises with `bootstrap.mode: "dns"` (the target of its SRV records, and the host
     * of its advertise URLs). Default: `<member name>.<bootstrap.dns.domain>`. Only allowed in `dns` mode.
     * Must resolve to `address` (the managed dnsmasq records make it so).
     */
    dnsName?: string;
}

/**
 * etcd tuning, applied identically to every member (etcd requires equal timing settings cluster-wide).
 * See https://etcd.io/docs/v3.6/tuning/.
 */
export interface EtcdTuningArgs {
    /** `--heartbeat-interval` in ms. Default: etcd's (100). About the max round-trip time between members. */
    heartbeatIntervalMs?: number;
    /**
     * `--election-timeout` in ms. Default: etcd's (1000). Must be at least 5× the heartbeat interval and at
     * most 50000 (etcd refuses to start otherwise).
     */
    electionTimeoutMs?: number;
    /** `--quota-backend-bytes`. Default: etcd's (2 GiB). etcd warns above 8 GiB. */
    quotaBackendBytes?: number;
    /** `--auto-compaction-mode`: `periodic` or `revision`. Default: etcd's (`periodic`). */
    autoCompactionMode?: "periodic" | "revision";
    /** `--auto-compaction-retention`, e.g. `"1h"` (periodic) or `"1000"` (revision). Default: off. */
    autoCompactionRetention?: string;
    /** `--snapshot-count`. Default: etcd's (100000 before 3.6, 10000 from 3.6). */
    snapshotCount?: number;
    /** `--log-level`: debug, info, warn, error, panic or fatal. Default: etcd's (`info`). */
    logLevel?: "debug" | "info" | "warn" | "error" | "panic" | "fatal";
}

/** Post-deploy health check: a command that fails the deployment unless every member is started and healthy. */
export interface HealthCheckArgs {
    /** Run it. Default true. */
    enabled?: boolean;
    /** How long to wait for the cluster to become healthy, in seconds. Default 120, 5–3600. */
    timeoutSeconds?: number;
}

/**
 * How changes reach running members: member by member, health-gated, the leader last. Applies to every change
 * that replaces member containers (a new image, tuning, TLS settings) and to added members.
 * https://etcd.io/docs/v3.5/upgrades/upgrade_3_5/ describes the procedure this automates.
 */
export interface RolloutArgs {
    /**
     * How long one member may take to come back after its container is replaced, or to join and be promoted
     * when it is added (running, a voting member, `endpoint health` passing, caught up with the leader), in
     * seconds. When it does not, the deployment fails there and the members after it are left untouched.
     * Default 180, 10–3600.
     */
    memberTimeoutSeconds?: number;
    /**
     * A member counts as caught up when its raft applied index is at most this many entries behind the
     * leader's (`etcdctl endpoint status`, RAFT APPLIED INDEX). Default 1000, 1–1000000.
     */
    maxAppliedLag?: number;
    /**
     * How long a member's container is given to stop when it is replaced or removed (Docker's stop timeout:
     * SIGTERM, then SIGKILL). etcd hands leadership over and syncs its WAL on SIGTERM. Default 30, 1–600.
     */
    stopGraceSeconds?: number;
    /**
     * Directory (where Pulumi runs) that receives a snapshot of the cluster (`etcdctl snapshot save`) before
     * the first member of a running cluster is replaced: the way back if a rollout goes wrong
     * (https://etcd.io/docs/v3.6/op-guide/recovery/). Relative paths are relative to the program's working
     * directory. Default `etcd-snapshots`. The same snapshot also stays in the asked member's data volume
     * (`/var/lib/etcd/pre-rollout.db`, overwritten by the next rollout). Files are made 0600: a snapshot holds every key,
     * auth data included.
     */
    snapshotDir?: string;
    /**
     * Save that snapshot before every change of a running cluster's members: a rollout, members added or removed.
     * Verified with `snapshot status` (etcdutl from 3.5, etcdctl on 3.4); the `lastSnapshot` output describes it.
     * Default true.
     */
    snapshotBeforeChanges?: boolean;
}

/** Arguments of {@link EtcdCluster}. */
export interface EtcdClusterArgs {
    /** The members, at least one; an odd count (3, 5) is what gives fault tolerance. */
    members: EtcdMemberArgs[];
    /**
     * The Docker hosts. Default: one host named `local`, the local engine at `unix:///var/run/docker.sock`.
     */
    hosts?: DockerHostArgs[];
    /**
     * etcd image. Default `gcr.io/etcd-development/etcd:v3.6.17`. Any image whose default command starts etcd
     * and that has `etcdctl` at `/usr/local/bin/etcdctl` works (configuration goes only through `ETCD_*`
     * environment variables). The etcd version is read from the tag (`v3.5.16`, `3.5.16-…`). An image without a
     * tag is refused (Docker would pull `:latest`); with a digest and no tag, give `etcdVersion`.
     */
    image?: string;
    /** etcd version of `image` (e.g. `3.5.16`) when its tag does not say it (`latest`, a digest without tag). */
    etcdVersion?: string;
    /**
     * `--initial-cluster-token`. Default: generated once (random) and kept in state across updates.
     * https://etcd.io/docs/v3.6/op-guide/configuration/#--initial-cluster-token
     */
    clusterToken?: pulumi.Input<string>;
    /**
     * `host` (default): containers share the host's network stack and etcd listens on the member's ports
     * directly. `published`: ports published as `-p clientPort:2379 -p peerPort:2380` on Docker's bridge network; the
     * member's address must then be reachable from inside containers (not `127.0.0.1`).
     */
    networkMode?: "host" | "published";
    /** Docker restart policy of every member. Default `unless-stopped`. */
    restartPolicy?: "no" | "on-failure" | "always" | "unless-stopped";
    /** etcd tuning flags, the same on every member. */
    tuning?: EtcdTuningArgs;
    /**
     * Extra `ETCD_*` settings (name → value), e.g. `{ ETCD_MAX_TXN_OPS: "256" }`, for flags this component
     * has no argument for. A setting the component manages (name, URLs, cluster, tuning) is refused: use its
     * argument. https://etcd.io/docs/v3.6/op-guide/configuration/
     */
    extraEnv?: Record<string, string>;
    /**
     * Extra Docker labels on every container and data volume. A change reaches containers (rolling through the
     * members) and volumes created from then on; an existing data volume keeps the labels it was created with,
     * because Docker cannot relabel a volume and replacing it would risk its data.
     */
    labels?: Record<string, string>;
    /** The post-deploy health check. */
    healthCheck?: HealthCheckArgs;
    /** How the members find each other the first time they start. Default: `{ mode: "static" }`. */
    bootstrap?: BootstrapArgs;
    /**
     * TLS for clients and peers. Default `{ mode: "off" }` (plain http). With TLS on, every URL is
     * https, certificates reach the containers as Docker `uploads` (no host paths), and the health check and every
     * command the component runs use a client certificate. https://etcd.io/docs/v3.6/op-guide/security/
     */
    tls?: TlsArgs;
    /**
     * Authentication (etcd's RBAC, https://etcd.io/docs/v3.6/op-guide/authentication/). Default `{ enabled: false }`.
     * When enabled, after the cluster is healthy a command creates the `root` user (with the root role) and
     * enables auth, idempotently; the health check then authenticates as root.
     */
    auth?: AuthArgs;
    /** How changes roll through running members (added members, replaced containers). */
    rollout?: RolloutArgs;
    /** Container logs: driver and rotation. Default: `json-file`, 10 MB × 5 files per member. */
    logs?: LogArgs;
    /** Memory and CPU limits of every member container. Default: none. */
    resources?: ResourceLimitArgs;
    /** The metrics endpoint (`--listen-metrics-urls`). Default: off. */
    metrics?: MetricsArgs;
    /** The data volumes on `pulumi destroy`. Default: `{ onDestroy: "retain", protect: false }`. */
    dataVolumes?: DataVolumeArgs;
    /** Create the cluster from a snapshot. Default: none (an empty cluster). */
    restore?: RestoreArgs;
    /** Scheduled snapshots (kept to the last N) and defragmentation, in a container on one host. Default: none. */
    maintenance?: MaintenanceArgs;
}
