/** The members: each checked, with its host, address, ports and Docker names defaulted; then the clashes between them. */
import type { DockerHostArgs, EtcdMemberArgs } from "../args";
import { dockerNamePattern, isAddress, isPort, show } from "./argChecks";
import { defaultClientPort, defaultLocalHost, defaultPeerPort } from "./defaults";
import type { ResolvedCluster, ResolvedHost, ResolvedMember } from "./model";

/**
 * The member's host. `hostArgs` is the `hosts` argument as given: undefined when it defaulted to the local engine,
 * and with the names of hosts that were refused, whose own problems already say what is wrong with them.
 */
function memberHost(m: EtcdMemberArgs, path: string, hosts: ResolvedHost[], hostArgs: DockerHostArgs[] | undefined, problems: string[]): ResolvedHost | undefined {
    if (m.host === undefined) {
        if (hosts.length > 1) {
            problems.push(`${path}.host: missing; with several hosts each member must name one of ${hosts.map((h) => show(h.name)).join(", ")}.`);
        }
        return hosts.length === 1 ? hosts[0] : undefined;
    }
    const host = hosts.find((h) => h.name === m.host);
    if (host) {
        return host;
    }
    if (hostArgs === undefined) {
        problems.push(`${path}.host: ${show(m.host)} is not a host: hosts is not set, so it defaulted to the local engine alone ` +
            `({ name: ${show(defaultLocalHost.name)}, url: ${show(defaultLocalHost.url)} }). List your Docker hosts, e.g. ` +
            `hosts: [{ name: ${show(m.host)}, url: "ssh://user@10.0.0.137" }], or leave host out to use the local engine.`);
    } else if (Array.isArray(hostArgs) && hostArgs.some((h) => h?.name === m.host)) {
        // The host is listed but was refused: its own problem says why, and "not in hosts" would be wrong.
    } else if (hosts.length > 0) {
        problems.push(`${path}.host: ${show(m.host)} is not in hosts; use one of ${hosts.map((h) => show(h.name)).join(", ")}.`);
    }
    return undefined;
}

function checkPorts(path: string, clientPort: unknown, peerPort: unknown, problems: string[]): void {
    if (!isPort(clientPort)) {
        problems.push(`${path}.clientPort: ${show(clientPort)} is not a port; use a whole number from 1 to 65535.`);
    }
    if (!isPort(peerPort)) {
        problems.push(`${path}.peerPort: ${show(peerPort)} is not a port; use a whole number from 1 to 65535.`);
    }
    if (isPort(clientPort) && clientPort === peerPort) {
        problems.push(`${path}: clientPort and peerPort are both ${clientPort}; give them different ports (2379 and 2380 by default).`);
    }
}

function checkAddress(path: string, address: unknown, host: ResolvedHost | undefined, networkMode: ResolvedCluster["networkMode"], problems: string[]): void {
    if (address === undefined) {
        if (host) {
            problems.push(`${path}.address: missing and not derivable from its host; set the IP or DNS name peers reach it at.`);
        }
    } else if (typeof address !== "string" || !isAddress(address)) {
        const hint = typeof address === "string" && /^[a-z]+:\/\//.test(address) ? " without the scheme" :
            typeof address === "string" && /:\d+$/.test(address) ? " without the port (set clientPort/peerPort)" : "";
        problems.push(`${path}.address: ${show(address)} is not an IP address or DNS name; give the bare address${hint}, e.g. 10.0.0.137.`);
    } else if (networkMode === "published" && (address === "localhost" || address.startsWith("127."))) {
        problems.push(`${path}.address: ${show(address)} is a loopback address, which peers in other containers cannot reach with networkMode "published"; ` +
            `use the host's own address, or networkMode "host".`);
    }
}

/**
 * `members`, each checked and defaulted. A member whose name, host or address cannot be resolved is left out
 * (its problems are reported), so later checks only see members that make sense.
 */
export function resolveMembers(memberArgs: EtcdMemberArgs[], hosts: ResolvedHost[], hostArgs: DockerHostArgs[] | undefined,
    networkMode: ResolvedCluster["networkMode"], problems: string[]): ResolvedMember[] {
    if (!Array.isArray(memberArgs) || memberArgs.length === 0) {
        problems.push(`members: ${show(memberArgs)} must list at least one member, e.g. [{ name: "etcd-n1" }].`);
    }
    const members: ResolvedMember[] = [];
    (Array.isArray(memberArgs) ? memberArgs : []).forEach((m, index) => {
        const path = `members[${index}]`;
        if (!m || typeof m.name !== "string" || !dockerNamePattern.test(m.name)) {
            problems.push(`${path}.name: ${show(m?.name)} is not a valid member name; use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
            return;
        }
        if (members.some((other) => other.name === m.name)) {
            problems.push(`${path}.name: ${show(m.name)} is used by two members; member names must be unique.`);
            return;
        }
        const host = memberHost(m, path, hosts, hostArgs, problems);
        const clientPort = m.clientPort ?? defaultClientPort;
        const peerPort = m.peerPort ?? defaultPeerPort;
        checkPorts(path, clientPort, peerPort, problems);
        const address = m.address ?? (host?.scheme === "unix" ? "127.0.0.1" : host?.hostname);
        checkAddress(path, address, host, networkMode, problems);
        const containerName = m.containerName ?? m.name;
        const volumeName = m.volumeName ?? `${m.name}-data`;
        if (!dockerNamePattern.test(containerName)) {
            problems.push(`${path}.containerName: ${show(containerName)} is not a valid Docker container name.`);
        }
        if (!dockerNamePattern.test(volumeName)) {
            problems.push(`${path}.volumeName: ${show(volumeName)} is not a valid Docker volume name.`);
        }
        if (host && address !== undefined) {
            members.push({ name: m.name, index, host, address, clientPort, peerPort, containerName, volumeName, dnsName: m.dnsName });
        }
    });
    return members;
}

/** Addresses, ports, container and volume names two members would share. Only between members that resolved cleanly. */
export function memberCollisions(members: ResolvedMember[]): string[] {
    const problems: string[] = [];
    for (let i = 0; i < members.length; i++) {
        for (let j = 0; j < i; j++) {
            const [a, b] = [members[j], members[i]];
            const where = `members ${show(a.name)} and ${show(b.name)}`;
            const endpointsA = [a.clientPort, a.peerPort];
            for (const port of [b.clientPort, b.peerPort]) {
                if (a.address === b.address && endpointsA.includes(port)) {
                    problems.push(`${where} both use ${a.address}:${port}; give one of them other ports or another address.`);
                } else if (a.host === b.host && endpointsA.includes(port)) {
                    problems.push(`${where} both use port ${port} on Docker host ${show(a.host.name)}; give one of them other ports.`);
                }
            }
            if (a.host === b.host && a.containerName === b.containerName) {
                problems.push(`${where} both use container name ${show(a.containerName)} on host ${show(a.host.name)}; set containerName.`);
            }
            if (a.host === b.host && a.volumeName === b.volumeName) {
                problems.push(`${where} both use volume ${show(a.volumeName)} on host ${show(a.host.name)}; set volumeName.`);
            }
        }
    }
    return problems;
}
