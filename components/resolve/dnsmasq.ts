/** The `bootstrap.dns.dnsmasq` argument: a dnsmasq container on one of the hosts, or a drop-in file on your dnsmasq server. */
import * as net from "net";
import type { DnsmasqArgs } from "../args";
import { dockerNamePattern, isAddress, isPort, show } from "./argChecks";
import { defaultCheckAttempts, defaultDnsPort, defaultReloadCommand, defaultSshPort, defaultSshUser } from "./defaults";
import type { BootstrapContext, ResolvedDnsmasq } from "./model";

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
            problems.push(`members[${m.index}].address: ${show(m.address)} is not an IP address, but dnsmasq serves it as host-record ${show(m.name)} → address; give the member's IP.`);
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
    const sshPort = r.sshPort ?? defaultSshPort;
    if (!isPort(sshPort)) problems.push(`${where}.sshPort: ${show(r.sshPort)} is not a port; use a whole number from 1 to 65535.`);
    const user = r.user ?? defaultSshUser;
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
