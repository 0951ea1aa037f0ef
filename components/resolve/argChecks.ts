/** The basics every argument check uses: how values are shown in messages, names, addresses, ports, and the error that lists every problem. */
import * as net from "net";

/** A value as it appears in an error message: JSON, so strings are quoted and `undefined` is visible. */
export function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
const hostnamePattern = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** One DNS label. */
export const labelPattern = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** A DNS name, and not an IP address. */
export function isHostname(value: unknown): value is string {
    return typeof value === "string" && hostnamePattern.test(value) && net.isIP(value) === 0;
}

/** Something a peer or client can dial: an IPv4/IPv6 address or a DNS name. */
export function isAddress(value: unknown): value is string {
    return typeof value === "string" && (net.isIP(value) !== 0 || hostnamePattern.test(value));
}

/** Docker's own rule for container and volume names, which member and host names also follow. */
export const dockerNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** A TCP/UDP port: a whole number from 1 to 65535. */
export function isPort(value: unknown): value is number {
    return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

/** Every problem found in the arguments, each naming the field, the bad value and the fix. */
export class EtcdClusterArgsError extends Error {
    constructor(public readonly problems: string[], where: string) {
        super(`invalid ${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "EtcdClusterArgsError";
    }
}
