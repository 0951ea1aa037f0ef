/** The Docker hosts: each url checked and parsed, names and urls unique; and which hosts end up running something. */
import type { DockerHostArgs } from "../args";
import { dockerNamePattern, isAddress, show } from "./argChecks";
import { defaultLocalHost } from "./defaults";
import type { ResolvedBootstrap, ResolvedHost, ResolvedMember } from "./model";

function resolveHost(host: DockerHostArgs, path: string, problems: string[]): ResolvedHost | undefined {
    if (!host || typeof host.name !== "string" || !dockerNamePattern.test(host.name)) {
        problems.push(`${path}.name: ${show(host?.name)} is not a valid host name; use 1–63 letters, digits, ".", "_" or "-".`);
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(host.url);
    } catch {
        problems.push(typeof host.url === "string" && host.url.trim() !== "" && !host.url.includes("://")
            ? `${path}.url: ${show(host.url)} has no scheme; say how Docker is reached: ${show(`ssh://${host.url.includes("@") ? host.url : `user@${host.url}`}`)} ` +
                `(recommended), ${show(`tcp://${host.url.split("@").pop()}:2376`)} with TLS material, or "unix:///var/run/docker.sock".`
            : `${path}.url: ${show(host.url)} is not a URL; use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock.`);
        return undefined;
    }
    const scheme = url.protocol.replace(/:$/, "");
    const sshOpts = host.sshOpts ?? [];
    if (!Array.isArray(sshOpts) || sshOpts.some((o) => typeof o !== "string")) {
        problems.push(`${path}.sshOpts: ${show(host.sshOpts)} must be a list of strings, e.g. ["-i", "~/.ssh/etcd"].`);
    }
    const hasTls = host.caMaterial !== undefined || host.certMaterial !== undefined || host.keyMaterial !== undefined;
    const base = { name: host.name, url: host.url, sshOpts, caMaterial: host.caMaterial, certMaterial: host.certMaterial, keyMaterial: host.keyMaterial };
    switch (scheme) {
        case "ssh":
        case "tcp": {
            const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
            if (!hostname || !isAddress(hostname)) {
                problems.push(`${path}.url: ${show(host.url)} has no valid host; use ${scheme}://${scheme === "ssh" ? "user@" : ""}10.0.0.137${scheme === "tcp" ? ":2376" : ""}.`);
            }
            if (scheme === "ssh" && hasTls) {
                problems.push(`${path}: TLS material is for tcp:// hosts, but ${show(host.url)} is ssh://; remove caMaterial/certMaterial/keyMaterial.`);
            }
            if (scheme === "tcp" && !(host.caMaterial !== undefined && host.certMaterial !== undefined && host.keyMaterial !== undefined)) {
                problems.push(`${path}: ${show(host.url)} is a tcp:// Docker host without TLS (caMaterial, certMaterial, keyMaterial); ` +
                    `a plain tcp daemon gives root to anyone who reaches it. Use ssh://user@${hostname} or provide all three PEMs.`);
            }
            if (scheme === "tcp" && sshOpts.length > 0) {
                problems.push(`${path}.sshOpts: only ssh:// hosts use ssh options, but the url is ${show(host.url)}; remove sshOpts.`);
            }
            return { ...base, scheme, hostname };
        }
        case "unix":
            if (!url.pathname || url.pathname === "/") {
                problems.push(`${path}.url: ${show(host.url)} names no socket; use unix:///var/run/docker.sock.`);
            }
            if (hasTls || sshOpts.length > 0) {
                problems.push(`${path}: a unix:// host takes no ssh options or TLS material; remove them.`);
            }
            return { ...base, scheme: "unix" };
        default:
            problems.push(`${path}.url: scheme ${show(scheme)} of ${show(host.url)} is not supported; use ssh://, tcp:// or unix://.`);
            return undefined;
    }
}

/** `hosts` (default: the local engine), each checked; a host whose name or url repeats an earlier one is left out. */
export function resolveHosts(hostArgs: DockerHostArgs[] | undefined, problems: string[]): ResolvedHost[] {
    const given = hostArgs ?? [defaultLocalHost];
    if (!Array.isArray(given) || given.length === 0) {
        problems.push(`hosts: ${show(hostArgs)} must list at least one Docker host, or be left out for the local engine.`);
    }
    const hosts: ResolvedHost[] = [];
    (Array.isArray(given) ? given : []).forEach((h, i) => {
        const resolved = resolveHost(h, `hosts[${i}]`, problems);
        if (!resolved) {
            return;
        }
        if (hosts.some((other) => other.name === resolved.name)) {
            problems.push(`hosts[${i}].name: ${show(resolved.name)} is used by two hosts; host names must be unique.`);
        } else if (hosts.some((other) => other.url === resolved.url)) {
            problems.push(`hosts[${i}].url: ${show(resolved.url)} is listed twice; give members the same host name instead.`);
        } else {
            hosts.push(resolved);
        }
    });
    return hosts;
}

/** Splits the hosts into those that run a member or the dnsmasq container, and those that run nothing. */
export function hostsInUse(hosts: ResolvedHost[], members: ResolvedMember[], bootstrap: ResolvedBootstrap): { used: ResolvedHost[]; unused: ResolvedHost[] } {
    const dnsmasqHost = bootstrap.mode === "dns" && bootstrap.dnsmasq?.kind === "container" ? bootstrap.dnsmasq.host : undefined;
    const isUsed = (h: ResolvedHost) => members.some((m) => m.host === h) || h === dnsmasqHost;
    return { used: hosts.filter(isUsed), unused: hosts.filter((h) => !isUsed(h)) };
}
