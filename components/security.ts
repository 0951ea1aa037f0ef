/**
 * Secure clusters, the pure part: validation of the `tls` and `auth` arguments, the certificate SANs of each
 * member, the `ETCD_*` TLS variables, the files uploaded into every member container, the etcdctl flags every
 * command uses, and the script that creates the root user and enables authentication. The resources (CA and
 * certificates with @pulumi/tls, the root password, the auth command) live in securityResources.ts.
 *
 * Secrets never appear in anything this file renders: keys and certificates travel as container `uploads`,
 * the root password as the environment variable {@link rootPasswordEnv} of the command that runs a script, from
 * which the script hands it to `docker exec -e ETCDCTL_USER` (name only: the docker CLI takes the value from
 * its own environment) or to etcdctl's stdin.
 */
import * as net from "net";
import type * as pulumi from "@pulumi/pulumi";
import type { AuthArgs, ProvidedTlsArgs, TlsArgs } from "./args";
import type { ResolvedBootstrap } from "./bootstrap";
import type { ResolvedMember } from "./validation";
import { show } from "./argChecks";
import { dockerFunction, HealthCheckHost, HealthCheckProbe, rootPasswordEnvName, shQuote } from "./healthCheck";

/** Where the PEM files go in every member container. */
export const pkiDir = "/etc/etcd/pki";

/** The files uploaded into each member container, by what they hold. */
export const tlsFiles = {
    ca: `${pkiDir}/ca.crt`,
    serverCert: `${pkiDir}/server.crt`,
    serverKey: `${pkiDir}/server.key`,
    peerCert: `${pkiDir}/peer.crt`,
    peerKey: `${pkiDir}/peer.key`,
    clientCert: `${pkiDir}/client.crt`,
    clientKey: `${pkiDir}/client.key`,
} as const;
export type TlsMaterial = keyof typeof tlsFiles;

export const defaultValidityHours = 87600;
/** Common name of the client certificate `auto` makes: not an etcd user, so it grants nothing with auth on. */
export const clientCommonName = "etcd-client";
/** Environment variable that carries the root password into the component's commands. */
export const rootPasswordEnv = rootPasswordEnvName;

export type ResolvedTls =
    | { mode: "off" }
    | { mode: "auto" | "provided"; clientCertAuth: boolean; peerClientCertAuth: boolean; validityHours: number; provided?: ProvidedTlsArgs };

export interface ResolvedAuth {
    enabled: boolean;
    /** Given by the user; else generated. */
    rootPassword?: pulumi.Input<string>;
}

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

// ------------------------------------------------------------------------------------------ planning

/** Subject alternative names of a member's server and peer certificates. */
export interface CertSans {
    dnsNames: string[];
    ipAddresses: string[];
}

/**
 * Every name and address a member is reached by: its address (what peers and clients dial), with DNS bootstrap
 * its advertised DNS name and the SRV domain (etcd checks the domain against peer certificates), and
 * `localhost`/`127.0.0.1` for `docker exec … etcdctl` and the Docker healthcheck inside the container.
 */
export function certSans(bootstrap: ResolvedBootstrap, m: Pick<ResolvedMember, "name" | "address">): CertSans {
    const names = [m.address, ...(bootstrap.mode === "dns" ? [bootstrap.names[m.name], bootstrap.domain] : []), "localhost", "127.0.0.1"];
    const unique = (xs: string[]) => xs.filter((x, i) => xs.findIndex((y) => y.toLowerCase() === x.toLowerCase()) === i);
    return {
        dnsNames: unique(names.filter((n) => net.isIP(n) === 0)),
        ipAddresses: unique(names.filter((n) => net.isIP(n) !== 0)),
    };
}

/** The `ETCD_*` TLS settings of every member (same on each: the file paths are the same in every container). */
export function tlsEnv(tls: ResolvedTls): string[] {
    if (tls.mode === "off") return [];
    return [
        `ETCD_CERT_FILE=${tlsFiles.serverCert}`,
        `ETCD_KEY_FILE=${tlsFiles.serverKey}`,
        ...(tls.clientCertAuth ? [`ETCD_TRUSTED_CA_FILE=${tlsFiles.ca}`, "ETCD_CLIENT_CERT_AUTH=true"] : []),
        `ETCD_PEER_CERT_FILE=${tlsFiles.peerCert}`,
        `ETCD_PEER_KEY_FILE=${tlsFiles.peerKey}`,
        `ETCD_PEER_TRUSTED_CA_FILE=${tlsFiles.ca}`,
        ...(tls.peerClientCertAuth ? ["ETCD_PEER_CLIENT_CERT_AUTH=true"] : []),
    ];
}

/** One file uploaded into a member container: certificates 0644, keys 0600 (not world-readable; etcd runs as root). */
export interface TlsUpload {
    file: string;
    material: TlsMaterial;
    permissions: "0644" | "0600";
}

/** The uploads of every member container: CA, server and peer certificate and key, and the client certificate for etcdctl. */
export function tlsUploads(tls: ResolvedTls): TlsUpload[] {
    if (tls.mode === "off") return [];
    return (Object.keys(tlsFiles) as TlsMaterial[]).map((material) => ({
        file: tlsFiles[material],
        material,
        permissions: material.endsWith("Key") ? "0600" : "0644",
    }));
}

/** Flags of every `etcdctl` the component runs inside a member container (paths only, never contents). */
export function etcdctlTlsFlags(tls: ResolvedTls): string[] {
    if (tls.mode === "off") return [];
    return [`--cacert=${tlsFiles.ca}`, `--cert=${tlsFiles.clientCert}`, `--key=${tlsFiles.clientKey}`];
}

// ------------------------------------------------------------------------------------------ auth script

export interface AuthEnableSpec {
    clusterName: string;
    hosts: HealthCheckHost[];
    probes: HealthCheckProbe[];
    etcdctlFlags: string[];
    /** How long to wait for a member that answers, in seconds. */
    timeoutSeconds: number;
}

/**
 * Creates the root user (password from `$ETCD_ROOT_PASSWORD`, given to etcdctl on stdin), grants it the root
 * role and enables authentication, through `docker exec` on the first member that answers. Idempotent: when
 * authentication is already on, it only checks that root's password works and changes nothing. stdout says
 * what it did. The password never appears in an argv: `docker exec -e ETCDCTL_USER` names the variable only.
 */
export function authEnableScript(spec: AuthEnableSpec): string {
    const probes = spec.probes.map((p) => `${p.hostIndex} ${p.containerName} ${p.localClientUrl} ${p.member}`).join("\n");
    return `set -u
cluster=${shQuote(spec.clusterName)}
real_ssh=$(command -v ssh || echo ssh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${dockerFunction(spec.hosts)}
flags=${shQuote(spec.etcdctlFlags.join(" "))}
probes=${shQuote(probes)}
[ -n "\${${rootPasswordEnv}:-}" ] || { echo "${rootPasswordEnv} is empty: the auth command needs root's password in its environment" >&2; exit 1; }
ETCDCTL_USER="root:\${${rootPasswordEnv}}"; export ETCDCTL_USER
# e: etcdctl without credentials; ea: as root (value of ETCDCTL_USER from this environment); ei: stdin attached.
e() { h=$1; c=$2; u=$3; shift 3; dk "$h" exec "$c" /usr/local/bin/etcdctl $flags --endpoints="$u" "$@"; }
ea() { h=$1; c=$2; u=$3; shift 3; dk "$h" exec -e ETCDCTL_USER "$c" /usr/local/bin/etcdctl $flags --endpoints="$u" "$@"; }
ei() { h=$1; c=$2; u=$3; shift 3; dk "$h" exec -i "$c" /usr/local/bin/etcdctl $flags --endpoints="$u" "$@"; }
deadline=$(( $(date +%s) + ${spec.timeoutSeconds} ))
last=""
while :; do
  while read -r h ctr url member; do
    # endpoint status needs no credentials (auth on or off); user list below needs quorum and is retried.
    e "$h" "$ctr" "$url" endpoint status >/dev/null 2>&1 || { last="$member: endpoint status failed"; continue; }
    if out=$(e "$h" "$ctr" "$url" user list 2>&1); then
      changes=""
      if ! printf '%s\\n' "$out" | grep -qx root; then
        if ! err=$(printf '%s\\n' "$${rootPasswordEnv}" | ei "$h" "$ctr" "$url" user add root --interactive=false 2>&1 >/dev/null); then
          printf 'etcd cluster %s: could not create user root through %s: %s\\n' "$cluster" "$member" "$err" >&2; exit 1
        fi
        changes="created user root;"
      fi
      err=$(e "$h" "$ctr" "$url" user grant-role root root 2>&1 >/dev/null) || { printf 'etcd cluster %s: could not grant role root to user root: %s\\n' "$cluster" "$err" >&2; exit 1; }
      err=$(e "$h" "$ctr" "$url" auth enable 2>&1 >/dev/null) || { printf 'etcd cluster %s: could not enable authentication: %s\\n' "$cluster" "$err" >&2; exit 1; }
      printf 'etcd cluster %s: %s granted role root to root; authentication enabled (through %s)\\n' "$cluster" "$changes" "$member"
      exit 0
    fi
    case $out in
      *"user name not found"*|*"user name is empty"*|*"permission denied"*|*"invalid auth token"*)
        if err=$(ea "$h" "$ctr" "$url" user get root 2>&1); then
          printf 'etcd cluster %s: authentication already enabled and root'"'"'s password works; nothing changed (checked through %s)\\n' "$cluster" "$member"
          exit 0
        fi
        printf 'etcd cluster %s: authentication is enabled, but root'"'"'s password is refused (%s). Was it changed outside this deployment? Give the current one as auth.rootPassword.\\n' "$cluster" "$err" >&2
        exit 1 ;;
    esac
    last="$member: $out"
  done <<EOF_PROBES
$probes
EOF_PROBES
  [ "$(date +%s)" -lt "$deadline" ] || break
  sleep 2
done
printf 'etcd cluster %s: no member answered within ${spec.timeoutSeconds}s, so authentication was not enabled. Last: %s\\n' "$cluster" "$last" >&2
exit 1
`;
}
