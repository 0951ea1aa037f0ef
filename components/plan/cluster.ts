/** The whole cluster's plan: every member, every host and what they run, the endpoints, and the DNS records. Pure. */
import type { ResolvedCluster, ResolvedHost } from "../resolve/model";
import { memberSetKey } from "./bootstrap";
import { DnsRecords, dnsRecords, renderDnsmasqConfig } from "./dns";
import { MemberPlan, peerUrl, planMember } from "./member";
import { etcdctlTlsFlags } from "./security";

export interface HostPlan {
    name: string;
    host: ResolvedHost;
    memberNames: string[];
}

export interface ClusterPlan {
    members: MemberPlan[];
    hosts: HostPlan[];
    /** `--initial-cluster`: `name=peerUrl,…` in member order; empty unless bootstrap is static. */
    initialCluster: string;
    /** Names and peer URLs, order-independent: a discovery token is made for exactly this set. */
    memberSetKey: string;
    /** DNS bootstrap only: the SRV and host records, and the dnsmasq config that serves them. */
    dns?: { records: DnsRecords; dnsmasqConfig: string };
    clientEndpoints: string[];
    peerUrls: string[];
    /** `--cacert/--cert/--key` of every etcdctl the component runs in a member container (empty without TLS). */
    etcdctlFlags: string[];
    /** Authentication on: commands authenticate as root. */
    auth: boolean;
}

function planDns(cluster: ResolvedCluster): ClusterPlan["dns"] {
    const boot = cluster.bootstrap;
    if (boot.mode !== "dns") return undefined;
    const members = cluster.members.map((m) => ({ ...m, dnsName: m.dnsName! }));
    const records = dnsRecords(boot, members, cluster.scheme);
    return { records, dnsmasqConfig: renderDnsmasqConfig(cluster.clusterName, records, boot.dnsmasq?.upstreamServers) };
}

/** Plans every member of a validated cluster. Pure: same arguments, same plan. */
export function planCluster(cluster: ResolvedCluster): ClusterPlan {
    const initialCluster = cluster.bootstrap.mode === "static" ? cluster.members.map((m) => `${m.name}=${peerUrl(cluster, m)}`).join(",") : "";
    const members = cluster.members.map((m) => planMember(cluster, m, initialCluster));
    const hosts = cluster.hosts.map((host) => ({
        name: host.name,
        host,
        memberNames: cluster.members.filter((m) => m.host === host).map((m) => m.name),
    }));
    return {
        members,
        hosts,
        initialCluster,
        memberSetKey: memberSetKey(members),
        dns: planDns(cluster),
        clientEndpoints: members.map((m) => m.clientUrl),
        peerUrls: members.map((m) => m.peerUrl),
        etcdctlFlags: etcdctlTlsFlags(cluster.tls),
        auth: cluster.auth.enabled,
    };
}
