/** The `tls` and `auth` arguments, checked (each problem with field, value and fix) and defaulted. */
import type { AuthArgs, TlsArgs } from "../args";
import { show } from "./argChecks";
import { defaultValidityHours } from "./defaults";
import type { ResolvedAuth, ResolvedTls } from "./model";

const isSet = (v: unknown) => v !== undefined && v !== null && v !== "";

/** Checks `tls`, pushing each problem with field, value and fix. */
export function resolveTls(args: TlsArgs | undefined, memberNames: string[], problems: string[]): ResolvedTls {
    const mode = args?.mode ?? "off";
    if (!["off", "auto", "provided"].includes(mode)) {
        problems.push(`tls.mode: ${show(mode)} must be "off", "auto" or "provided".`);
        return { mode: "off" };
    }
    if (args?.provided !== undefined && mode !== "provided") {
        problems.push(`tls.provided: set, but tls.mode is ${show(mode)}; set tls.mode to "provided" or remove tls.provided.`);
    }
    for (const key of ["clientCertAuth", "peerClientCertAuth"] as const) {
        if (args?.[key] !== undefined && typeof args[key] !== "boolean") {
            problems.push(`tls.${key}: ${show(args[key])} must be true or false.`);
        }
    }
    const validityHours = args?.validityHours ?? defaultValidityHours;
    if (!Number.isInteger(validityHours) || validityHours < 1 || validityHours > 876000) {
        problems.push(`tls.validityHours: ${show(args?.validityHours)} must be a whole number of hours from 1 to 876000.`);
    } else if (args?.validityHours !== undefined && mode !== "auto") {
        problems.push(`tls.validityHours: only used with tls.mode "auto" (it is ${show(mode)}); remove it.`);
    }
    if (mode === "off") {
        for (const key of ["clientCertAuth", "peerClientCertAuth"] as const) {
            if (args?.[key] !== undefined) problems.push(`tls.${key}: set, but tls.mode is "off"; set tls.mode to "auto" or "provided", or remove it.`);
        }
        return { mode: "off" };
    }
    const common = {
        clientCertAuth: args?.clientCertAuth ?? true,
        peerClientCertAuth: args?.peerClientCertAuth ?? true,
        validityHours,
    };
    if (mode === "auto") return { mode, ...common };
    const p = args?.provided;
    if (!p || typeof p !== "object") {
        problems.push(`tls.provided: missing; tls.mode "provided" needs { ca, members: { <member>: { cert, key } }, client: { cert, key } } (PEM, keys as secrets).`);
        return { mode: "off" };
    }
    if (!isSet(p.ca)) problems.push(`tls.provided.ca: missing; give the PEM of the CA that signed the member and client certificates.`);
    const given = p.members && typeof p.members === "object" ? p.members : {};
    for (const name of memberNames) {
        const m = given[name];
        if (!m || !isSet(m.cert) || !isSet(m.key)) {
            problems.push(`tls.provided.members.${name}: missing cert or key; give member ${show(name)} its PEM certificate and key (the key as a secret).`);
        }
    }
    for (const name of Object.keys(given)) {
        if (!memberNames.includes(name)) {
            problems.push(`tls.provided.members.${name}: no member is called ${show(name)}; the members are ${memberNames.map(show).join(", ")}.`);
        }
    }
    if (!p.client || !isSet(p.client.cert) || !isSet(p.client.key)) {
        problems.push(`tls.provided.client: missing cert or key; the health check and the auth command need a client certificate signed by the CA.`);
    }
    return { mode, ...common, provided: p };
}

/** Checks `auth`. */
export function resolveAuth(args: AuthArgs | undefined, problems: string[]): ResolvedAuth {
    const enabled = args?.enabled ?? false;
    if (typeof enabled !== "boolean") {
        problems.push(`auth.enabled: ${show(args?.enabled)} must be true or false.`);
        return { enabled: false };
    }
    if (!enabled && args?.rootPassword !== undefined) {
        problems.push(`auth.rootPassword: set, but auth.enabled is false; set auth.enabled: true or remove auth.rootPassword.`);
    }
    if (typeof args?.rootPassword === "string" && (args.rootPassword === "" || /\s/.test(args.rootPassword))) {
        problems.push(`auth.rootPassword: must be non-empty and without whitespace (etcdctl reads it from stdin up to the first blank); leave it out to generate one.`);
    }
    return { enabled, rootPassword: enabled ? args?.rootPassword : undefined };
}
