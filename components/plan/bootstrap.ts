/**
 * What each bootstrap mode gives a member (https://etcd.io/docs/v3.6/op-guide/clustering/): the `ETCD_*`
 * variables known at planning time, the ones that come at deploy time (a discovery URL or token), and the
 * keys a discovery token is made under.
 */
import type { ResolvedBootstrap } from "../resolve/model";

/** Where the v2 docs put self-hosted tokens: `<endpoint>/v2/keys/discovery/<token>`. */
export const v2DiscoveryPrefix = "/v2/keys/discovery";
/** v3 discovery's registry prefix (etcd server/etcdserver/api/v3discovery). */
export const v3RegistryPrefix = "/_etcd/registry";

/**
 * `ETCD_*` bootstrap variables known at planning time, in the place `ETCD_INITIAL_CLUSTER` had:
 * static → the initial cluster; dns → the SRV domain; discovery → nothing (the token comes at deploy time,
 * see {@link discoveryEnv}). Never `ETCD_INITIAL_CLUSTER` outside static mode.
 */
export function bootstrapEnv(bootstrap: ResolvedBootstrap, initialCluster: string): string[] {
    switch (bootstrap.mode) {
        case "static":
            return [`ETCD_INITIAL_CLUSTER=${initialCluster}`];
        case "dns":
            return [`ETCD_DISCOVERY_SRV=${bootstrap.domain}`, ...(bootstrap.srvName ? [`ETCD_DISCOVERY_SRV_NAME=${bootstrap.srvName}`] : [])];
        default:
            return [];
    }
}

/**
 * The deploy-time discovery variables: `value` is the discovery URL (v2: service answer or
 * `<endpoint>/v2/keys/discovery/<token>`) or the token (v3).
 */
export function discoveryEnv(bootstrap: ResolvedBootstrap, value: string): string[] {
    if (bootstrap.mode !== "discovery") return [];
    return bootstrap.protocol === "v2"
        ? [`ETCD_DISCOVERY=${value}`]
        : [`ETCD_DISCOVERY_TOKEN=${value}`, `ETCD_DISCOVERY_ENDPOINTS=${bootstrap.endpoints.join(",")}`];
}

/**
 * What a discovery token is for: the members' names and peer URLs, order-independent. A token is single-use,
 * so a new one is made whenever this changes (random `keepers`, command `triggers`).
 */
export function memberSetKey(members: { name: string; peerUrl: string }[]): string {
    return members.map((m) => `${m.name}=${m.peerUrl}`).sort().join(",");
}

/** The v2 discovery URL of a self-hosted token. */
export function v2DiscoveryUrl(endpoint: string, token: string): string {
    return `${endpoint}${v2DiscoveryPrefix}/${token}`;
}

/** The v3 size key of a token. */
export function v3SizeKey(token: string): string {
    return `${v3RegistryPrefix}/${token}/_config/size`;
}
