/**
 * How members find each other the first time they start: static `ETCD_INITIAL_CLUSTER`, a discovery token,
 * or DNS SRV records. Pure: validation of the `bootstrap` argument, the `ETCD_*` variables each mode gives a
 * member, and the shell scripts that create discovery tokens. The resources live in bootstrapResources.ts.
 *
 * Facts relied on (see /work/shared/reference/etcd-facts.md §1–§2):
 * - only one of initial-cluster, discovery, discovery-endpoints, discovery-srv may be set, else etcd exits with
 *   "multiple discovery or bootstrap flags are set" (an `ETCD_INITIAL_CLUSTER` variable counts as set);
 * - a discovery token is single-use; v2 discovery is deprecated in 3.6 and removed in 3.7; v3 discovery
 *   (`--discovery-token` + `--discovery-endpoints`) exists from 3.6 on;
 * - the v2 keys API a self-hosted v2 discovery needs exists only up to 3.5 (`--enable-v2`);
 * - every 3.4.x needs `_etcd-server-ssl` records and https peers for DNS discovery (etcd issue 11321).
 */
import type { BootstrapArgs, EtcdMemberArgs } from "./args";
import { atLeast, EtcdVersion, formatEtcdVersion } from "./etcdVersion";
import type { ResolvedHost, ResolvedMember } from "./validation";
import { resolveDnsmasq, ResolvedDnsmasq } from "./dnsmasq";
import { isHostname, labelPattern, show } from "./argChecks";

export const defaultDiscoveryService = "https://discovery.etcd.io";
export const defaultDiscoveryAttempts = 5;
/** Where the v2 docs put self-hosted tokens: `<endpoint>/v2/keys/discovery/<token>`. */
export const v2DiscoveryPrefix = "/v2/keys/discovery";
/** v3 discovery's registry prefix (etcd server/etcdserver/api/v3discovery). */
export const v3RegistryPrefix = "/_etcd/registry";

/** Peer/client URL scheme of every member. One switch: `tls` (security.ts) turns it to https everywhere. */
export type UrlScheme = "http" | "https";

export type ResolvedDiscovery =
    | { mode: "discovery"; protocol: "v2"; source: "service"; serviceUrl: string; attempts: number }
    | { mode: "discovery"; protocol: "v2" | "v3"; source: "endpoints"; endpoints: string[]; attempts: number };

export interface ResolvedDns {
    mode: "dns";
    domain: string;
    srvName?: string;
    /** Advertised DNS name per member name. */
    names: Record<string, string>;
    dnsmasq?: ResolvedDnsmasq;
}

export type ResolvedBootstrap = { mode: "static" } | ResolvedDiscovery | ResolvedDns;

/** An http(s) URL; with `bare`, nothing after host:port (what etcd takes as an endpoint). */
function parseHttpUrl(value: unknown, bare: boolean): URL | undefined {
    if (typeof value !== "string") return undefined;
    let u: URL;
    try {
        u = new URL(value);
    } catch {
        return undefined;
    }
    if (!["http:", "https:"].includes(u.protocol) || !u.hostname || u.username || u.password || u.search || u.hash) return undefined;
    if (bare && u.pathname !== "/" && u.pathname !== "") return undefined;
    if (bare && value.endsWith("/")) return undefined;
    return u;
}

export interface BootstrapContext {
    clusterName: string;
    version?: EtcdVersion;
    /** Members that resolved cleanly. */
    members: ResolvedMember[];
    /** The member arguments as given (for `dnsName`). */
    memberArgs: EtcdMemberArgs[];
    /** Every resolved host (also those without members: dnsmasq may run there). */
    hosts: ResolvedHost[];
    scheme: UrlScheme;
}

const versionHint = `set etcdVersion (e.g. "3.5.16") or use an image tag that carries the version`;

/** Checks the `bootstrap` argument; pushes each problem (field, value, fix) and returns the resolved form. */
export function resolveBootstrap(args: BootstrapArgs | undefined, ctx: BootstrapContext, problems: string[], warnings: string[]): ResolvedBootstrap {
    const mode = args?.mode ?? "static";
    if (!["static", "discovery", "dns"].includes(mode)) {
        problems.push(`bootstrap.mode: ${show(mode)} must be "static", "discovery" or "dns".`);
        return { mode: "static" };
    }
    if (args?.discovery !== undefined && mode !== "discovery") {
        problems.push(`bootstrap.discovery: set, but bootstrap.mode is ${show(mode)}; set bootstrap.mode to "discovery" or remove bootstrap.discovery.`);
    }
    if (args?.dns !== undefined && mode !== "dns") {
        problems.push(`bootstrap.dns: set, but bootstrap.mode is ${show(mode)}; set bootstrap.mode to "dns" or remove bootstrap.dns.`);
    }
    if (mode !== "dns") {
        (ctx.memberArgs ?? []).forEach((m, i) => {
            if (m?.dnsName !== undefined) {
                problems.push(`members[${i}].dnsName: ${show(m.dnsName)} is only used with bootstrap.mode "dns" (it is ${show(mode)}); remove it or switch to DNS bootstrap.`);
            }
        });
    }
    switch (mode) {
        case "discovery":
            return resolveDiscovery(args!, ctx, problems, warnings);
        case "dns":
            return resolveDns(args!, ctx, problems, warnings);
        default:
            return { mode: "static" };
    }
}

function resolveDiscovery(args: BootstrapArgs, ctx: BootstrapContext, problems: string[], warnings: string[]): ResolvedBootstrap {
    const d = args.discovery ?? {};
    const attempts = d.attempts ?? defaultDiscoveryAttempts;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) {
        problems.push(`bootstrap.discovery.attempts: ${show(d.attempts)} must be a whole number from 1 to 20.`);
    }
    if (d.protocol !== undefined && !["v2", "v3"].includes(d.protocol)) {
        problems.push(`bootstrap.discovery.protocol: ${show(d.protocol)} must be "v2" or "v3" (or left out to follow the etcd version).`);
        return { mode: "static" };
    }
    if (d.serviceUrl !== undefined && d.endpoints !== undefined) {
        problems.push(`bootstrap.discovery: serviceUrl (${show(d.serviceUrl)}) and endpoints (${show(d.endpoints)}) are both set; ` +
            `use serviceUrl for a discovery service, or endpoints for an etcd you run, not both.`);
        return { mode: "static" };
    }
    const version = ctx.version;
    if (!version) {
        problems.push(`etcdVersion: unknown (the image tag does not say it), but bootstrap.mode "discovery" picks the discovery protocol from it; ${versionHint}.`);
        return { mode: "static" };
    }
    const v = formatEtcdVersion(version);
    const source: "service" | "endpoints" = d.endpoints !== undefined ? "endpoints" : "service";
    const protocol = d.protocol ?? (source === "service" || !atLeast(version, 3, 6) ? "v2" : "v3");
    const field = d.protocol !== undefined ? `bootstrap.discovery.protocol: ${show(d.protocol)}` :
        source === "service" ? `bootstrap.discovery.serviceUrl: ${show(d.serviceUrl ?? defaultDiscoveryService)} (a v2 discovery service)` :
            `bootstrap.discovery.protocol: "v2" (the default for etcd ${v})`;
    if (protocol === "v2" && atLeast(version, 3, 7)) {
        problems.push(`${field} cannot be used with etcd ${v}: etcd 3.7 removed v2 discovery (--discovery). ` +
            `Use bootstrap.discovery.endpoints with protocol "v3" (an etcd you run), or bootstrap.mode "static" or "dns".`);
        return { mode: "static" };
    }
    if (protocol === "v3" && !atLeast(version, 3, 6)) {
        problems.push(`bootstrap.discovery.protocol: "v3" cannot be used with etcd ${v}: v3 discovery (--discovery-token, --discovery-endpoints) exists from etcd 3.6 on. ` +
            `Use protocol "v2" (a self-hosted etcd ≤ 3.5 with --enable-v2), or etcd ≥ 3.6.`);
        return { mode: "static" };
    }
    if (source === "service") {
        if (protocol === "v3") {
            problems.push(`bootstrap.discovery.protocol: "v3" needs bootstrap.discovery.endpoints (an etcd you run); a discovery service (serviceUrl) speaks v2 only.`);
            return { mode: "static" };
        }
        const serviceUrl = (d.serviceUrl ?? defaultDiscoveryService).replace(/\/+$/, "");
        if (!parseHttpUrl(serviceUrl, false)) {
            problems.push(`bootstrap.discovery.serviceUrl: ${show(d.serviceUrl)} is not an http(s) URL without query; use e.g. ${defaultDiscoveryService}.`);
        }
        if (serviceUrl === defaultDiscoveryService) {
            warnings.push(`EtcdCluster ${show(ctx.clusterName)}: bootstrapping through the public ${defaultDiscoveryService}, which is no longer maintained ` +
                `(etcd 3.6 announcement) and has been seen answering 503; prefer bootstrap.mode "static" or a self-hosted discovery etcd (bootstrap.discovery.endpoints).`);
        }
        if (atLeast(version, 3, 6)) {
            warnings.push(`EtcdCluster ${show(ctx.clusterName)}: etcd ${v} deprecates v2 discovery (a discovery service); etcd 3.7 removes it.`);
        }
        return { mode: "discovery", protocol: "v2", source, serviceUrl, attempts };
    }
    const endpoints = d.endpoints!;
    if (!Array.isArray(endpoints) || endpoints.length === 0) {
        problems.push(`bootstrap.discovery.endpoints: ${show(endpoints)} must list client URLs of the discovery etcd, e.g. ["http://10.0.0.100:2379"].`);
        return { mode: "static" };
    }
    endpoints.forEach((e, i) => {
        if (!parseHttpUrl(e, true)) {
            problems.push(`bootstrap.discovery.endpoints[${i}]: ${show(e)} is not a client URL; use http(s)://host:port with no path, e.g. "http://10.0.0.100:2379".`);
        }
    });
    if (protocol === "v2" && endpoints.length !== 1) {
        problems.push(`bootstrap.discovery.endpoints: v2 discovery takes one URL (ETCD_DISCOVERY names a single key URL), but ${endpoints.length} are given; list one.`);
    }
    if (protocol === "v2" && atLeast(version, 3, 6)) {
        warnings.push(`EtcdCluster ${show(ctx.clusterName)}: etcd ${v} deprecates v2 discovery; etcd 3.7 removes it (protocol "v3" works from 3.6 on).`);
    }
    return { mode: "discovery", protocol, source, endpoints, attempts };
}

function resolveDns(args: BootstrapArgs, ctx: BootstrapContext, problems: string[], warnings: string[]): ResolvedBootstrap {
    const dns = args.dns;
    if (!dns || typeof dns !== "object") {
        problems.push(`bootstrap.dns: missing; bootstrap.mode "dns" needs at least { domain: "example.com" }.`);
        return { mode: "static" };
    }
    const domain = dns.domain;
    if (!isHostname(domain)) {
        problems.push(`bootstrap.dns.domain: ${show(domain)} is not a DNS domain; use e.g. "example.com".`);
    }
    if (dns.srvName !== undefined && (typeof dns.srvName !== "string" || !labelPattern.test(dns.srvName))) {
        problems.push(`bootstrap.dns.srvName: ${show(dns.srvName)} must be one DNS label (letters, digits, "-"), e.g. "prod".`);
    }
    const version = ctx.version;
    if (!version) {
        problems.push(`etcdVersion: unknown (the image tag does not say it), but bootstrap.mode "dns" depends on it (etcd 3.4 cannot use http SRV records); ${versionHint}.`);
    } else if (!atLeast(version, 3, 5) && ctx.scheme === "http") {
        problems.push(`bootstrap.mode: "dns" with http peer URLs cannot bootstrap etcd ${formatEtcdVersion(version)}: every 3.4.x looks up ` +
            `_etcd-server-ssl._tcp.${isHostname(domain) ? domain : "<domain>"} and exits with "error querying DNS SRV records for _etcd-server-ssl" ` +
            `when only _etcd-server._tcp records exist (etcd issue 11321, fixed in 3.5.0). Use etcd ≥ 3.5 (e.g. image gcr.io/etcd-development/etcd:v3.5.16), ` +
            `TLS peers (https, with _etcd-server-ssl records), or bootstrap.mode "static".`);
    }
    const names: Record<string, string> = {};
    const byName = new Map<string, string>();
    for (const m of ctx.members) {
        const i = (ctx.memberArgs ?? []).findIndex((a) => a?.name === m.name);
        const given = i >= 0 ? ctx.memberArgs[i].dnsName : undefined;
        const name = given ?? `${m.name}.${domain}`;
        const field = given !== undefined ? `members[${i}].dnsName` : `members[${i}].name`;
        if (!isHostname(name)) {
            problems.push(given !== undefined
                ? `${field}: ${show(given)} is not a DNS name; use e.g. "etcd1.${isHostname(domain) ? domain : "example.com"}".`
                : `${field}: ${show(m.name)} does not make a DNS name (${show(name)}); set members[${i}].dnsName, e.g. "etcd1.${isHostname(domain) ? domain : "example.com"}".`);
            continue;
        }
        const lower = name.toLowerCase();
        if (byName.has(lower)) {
            problems.push(`${field}: members ${show(byName.get(lower))} and ${show(m.name)} both advertise ${show(name)}; give each member its own dnsName.`);
            continue;
        }
        byName.set(lower, m.name);
        names[m.name] = name;
    }
    const dnsmasq = dns.dnsmasq === undefined ? undefined : resolveDnsmasq(dns.dnsmasq, ctx, problems, warnings);
    return { mode: "dns", domain, srvName: dns.srvName, names, dnsmasq };
}

// ------------------------------------------------------------------------------------------ planning

/** The host a member puts in its advertise URLs: its DNS name in dns mode, else its address. */
export function advertiseHost(bootstrap: ResolvedBootstrap, m: ResolvedMember): string {
    return bootstrap.mode === "dns" ? bootstrap.names[m.name] : m.address;
}

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

export function shQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Bounded retry loop around `body`, which sets `ok=1` on success and `err` on failure. */
function retryLoop(attempts: number, body: string): string {
    return `attempt=0; delay=1; ok=0; err=""
while [ "$attempt" -lt ${attempts} ]; do
  attempt=$((attempt + 1))
${body.replace(/^/gm, "  ")}
  [ "$ok" = 1 ] && break
  [ "$attempt" -lt ${attempts} ] || break
  sleep "$delay"; delay=$((delay * 2)); [ "$delay" -le 8 ] || delay=8
done`;
}

/**
 * Asks a discovery service for a new token URL (`<service>/new?size=N`). stdout: the URL, nothing else.
 * A 503 (as the public service has answered) fails with a message that says what to do instead.
 */
export function serviceTokenScript(serviceUrl: string, size: number, attempts: number): string {
    const url = `${serviceUrl}/new?size=${size}`;
    return `set -u
url=${shQuote(url)}
${retryLoop(attempts, `if out=$(curl -fsS --max-time 20 "$url" 2>&1); then
  answer=$(printf '%s' "$out" | tr -d '\\r' | sed -e 's/[[:space:]]*$//')
  if printf '%s\\n' "$answer" | grep -Eq '^https?://[^[:space:]/?#]+/[^[:space:]]+$' && [ "$(printf '%s\\n' "$answer" | wc -l)" -eq 1 ]; then
    printf '%s\\n' "$answer"; exit 0
  fi
  printf 'discovery service %s answered %s, which is not a discovery URL (expected one line like https://discovery.etcd.io/<token>).\\n' "$url" "$(printf '%s' "$out" | head -c 300)" >&2
  exit 1
fi
err=$out`)}
case $err in
  *"error: 503"*)
    printf 'discovery service %s answered 503 Service Unavailable (%s attempts). The public discovery.etcd.io is no longer maintained (etcd 3.6 announcement) and has answered 503 before: use bootstrap.mode "static", or a discovery etcd you run (bootstrap.discovery.endpoints).\\n' "$url" "$attempt" >&2 ;;
  *)
    printf 'could not get a discovery token from %s after %s attempts: %s\\n' "$url" "$attempt" "$err" >&2 ;;
esac
exit 1
`;
}

/** The v2 discovery URL of a self-hosted token. */
export function v2DiscoveryUrl(endpoint: string, token: string): string {
    return `${endpoint}${v2DiscoveryPrefix}/${token}`;
}

/**
 * Creates a self-hosted v2 token: `PUT <endpoint>/v2/keys/discovery/<token>/_config/size` with value=N
 * (the etcd docs' own recipe). stdout: the discovery URL members get as `ETCD_DISCOVERY`.
 */
export function v2TokenScript(endpoint: string, token: string, size: number, attempts: number): string {
    const discoveryUrl = v2DiscoveryUrl(endpoint, token);
    return `set -u
url=${shQuote(`${discoveryUrl}/_config/size`)}
${retryLoop(attempts, `if out=$(curl -fsS --max-time 10 -X PUT "$url" -d value=${size} 2>&1); then ok=1; else err=$out; fi`)}
if [ "$ok" != 1 ]; then
  printf 'could not create the v2 discovery token at %s after %s attempts: %s\\nThe discovery etcd must be ≤ 3.5 and started with --enable-v2 (ETCD_ENABLE_V2=true).\\n' "$url" "$attempt" "$err" >&2
  exit 1
fi
printf '%s\\n' ${shQuote(discoveryUrl)}
`;
}

/** Best-effort removal of a self-hosted v2 token's keys (they are useless after the bootstrap). */
export function v2TokenDeleteScript(endpoint: string, token: string): string {
    return `curl -fsS --max-time 10 -X DELETE ${shQuote(`${v2DiscoveryUrl(endpoint, token)}?recursive=true`)} >/dev/null 2>&1 || true\n`;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** The v3 size key of a token. */
export function v3SizeKey(token: string): string {
    return `${v3RegistryPrefix}/${token}/_config/size`;
}

/**
 * Creates a v3 token: `/_etcd/registry/<token>/_config/size = N`, written through the v3 JSON gateway
 * (`POST <endpoint>/v3/kv/put`, base64 key and value) rather than `etcdctl put`, because only curl is assumed
 * where Pulumi runs; it is the same v3 KV API. Tries each endpoint in turn. stdout: the token.
 */
export function v3TokenScript(endpoints: string[], token: string, size: number, attempts: number): string {
    const body = JSON.stringify({ key: b64(v3SizeKey(token)), value: b64(String(size)) });
    return `set -u
body=${shQuote(body)}
${retryLoop(attempts, `for ep in ${endpoints.map(shQuote).join(" ")}; do
  if out=$(curl -fsS --max-time 10 -X POST "$ep/v3/kv/put" -H 'Content-Type: application/json' -d "$body" 2>&1) && printf '%s' "$out" | grep -q '"header"'; then ok=1; break; fi
  err="$ep: $out"
done`)}
if [ "$ok" != 1 ]; then
  printf 'could not create the v3 discovery token %s after %s attempts: %s\\n' ${shQuote(v3SizeKey(token))} "$attempt" "$err" >&2
  exit 1
fi
printf '%s\\n' ${shQuote(token)}
`;
}

/** Best-effort removal of a v3 token's keys: deleterange over the `/_etcd/registry/<token>/` prefix. */
export function v3TokenDeleteScript(endpoints: string[], token: string): string {
    const prefix = `${v3RegistryPrefix}/${token}/`;
    // range_end = prefix with its last byte + 1 ("/" + 1 = "0"): every key under the prefix.
    const body = JSON.stringify({ key: b64(prefix), range_end: b64(prefix.slice(0, -1) + "0") });
    return `for ep in ${endpoints.map(shQuote).join(" ")}; do curl -fsS --max-time 10 -X POST "$ep/v3/kv/deleterange" -d ${shQuote(body)} >/dev/null 2>&1 && break; done; true\n`;
}
