/** The arguments of `bootstrap`: how members find each other the first time they start. */
import type * as pulumi from "@pulumi/pulumi";

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
 * The source is either a discovery service (`serviceUrl`) or an existing etcd cluster you run (`endpoints`); one
 * of them is required. There is no default: the public https://discovery.etcd.io is unmaintained and has answered
 * 503, so it is used only when named as `serviceUrl` (prefer a self-hosted etcd or static bootstrap).
 */
export interface DiscoveryBootstrapArgs {
    /**
     * A v2 discovery service: the component asks `<serviceUrl>/new?size=<members>` for a token URL and gives it
     * to every member as `ETCD_DISCOVERY`, e.g. `https://discovery.etcd.io` (public, unmaintained). This or `endpoints`.
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
 * dnsmasq serving the cluster's records (`srv-host=` and `host-record=` lines), either as a
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
