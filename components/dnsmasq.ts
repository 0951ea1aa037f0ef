/**
 * The DNS records of `bootstrap.mode: "dns"` and the dnsmasq that serves them. Pure: validation of the
 * `bootstrap.dns.dnsmasq` argument, the records, the rendered config (the seed's `srv-host=` and
 * `host-record=` lines), the dnsmasq command line, the remote drop-in scripts and the SRV check script.
 *
 * Note on reloading: SIGHUP makes dnsmasq re-read hosts files only, not its configuration (checked with
 * dnsmasq 2.90: an `srv-host=` line added before a HUP is not served), so a drop-in change needs a restart.
 */
import * as net from "net";
import type * as pulumi from "@pulumi/pulumi";
import type { DnsmasqArgs } from "./args";
import type { BootstrapContext, UrlScheme } from "./bootstrap";
import type { ResolvedHost } from "./validation";
import { isAddress, show } from "./argChecks";

export const dnsmasqConfigPath = "/etc/dnsmasq.d/etcd.conf";
export const defaultDnsPort = 53;
export const defaultCheckAttempts = 30;
export const defaultReloadCommand = "systemctl restart dnsmasq";
export const srvPriority = 0;
export const srvWeight = 100;

interface ResolvedDnsmasqCommon {
    /** Where the server answers: the check asks it, members may be pointed at it. */
    serverAddress: string;
    serverPort: number;
    useForMembers: boolean;
    upstreamServers: string[];
    checkAttempts: number;
}

export type ResolvedDnsmasq = ResolvedDnsmasqCommon & (
    | { kind: "container"; host: ResolvedHost; image: string; containerName: string }
    | { kind: "remote"; sshHost: string; sshPort: number; user: string; privateKey?: pulumi.Input<string>; path: string; reloadCommand: string }
);

const dockerNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

/** Checks `bootstrap.dns.dnsmasq`, pushing each problem with field, value and fix. */
export function resolveDnsmasq(args: DnsmasqArgs, ctx: BootstrapContext, problems: string[], warnings: string[]): ResolvedDnsmasq | undefined {
    const at = "bootstrap.dns.dnsmasq";
    if ((args.container === undefined) === (args.remote === undefined)) {
        problems.push(`${at}: give exactly one of container (run dnsmasq on one of the hosts) and remote (a drop-in file on your dnsmasq server over ssh).`);
        return undefined;
    }
    const checkAttempts = args.checkAttempts ?? defaultCheckAttempts;
    if (!Number.isInteger(checkAttempts) || checkAttempts < 1 || checkAttempts > 120) {
        problems.push(`${at}.checkAttempts: ${show(args.checkAttempts)} must be a whole number from 1 to 120.`);
    }
    const upstreamServers = args.upstreamServers ?? [];
    if (!Array.isArray(upstreamServers) || upstreamServers.some((s) => typeof s !== "string" || net.isIP(s.split("#")[0]) === 0)) {
        problems.push(`${at}.upstreamServers: ${show(args.upstreamServers)} must list IP addresses (optionally "ip#port"), e.g. ["10.0.0.1"].`);
    }
    ctx.members.forEach((m) => {
        if (net.isIP(m.address) === 0) {
            const i = ctx.memberArgs.findIndex((a) => a?.name === m.name);
            problems.push(`members[${i}].address: ${show(m.address)} is not an IP address, but dnsmasq serves it as host-record ${show(m.name)} → address; give the member's IP.`);
        }
    });
    if (args.container !== undefined) {
        const c = args.container;
        const where = `${at}.container`;
        const host = ctx.hosts.find((h) => h.name === c.host);
        if (!host) {
            problems.push(`${where}.host: ${show(c.host)} is not in hosts; use one of ${ctx.hosts.map((h) => show(h.name)).join(", ")}.`);
        }
        if (typeof c.image !== "string" || c.image.trim() === "" || /\s/.test(c.image)) {
            problems.push(`${where}.image: ${show(c.image)} is not an image reference; give an image with dnsmasq on its PATH (there is no official one), e.g. "local/dnsmasq:2.90".`);
        }
        const address = c.address ?? (host?.scheme === "unix" ? "127.0.0.1" : host?.hostname);
        if (address === undefined || net.isIP(address) === 0) {
            problems.push(`${where}.address: ${show(address)} is not an IP address dnsmasq can listen on; give the host's IP, e.g. "10.0.0.137".`);
        }
        const port = c.port ?? defaultDnsPort;
        if (!isPort(port)) {
            problems.push(`${where}.port: ${show(c.port)} is not a port; use a whole number from 1 to 65535 (53 by default).`);
        }
        let useForMembers = args.useForMembers ?? port === defaultDnsPort;
        if (useForMembers && port !== defaultDnsPort) {
            problems.push(`${at}.useForMembers: true, but ${where}.port is ${show(port)}; Docker's dns setting always uses port 53. Use port 53, or useForMembers: false and forward ${address}:${port} from the members' resolver.`);
            useForMembers = false;
        } else if (args.useForMembers === undefined && !useForMembers) {
            warnings.push(`EtcdCluster ${show(ctx.clusterName)}: dnsmasq listens on port ${port}, so members are not pointed at it; their own resolver must answer the SRV records.`);
        }
        const containerName = c.containerName ?? `${ctx.clusterName}-dnsmasq`;
        if (!dockerNamePattern.test(containerName)) {
            problems.push(`${where}.containerName: ${show(containerName)} is not a valid Docker container name; set containerName.`);
        } else if (host && ctx.members.some((m) => m.host.name === host.name && m.containerName === containerName)) {
            problems.push(`${where}.containerName: ${show(containerName)} is also a member container on host ${show(host.name)}; set containerName.`);
        }
        if (!host || address === undefined) return undefined;
        return { kind: "container", host, image: c.image, containerName, serverAddress: address, serverPort: port, useForMembers, upstreamServers, checkAttempts };
    }
    const r = args.remote!;
    const where = `${at}.remote`;
    if (typeof r.host !== "string" || !isAddress(r.host)) {
        problems.push(`${where}.host: ${show(r.host)} is not an IP address or DNS name; give the dnsmasq server's ssh address.`);
    }
    const sshPort = r.sshPort ?? 22;
    if (!isPort(sshPort)) problems.push(`${where}.sshPort: ${show(r.sshPort)} is not a port; use a whole number from 1 to 65535.`);
    const user = r.user ?? "root";
    if (typeof user !== "string" || !/^[a-z_][a-z0-9_.-]*$/i.test(user)) problems.push(`${where}.user: ${show(r.user)} is not a user name.`);
    const path = r.path ?? `/etc/dnsmasq.d/${ctx.clusterName}-etcd.conf`;
    if (typeof path !== "string" || !/^\/[A-Za-z0-9_./-]+$/.test(path) || path.endsWith("/") || path.split("/").includes("..")) {
        problems.push(`${where}.path: ${show(r.path)} must be an absolute file path of letters, digits, "_", ".", "-" and "/", e.g. "/etc/dnsmasq.d/etcd.conf".`);
    }
    const reloadCommand = r.reloadCommand ?? defaultReloadCommand;
    if (typeof reloadCommand !== "string" || reloadCommand.trim() === "") {
        problems.push(`${where}.reloadCommand: ${show(r.reloadCommand)} must be a shell command, e.g. "${defaultReloadCommand}".`);
    }
    const serverAddress = r.serverAddress ?? r.host;
    if (typeof serverAddress !== "string" || !isAddress(serverAddress)) {
        problems.push(`${where}.serverAddress: ${show(serverAddress)} is not an address the DNS check can ask; give the server's IP.`);
    }
    const serverPort = r.serverPort ?? defaultDnsPort;
    if (!isPort(serverPort)) problems.push(`${where}.serverPort: ${show(r.serverPort)} is not a port; use a whole number from 1 to 65535.`);
    const useForMembers = args.useForMembers ?? false;
    if (useForMembers && (serverPort !== defaultDnsPort || net.isIP(serverAddress) === 0)) {
        problems.push(`${at}.useForMembers: true needs the server at an IP address on port 53 (Docker's dns setting), but it is ${show(serverAddress)}:${show(serverPort)}; ` +
            `set serverAddress to its IP and serverPort to 53, or useForMembers: false.`);
    }
    return { kind: "remote", sshHost: r.host, sshPort, user, privateKey: r.privateKey, path, reloadCommand, serverAddress, serverPort, useForMembers, upstreamServers, checkAttempts };
}

// ------------------------------------------------------------------------------------------ records

export interface SrvRecord {
    /** `_etcd-server._tcp.example.com` */
    service: string;
    target: string;
    port: number;
    priority: number;
    weight: number;
}

export interface HostRecord {
    name: string;
    address: string;
}

export interface DnsRecords {
    /** `_etcd-server[-ssl][-<srvName>]._tcp.<domain>`: what members look up. */
    serverService: string;
    /** `_etcd-client[-ssl][-<srvName>]._tcp.<domain>`: what clients (etcdctl --discovery-srv) look up. */
    clientService: string;
    server: SrvRecord[];
    client: SrvRecord[];
    hosts: HostRecord[];
}

export interface DnsRecordMember {
    name: string;
    address: string;
    peerPort: number;
    clientPort: number;
}

/** etcd's GetSRVService: `_etcd-server` + `-ssl` for https + `-<srvName>`, then `._tcp.<domain>`. */
export function srvServiceName(kind: "server" | "client", scheme: UrlScheme, domain: string, srvName?: string): string {
    return `_etcd-${kind}${scheme === "https" ? "-ssl" : ""}${srvName ? `-${srvName}` : ""}._tcp.${domain}`;
}

/** Records for the members, in member order: one server and one client SRV record and one host record each. */
export function dnsRecords(dns: { domain: string; srvName?: string; names: Record<string, string> }, members: DnsRecordMember[], scheme: UrlScheme): DnsRecords {
    const serverService = srvServiceName("server", scheme, dns.domain, dns.srvName);
    const clientService = srvServiceName("client", scheme, dns.domain, dns.srvName);
    const srv = (service: string, port: (m: DnsRecordMember) => number) =>
        members.map((m) => ({ service, target: dns.names[m.name], port: port(m), priority: srvPriority, weight: srvWeight }));
    return {
        serverService,
        clientService,
        server: srv(serverService, (m) => m.peerPort),
        client: srv(clientService, (m) => m.clientPort),
        hosts: members.map((m) => ({ name: dns.names[m.name], address: m.address })),
    };
}

/**
 * The dnsmasq configuration, in the seed's form: `srv-host=<service>,<target>,<port>,<priority>,<weight>`
 * (server records, then client records), then `host-record=<name>,<ip>` (instead of the seed's separate
 * hosts file, so one file carries everything), then `server=` lines for upstream resolvers.
 */
export function renderDnsmasqConfig(clusterName: string, records: DnsRecords, upstreamServers: string[] = []): string {
    const srvLine = (r: SrvRecord) => `srv-host=${r.service},${r.target},${r.port},${r.priority},${r.weight}`;
    return [
        `# etcd cluster ${clusterName}: DNS SRV bootstrap records (written by Pulumi; changes are overwritten)`,
        ...records.server.map(srvLine),
        ...records.client.map(srvLine),
        ...records.hosts.map((h) => `host-record=${h.name},${h.address}`),
        ...upstreamServers.map((s) => `server=${s}`),
        "",
    ].join("\n");
}

/** Arguments after the `dnsmasq` entrypoint for the container (foreground, only our file, only our address). */
export function dnsmasqContainerCommand(address: string, port: number): string[] {
    return [
        "-k", "-C", dnsmasqConfigPath, "--no-resolv", "--no-hosts",
        `--listen-address=${address}`, "--bind-interfaces", `--port=${port}`,
        // Log to stderr (docker logs) and write no pid file (the image may have no /run).
        "--log-facility=-", "--pid-file=",
    ];
}

function shQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Remote create/update: the config arrives on stdin, is written atomically, then dnsmasq is restarted/reloaded. */
export function remoteWriteScript(path: string, reloadCommand: string): string {
    const f = shQuote(path);
    return `set -e; umask 022; mkdir -p "$(dirname ${f})"; cat >${shQuote(`${path}.tmp`)}; mv -f ${shQuote(`${path}.tmp`)} ${f}; ${reloadCommand}`;
}

/** Remote delete: the drop-in goes, then dnsmasq is restarted/reloaded. */
export function remoteDeleteScript(path: string, reloadCommand: string): string {
    return `set -e; rm -f ${shQuote(path)}; ${reloadCommand}`;
}

/**
 * The seed's check, `dig +noall +answer SRV _etcd-server._tcp.<domain> @server -p port`, retried (one
 * second apart, at most `attempts` times) until exactly one answer per member with the expected targets and
 * ports comes back, and every target's host record resolves to its address. stdout: the answers.
 */
export function srvCheckScript(records: DnsRecords, server: string, port: number, attempts: number): string {
    const n = records.server.length;
    const expected = records.server.map((r) => `${r.port} ${r.target}.`).sort().join("\n");
    const hosts = records.hosts.map((h) => `${h.name} ${net.isIPv6(h.address) ? "AAAA" : "A"} ${h.address}`).join("\n");
    return `set -u
name=${shQuote(records.serverService)}
server=${shQuote(server)}
port=${port}
expected=${shQuote(expected)}
hosts=${shQuote(hosts)}
command -v dig >/dev/null 2>&1 || { echo "the DNS check needs dig where Pulumi runs (Debian: apt-get install bind9-dnsutils)" >&2; exit 1; }
attempt=0
while :; do
  attempt=$((attempt + 1))
  out=$(dig +noall +answer +time=2 +tries=1 SRV "$name" @"$server" -p "$port" 2>&1)
  got=$(printf '%s\\n' "$out" | awk '$4 == "SRV" { print $7 " " $8 }' | sort)
  count=$(printf '%s\\n' "$out" | awk '$4 == "SRV"' | wc -l)
  bad=""
  if [ "$count" -eq ${n} ] && [ "$got" = "$expected" ]; then
    while read -r host type addr; do
      ans=$(dig +short +time=2 +tries=1 "$type" "$host" @"$server" -p "$port" 2>&1)
      [ "$ans" = "$addr" ] || bad="$bad $host($type: \${ans:-nothing}, expected $addr)"
    done <<EOF_HOSTS
$hosts
EOF_HOSTS
    if [ -z "$bad" ]; then printf '%s\\n' "$out"; exit 0; fi
  fi
  [ "$attempt" -lt ${attempts} ] || break
  sleep 1
done
{
  printf 'DNS check failed after %s attempts: %s @%s -p %s must give exactly ${n} SRV answers (one per member).\\n' "$attempt" "$name" "$server" "$port"
  printf 'expected (port target):\\n%s\\ngot %s answer(s):\\n%s\\n' "$expected" "$count" "$out"
  [ -z "$bad" ] || printf 'host records wrong:%s\\n' "$bad"
} >&2
exit 1
`;
}
