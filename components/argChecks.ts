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
