/**
 * The `bootstrap` argument: how members find each other the first time they start
 * (https://etcd.io/docs/v3.6/op-guide/clustering/). Checked against what each etcd version accepts:
 * - only one of initial-cluster, discovery, discovery-endpoints, discovery-srv may be set, else etcd exits with
 *   "multiple discovery or bootstrap flags are set" (an `ETCD_INITIAL_CLUSTER` variable counts as set);
 * - a discovery token is single-use; v2 discovery is deprecated in 3.6 and removed in 3.7, v3 discovery
 *   (`--discovery-token` + `--discovery-endpoints`) exists from 3.6 on
 *   (https://etcd.io/docs/v3.6/op-guide/clustering/#etcd-discovery);
 * - the v2 keys API a self-hosted v2 discovery needs exists only up to 3.5 (`--enable-v2`);
 * - every 3.4.x needs `_etcd-server-ssl` records and https peers for DNS discovery
 *   (https://github.com/etcd-io/etcd/issues/11321).
 */
import type { BootstrapArgs } from "../args";
import { isHostname, labelPattern, show } from "./argChecks";
import { defaultDiscoveryAttempts, publicDiscoveryService } from "./defaults";
import { resolveDnsmasq } from "./dnsmasq";
import { atLeast, formatEtcdVersion } from "./etcdVersion";
import type { BootstrapContext, ResolvedBootstrap, ResolvedMember } from "./model";

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

const versionHint = `set etcdVersion (e.g. "3.5.16") or use an image tag that carries the version`;

/** What bootstrap resolution gives back: the mode's settings, and the members with their advertised DNS names. */
export interface BootstrapResolution {
    bootstrap: ResolvedBootstrap;
    /** `ctx.members`, with `dnsName` set to the advertised name in dns mode and cleared in the others. */
    members: ResolvedMember[];
}

/**
 * Checks the `bootstrap` argument, pushing each problem (field, value, fix); returns the resolved form and
 * the members with their DNS names.
 */
export function resolveBootstrap(args: BootstrapArgs | undefined, ctx: BootstrapContext, problems: string[], warnings: string[]): BootstrapResolution {
    const withoutNames = () => ({ bootstrap: { mode: "static" as const }, members: ctx.members.map((m) => ({ ...m, dnsName: undefined })) });
    const mode = args?.mode ?? "static";
    if (!["static", "discovery", "dns"].includes(mode)) {
        problems.push(`bootstrap.mode: ${show(mode)} must be "static", "discovery" or "dns".`);
        return withoutNames();
    }
    if (args?.discovery !== undefined && mode !== "discovery") {
        problems.push(`bootstrap.discovery: set, but bootstrap.mode is ${show(mode)}; set bootstrap.mode to "discovery" or remove bootstrap.discovery.`);
    }
    if (args?.dns !== undefined && mode !== "dns") {
        problems.push(`bootstrap.dns: set, but bootstrap.mode is ${show(mode)}; set bootstrap.mode to "dns" or remove bootstrap.dns.`);
    }
    if (mode !== "dns") {
        ctx.members.forEach((m) => {
            if (m.dnsName !== undefined) {
                problems.push(`members[${m.index}].dnsName: ${show(m.dnsName)} is only used with bootstrap.mode "dns" (it is ${show(mode)}); remove it or switch to DNS bootstrap.`);
            }
        });
    }
    switch (mode) {
        case "discovery":
            return { ...withoutNames(), bootstrap: resolveDiscovery(args!, ctx, problems, warnings) };
        case "dns":
            return resolveDns(args!, ctx, problems, warnings) ?? withoutNames();
        default:
            return withoutNames();
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
    if (d.serviceUrl === undefined && d.endpoints === undefined) {
        // No silent fallback to the public service: it is unmaintained and has answered 503, failing deployments.
        problems.push(`bootstrap.discovery: neither endpoints nor serviceUrl is set; say where the members find each other: ` +
            `endpoints: ["http://10.0.0.100:2379"] for a discovery etcd you run, or serviceUrl: ${show(publicDiscoveryService)} for the public ` +
            `discovery service, which is no longer maintained and has answered 503. Or leave bootstrap out for static bootstrap.`);
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
        source === "service" ? `bootstrap.discovery.serviceUrl: ${show(d.serviceUrl)} (a v2 discovery service)` :
            `bootstrap.discovery.protocol: "v2" (the default for etcd ${v})`;
    if (protocol === "v2" && atLeast(version, 3, 7)) {
        problems.push(`${field} cannot be used with etcd ${v}: etcd 3.7 removed v2 discovery (--discovery) with the v2 store ` +
            `(https://etcd.io/docs/v3.7/upgrades/upgrade_3_7/#v2-store). ` +
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
        const serviceUrl = String(d.serviceUrl).replace(/\/+$/, "");
        if (!parseHttpUrl(serviceUrl, false)) {
            problems.push(`bootstrap.discovery.serviceUrl: ${show(d.serviceUrl)} is not an http(s) URL without query; use e.g. ${publicDiscoveryService}.`);
        }
        if (serviceUrl === publicDiscoveryService) {
            warnings.push(`EtcdCluster ${show(ctx.clusterName)}: bootstrapping through the public ${publicDiscoveryService}, which is no longer maintained ` +
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

function resolveDns(args: BootstrapArgs, ctx: BootstrapContext, problems: string[], warnings: string[]): BootstrapResolution | undefined {
    const dns = args.dns;
    if (!dns || typeof dns !== "object") {
        problems.push(`bootstrap.dns: missing; bootstrap.mode "dns" needs at least { domain: "example.com" }.`);
        return undefined;
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
    const members = advertisedNames(ctx.members, domain, problems);
    const dnsmasq = dns.dnsmasq === undefined ? undefined : resolveDnsmasq(dns.dnsmasq, ctx, problems, warnings);
    return { bootstrap: { mode: "dns", domain, srvName: dns.srvName, dnsmasq }, members };
}

/** Each member's advertised DNS name: `members[].dnsName` as given, or `<name>.<domain>`; valid and unique. */
function advertisedNames(members: ResolvedMember[], domain: string, problems: string[]): ResolvedMember[] {
    const byName = new Map<string, string>();
    const example = `"etcd1.${isHostname(domain) ? domain : "example.com"}"`;
    return members.map((m) => {
        const given = m.dnsName;
        const name = given ?? `${m.name}.${domain}`;
        const field = given !== undefined ? `members[${m.index}].dnsName` : `members[${m.index}].name`;
        if (!isHostname(name)) {
            problems.push(given !== undefined
                ? `${field}: ${show(given)} is not a DNS name; use e.g. ${example}.`
                : `${field}: ${show(m.name)} does not make a DNS name (${show(name)}); set members[${m.index}].dnsName, e.g. ${example}.`);
            return { ...m, dnsName: undefined };
        }
        const lower = name.toLowerCase();
        if (byName.has(lower)) {
            problems.push(`${field}: members ${show(byName.get(lower))} and ${show(m.name)} both advertise ${show(name)}; give each member its own dnsName.`);
            return { ...m, dnsName: undefined };
        }
        byName.set(lower, m.name);
        return { ...m, dnsName: name };
    });
}
