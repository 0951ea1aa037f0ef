/**
 * The DNS records of `bootstrap.mode: "dns"` and the dnsmasq that serves them: the records etcd looks up
 * (https://etcd.io/docs/v3.6/op-guide/clustering/#dns-discovery), the rendered dnsmasq config and the
 * dnsmasq command line.
 */
import type { UrlScheme } from "../resolve/model";

export const dnsmasqConfigPath = "/etc/dnsmasq.d/etcd.conf";
export const srvPriority = 0;
export const srvWeight = 100;

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

/** What the records need of a member: its advertised name, its address and ports. */
export interface DnsRecordMember {
    name: string;
    dnsName: string;
    address: string;
    peerPort: number;
    clientPort: number;
}

/** etcd's GetSRVService: `_etcd-server` + `-ssl` for https + `-<srvName>`, then `._tcp.<domain>`. */
export function srvServiceName(kind: "server" | "client", scheme: UrlScheme, domain: string, srvName?: string): string {
    return `_etcd-${kind}${scheme === "https" ? "-ssl" : ""}${srvName ? `-${srvName}` : ""}._tcp.${domain}`;
}

/** Records for the members, in member order: one server and one client SRV record and one host record each. */
export function dnsRecords(dns: { domain: string; srvName?: string }, members: DnsRecordMember[], scheme: UrlScheme): DnsRecords {
    const serverService = srvServiceName("server", scheme, dns.domain, dns.srvName);
    const clientService = srvServiceName("client", scheme, dns.domain, dns.srvName);
    const srv = (service: string, port: (m: DnsRecordMember) => number) =>
        members.map((m) => ({ service, target: m.dnsName, port: port(m), priority: srvPriority, weight: srvWeight }));
    return {
        serverService,
        clientService,
        server: srv(serverService, (m) => m.peerPort),
        client: srv(clientService, (m) => m.clientPort),
        hosts: members.map((m) => ({ name: m.dnsName, address: m.address })),
    };
}

/**
 * The dnsmasq configuration: `srv-host=<service>,<target>,<port>,<priority>,<weight>` (server records, then
 * client records), then `host-record=<name>,<ip>` (rather than a separate hosts file, so one file carries
 * everything), then `server=` lines for upstream resolvers. Syntax: dnsmasq(8), `--srv-host`, `--host-record`.
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
