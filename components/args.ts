import * as pulumi from "@pulumi/pulumi";

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

/** Arguments of {@link EtcdCluster}. */
export interface EtcdClusterArgs {
    /** The members, at least one; an odd count (3, 5) is what gives fault tolerance. */
    members: EtcdMemberArgs[];
    /**
     * The Docker hosts. Default: one host named `local`, the local engine at `unix:///var/run/docker.sock`.
     */
    hosts?: DockerHostArgs[];
    /**
     * etcd image. Default `gcr.io/etcd-development/etcd:v3.6.14`. Any image whose default command starts etcd
     * and that has `etcdctl` at `/usr/local/bin/etcdctl` works (configuration goes only through `ETCD_*`
     * environment variables). The etcd version is read from the tag (`v3.5.16`, `3.5.16-…`).
     */
    image?: string;
    /** etcd version of `image` (e.g. `3.5.16`) when its tag does not say it. */
    etcdVersion?: string;
    /**
     * `--initial-cluster-token`. Default: generated once (random) and kept in state across updates.
     * https://etcd.io/docs/v3.6/op-guide/configuration/#--initial-cluster-token
     */
    clusterToken?: pulumi.Input<string>;
    /**
     * `host` (default): containers share the host's network stack and etcd listens on the member's ports
     * directly. `published`: the seed's `-p clientPort:2379 -p peerPort:2380` on Docker's bridge network; the
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
    /** Extra Docker labels on every container and volume. */
    labels?: Record<string, string>;
    /** The post-deploy health check. */
    healthCheck?: HealthCheckArgs;
    /** How the members find each other the first time they start. Default: `{ mode: "static" }`. */
    bootstrap?: BootstrapArgs;
    /**
     * TLS for clients and peers. Default `{ mode: "off" }` (plain http, as the seed). With TLS on, every URL is
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
}

/**
 * TLS settings. `auto` creates a CA, per member a server and a peer certificate, and a client certificate with
 * `@pulumi/tls` (kept in state); `provided` takes your PEMs.
 */
export interface TlsArgs {
    /**
     * - `off` (default): plain http everywhere.
     * - `auto`: the component creates an ECDSA P-256 CA and certificates whose SANs cover every name and address a
     *   member is reached by (its `address`, its DNS name and the SRV domain with DNS bootstrap, `localhost` and
     *   `127.0.0.1`), plus a client certificate (output `clientCertificate`/`clientKey`, secrets).
     * - `provided`: you pass the CA and per-member certificates in {@link TlsArgs.provided}.
     */
    mode?: "off" | "auto" | "provided";
    /**
     * `ETCD_CLIENT_CERT_AUTH`: clients must present a certificate signed by the CA. Default true with TLS.
     * With auth enabled too, a certificate's common name counts as a user name; the client certificate the
     * component makes is for `etcd-client`, which is no etcd user, so it grants nothing by itself.
     */
    clientCertAuth?: boolean;
    /** `ETCD_PEER_CLIENT_CERT_AUTH`: peers must present a certificate signed by the CA. Default true with TLS. */
    peerClientCertAuth?: boolean;
    /** `auto` only: validity of the CA and every certificate, in hours, 1–876000. Default 87600 (10 years). */
    validityHours?: number;
    /** Your certificates; required with `mode: "provided"`, refused otherwise. */
    provided?: ProvidedTlsArgs;
}

/** PEM material for `tls.mode: "provided"`. Pass keys as secrets (`pulumi.secret` or `config.requireSecret`). */
export interface ProvidedTlsArgs {
    /** PEM CA certificate that signed every certificate below (members trust clients and peers signed by it). */
    ca: pulumi.Input<string>;
    /**
     * Per member name: its certificate and key, used as both server and peer certificate. The certificate must
     * allow server and client authentication (extended key usages serverAuth and clientAuth) and its SANs must
     * cover the member's address (and DNS name and SRV domain with DNS bootstrap) and 127.0.0.1.
     */
    members: Record<string, { cert: pulumi.Input<string>; key: pulumi.Input<string> }>;
    /**
     * A client certificate and key (clientAuth) for the health check and the auth command. Its common name should
     * not be an etcd user (with auth on, the CN would log in as that user).
     */
    client: { cert: pulumi.Input<string>; key: pulumi.Input<string> };
}

/** Authentication settings. */
export interface AuthArgs {
    /** Create the root user and enable authentication. Default false. */
    enabled?: boolean;
    /**
     * The root password (pass it as a secret). Default: generated with `random.RandomPassword` (32 letters and
     * digits, kept in state) and exported as the secret output `rootPassword`. No whitespace (etcdctl reads it
     * from stdin up to the first blank). Changing it after auth is enabled is not supported: the auth command
     * then fails, saying root's password is refused.
     */
    rootPassword?: pulumi.Input<string>;
}

/**
 * How a new cluster is bootstrapped (https://etcd.io/docs/v3.6/op-guide/clustering/). Bootstrapping happens
 * once: a member that already has a data dir ignores all of this when it restarts.
 */
export interface BootstrapArgs {
    /**
     * - `static` (default): `ETCD_INITIAL_CLUSTER` lists every member's name and peer URL.
     * - `discovery`: the component creates a single-use discovery token (a new one whenever the member set
     *   changes) and members find each other through it; see {@link DiscoveryBootstrapArgs}. Members get no
     *   `ETCD_INITIAL_CLUSTER` (etcd refuses "multiple discovery or bootstrap flags").
     * - `dns`: members advertise DNS names and find each other through SRV records under a domain
     *   (`ETCD_DISCOVERY_SRV`); see {@link DnsBootstrapArgs}. With http peers needs etcd ≥ 3.5; with `tls` on,
     *   `_etcd-server-ssl` records are used, which etcd 3.4 needs.
     */
    mode?: "static" | "discovery" | "dns";
    /** Settings of `mode: "discovery"` (only allowed in that mode). */
    discovery?: DiscoveryBootstrapArgs;
    /** Settings of `mode: "dns"` (required in that mode, refused otherwise). */
    dns?: DnsBootstrapArgs;
}

/**
 * Discovery-token bootstrap (https://etcd.io/docs/v3.6/dev-internal/discovery_protocol/). The token is
 * created during the deployment, before any member starts, and is single-use: a new one is made whenever the
 * member set (names and peer URLs) changes. Where Pulumi runs needs `curl`.
 *
 * The source is either a discovery service (`serviceUrl`, the default being the public
 * https://discovery.etcd.io, which is unmaintained and has answered 503: prefer a self-hosted etcd or static
 * bootstrap) or an existing etcd cluster you run (`endpoints`).
 */
export interface DiscoveryBootstrapArgs {
    /**
     * A v2 discovery service: the component asks `<serviceUrl>/new?size=<members>` for a token URL and gives it
     * to every member as `ETCD_DISCOVERY`. Default `https://discovery.etcd.io` when `endpoints` is not set.
     * http(s) URL without query. Not with `endpoints`. The service speaks v2 discovery only, so not with etcd ≥ 3.7.
     */
    serviceUrl?: string;
    /**
     * Client URLs (`http(s)://host:port`, no path) of an existing etcd cluster that holds the token:
     * - protocol `v2`: exactly one URL; that etcd must be ≤ 3.5 started with `--enable-v2` (removed in 3.6). The
     *   component PUTs `<url>/v2/keys/discovery/<token>/_config/size` and members get
     *   `ETCD_DISCOVERY=<url>/v2/keys/discovery/<token>`.
     * - protocol `v3`: one or more URLs of any etcd serving the v3 API; the component writes
     *   `/_etcd/registry/<token>/_config/size` through the v3 JSON gateway (`POST <url>/v3/kv/put`, so that
     *   `etcdctl` is not needed where Pulumi runs) and members get `ETCD_DISCOVERY_TOKEN` and
     *   `ETCD_DISCOVERY_ENDPOINTS`.
     */
    endpoints?: string[];
    /**
     * Discovery protocol of the members. Default: from the etcd version, `v2` up to 3.5, `v3` from 3.6
     * (3.6 still has v2 but deprecates it; 3.7 removed it). `v3` needs etcd ≥ 3.6 and `endpoints`;
     * `v2` needs etcd ≤ 3.6. The etcd version must be known (image tag or `etcdVersion`).
     * https://etcd.io/docs/v3.6/op-guide/clustering/#etcd-discovery
     */
    protocol?: "v2" | "v3";
    /** How many times the token request is tried before the deployment fails, 1–20. Default 5 (backing off 1, 2, 4, 8 s). */
    attempts?: number;
}

/**
 * DNS SRV bootstrap (https://etcd.io/docs/v3.6/op-guide/clustering/#dns-discovery). Members advertise
 * `http://<dnsName>:<port>` (listen URLs stay IPs) and get `ETCD_DISCOVERY_SRV=<domain>`; etcd looks up
 * `_etcd-server._tcp.<domain>` (`_etcd-server-ssl._tcp` once peers use TLS) and each member's advertised name
 * must be one of the SRV targets. etcd 3.4 cannot bootstrap from http SRV records (etcd issue 11321), so
 * this mode needs etcd ≥ 3.5 or TLS (`tls`), whose `_etcd-server-ssl` records and https peers 3.4 does use.
 */
export interface DnsBootstrapArgs {
    /** The SRV domain (`ETCD_DISCOVERY_SRV`), e.g. `example.com`. Required. */
    domain: string;
    /**
     * `ETCD_DISCOVERY_SRV_NAME`: a suffix that makes the records `_etcd-server-<srvName>._tcp.<domain>` and
     * `_etcd-client-<srvName>._tcp.<domain>`, so several clusters can share a domain. Letters, digits, `-`.
     * Default: none.
     */
    srvName?: string;
    /**
     * Serve the SRV and host records from dnsmasq managed by the component. Default: none (you publish the
     * records yourself; the `dnsmasqConfig` output shows them).
     */
    dnsmasq?: DnsmasqArgs;
}

/**
 * dnsmasq serving the cluster's records (the seed's `srv-host=` and `host-record=` lines), either as a
 * container the component runs (`container`) or as a drop-in file on a dnsmasq server you run (`remote`);
 * exactly one of the two. Before any member starts, a check resolves the SRV name against the server
 * (`dig`, which must be installed where Pulumi runs) and requires one answer per member. Members'
 * `address`es must be IPs (they become `host-record`s).
 */
export interface DnsmasqArgs {
    /** Run dnsmasq as a container with host networking on one of `hosts`. */
    container?: DnsmasqContainerArgs;
    /** Write the records as a drop-in file to an existing dnsmasq server over ssh, and reload it. */
    remote?: DnsmasqRemoteArgs;
    /**
     * Point every member container at this dnsmasq (Docker `dns: [address]`). Default: true for `container`
     * (then `port` must be 53: Docker cannot give containers a DNS port), false for `remote`.
     */
    useForMembers?: boolean;
    /**
     * `server=` lines: where dnsmasq forwards every other name (members otherwise resolve only the cluster's
     * names when pointed at it). Default: none.
     */
    upstreamServers?: string[];
    /** How many times the SRV check asks before failing the deployment, 1–120, one second apart or more. Default 30. */
    checkAttempts?: number;
}

export interface DnsmasqContainerArgs {
    /** Name of the `hosts` entry to run dnsmasq on. Required. */
    host: string;
    /**
     * Image with a `dnsmasq` binary on its PATH (e.g. one built from Debian's dnsmasq-base). Required: there
     * is no official image. It runs `dnsmasq -k -C /etc/dnsmasq.d/etcd.conf --no-resolv --no-hosts
     * --listen-address=<address> --bind-interfaces --port=<port>`.
     */
    image: string;
    /** IP address dnsmasq listens on. Default: the host's address (the host part of its ssh/tcp url). */
    address?: string;
    /** UDP/TCP port, 1–65535. Default 53. */
    port?: number;
    /** Container name. Default `<cluster name>-dnsmasq`. */
    containerName?: string;
}

export interface DnsmasqRemoteArgs {
    /** ssh host (IP or DNS name) of the dnsmasq server. Required. */
    host: string;
    /** ssh port. Default 22. */
    sshPort?: number;
    /** ssh user. Default `root` (the file and the reload need it). */
    user?: string;
    /** ssh private key (PEM/OpenSSH contents; pass it as a secret). Default: the ssh agent. */
    privateKey?: pulumi.Input<string>;
    /** Drop-in file to write. Absolute path. Default `/etc/dnsmasq.d/<cluster name>-etcd.conf`. */
    path?: string;
    /** Run after the file is written or removed. Default `systemctl reload dnsmasq || pkill -HUP dnsmasq`. */
    reloadCommand?: string;
    /** Address the server answers DNS on (for the check and for members). Default: `host`. */
    serverAddress?: string;
    /** DNS port of the server. Default 53. */
    serverPort?: number;
}
