/**
 * The one set of helpers every generated script is built from: quoting, the bounded retry loop, the per-host
 * `docker` function, the etcdctl wrapper and root's login. Scripts are POSIX `sh`, run where Pulumi runs; secrets
 * reach them only through their environment, never their text.
 */
import * as fs from "fs";
import * as path from "path";
import { etcdctlPath } from "../plan/member";

/** Environment variable that carries the root password into the component's commands. */
export const rootPasswordEnv = "ETCD_ROOT_PASSWORD";

/** Name of the environment variable that carries a tcp host's PEM to a script. */
export function tlsEnvName(hostIndex: number, part: "ca" | "cert" | "key"): string {
    return `ETCD_HEALTH_HOST${hostIndex}_${part.toUpperCase()}`;
}

/** One shell word, whatever `value` holds. */
export function shQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** How long a retry loop may go on: so many attempts, or so many seconds from its start. */
export type RetryBound = { attempts: number } | { seconds: number };

/**
 * A bounded retry loop around `body`, which sets `ok=1` on success (or exits) and may set `err` on failure. Between
 * attempts it sleeps 1, 2, 4 … seconds, at most `maxDelay`. Afterwards `$attempt` is the number of attempts
 * made and `$ok` says whether one succeeded. `body` must not contain a here-document (it is indented).
 */
export function retryLoop(bound: RetryBound, body: string, maxDelay = 8): string {
    const more = "attempts" in bound ? `[ "$attempt" -lt ${bound.attempts} ]` : `[ "$(date +%s)" -lt "$deadline" ]`;
    const loop = "attempts" in bound ? `while ${more}; do` : `deadline=$(( $(date +%s) + ${bound.seconds} ))\nwhile :; do`;
    // err only where the body reports with it: an unused variable is a shellcheck warning.
    return `attempt=0; delay=1; ok=0${/\berr=/.test(body) ? '; err=""' : ""}
${loop}
  attempt=$((attempt + 1))
${body.replace(/^/gm, "  ")}
  [ "$ok" = 1 ] && break
  ${more} || break
  sleep "$delay"; delay=$((delay * 2)); [ "$delay" -le ${maxDelay} ] || delay=${maxDelay}
done`;
}

/** How a script reaches one Docker host with the docker CLI. */
export interface ScriptHost {
    url: string;
    sshOpts: string[];
    /** True for tcp:// hosts with TLS; the PEMs come in through {@link tlsEnvName} variables, never argv. */
    tls: boolean;
}

/** A member a script can ask, in order, until one answers. */
export interface ScriptProbe {
    member: string;
    hostIndex: number;
    containerName: string;
    localClientUrl: string;
}

/**
 * The `dk <hostIndex> <docker args…>` shell function: the docker CLI against one of the hosts. With ssh options, also
 * `real_ssh`, the ssh the wrappers call, found before any wrapper is first on a PATH.
 */
export function dockerFunction(hosts: ScriptHost[]): string {
    const cases = hosts.map((h, i) => {
        const setup: string[] = [];
        const env: string[] = [`DOCKER_HOST=${shQuote(h.url)}`];
        if (h.sshOpts.length > 0) {
            // The docker CLI runs plain `ssh` and has no flag for ssh options: a wrapper first on PATH adds them.
            setup.push(`[ -x "$tmp/ssh${i}/ssh" ] || { mkdir -p "$tmp/ssh${i}" && printf '#!/bin/sh\\nexec %s %s "$@"\\n' "$real_ssh" ${shQuote(h.sshOpts.map(shQuote).join(" "))} >"$tmp/ssh${i}/ssh" && chmod 700 "$tmp/ssh${i}/ssh"; }`);
            env.push(`PATH="$tmp/ssh${i}:$PATH"`);
        }
        if (h.tls) {
            setup.push(`[ -f "$tmp/tls${i}/key.pem" ] || { mkdir -p "$tmp/tls${i}" && (umask 077; printf '%s' "$${tlsEnvName(i, "ca")}" >"$tmp/tls${i}/ca.pem"; ` +
                `printf '%s' "$${tlsEnvName(i, "cert")}" >"$tmp/tls${i}/cert.pem"; printf '%s' "$${tlsEnvName(i, "key")}" >"$tmp/tls${i}/key.pem"); }`);
            env.push("DOCKER_TLS_VERIFY=1", `DOCKER_CERT_PATH="$tmp/tls${i}"`);
        }
        return `    ${i}) ${[...setup, `${env.join(" ")} docker "$@"`].join("; ")} ;;`;
    });
    const sshFirst = hosts.some((h) => h.sshOpts.length > 0) ? ["real_ssh=$(command -v ssh || echo ssh)"] : [];
    return [...sshFirst, "dk() {", '  h=$1; shift', '  case $h in', ...cases, "  esac", "}"].join("\n");
}

/**
 * What a script that talks to members needs first: a private temporary directory (removed on exit), the
 * `dk` function for the hosts, {@link decideFunction}, and the probes (`<hostIndex> <container> <localClientUrl> <member>` a line) in
 * `$probes` and in the file `$tmp/probes`, so loops can read them without a here-document.
 */
export function memberAccess(hosts: ScriptHost[], probes: ScriptProbe[]): string {
    const lines = probes.map((p) => `${p.hostIndex} ${p.containerName} ${p.localClientUrl} ${p.member}`).join("\n");
    return `tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${dockerFunction(hosts)}
${decideFunction()}
probes=${shQuote(lines)}
printf '%s\\n' "$probes" >"$tmp/probes"`;
}

/**
 * The `<name> <hostIndex> <container> <clientUrl> <etcdctl args…>` shell function: etcdctl inside a member's
 * container, with the TLS flags (paths inside the container) and `docker exec` options such as
 * `-e ETCDCTL_USER` (the name only: the docker CLI takes the value from its own environment) or `-i`.
 */
export function etcdctlFunction(name: string, execOptions: string[], flags: string[]): string {
    const opts = execOptions.map((o) => ` ${o}`).join("");
    const quoted = flags.map((f) => ` ${shQuote(f)}`).join("");
    return `${name}() { h=$1; c=$2; u=$3; shift 3; dk "$h" exec${opts} "$c" ${etcdctlPath}${quoted} --endpoints="$u" "$@"; }`;
}

/** Exports `ETCDCTL_USER=root:<password>` from {@link rootPasswordEnv}; fails, saying `why`, when it is empty. */
export function rootLogin(why: string): string {
    return `[ -n "\${${rootPasswordEnv}:-}" ] || { echo "${rootPasswordEnv} is empty: ${why}" >&2; exit 1; }
ETCDCTL_USER="root:\${${rootPasswordEnv}}"; export ETCDCTL_USER`;
}

/**
 * `decide <decision> <argument…>`: one of the decisions of plan/decide.js, over etcdctl's JSON that the script saved
 * (an argument `@<file>` is that file's text); prints the line the script acts on. The script carries the file's own
 * text, read where the package is installed: what runs is that file, however the caller's program was transpiled.
 */
export function decideFunction(): string {
    decideText ??= fs.readFileSync(path.join(__dirname, "..", "plan", "decide.js"), "utf8");
    return `decide_js=${shQuote(`${decideText}\nmodule.exports.main(process.argv.slice(1));\n`)}
decide() {
  command -v node >/dev/null 2>&1 || { echo "node is not on PATH here: the component's scripts decide with it (Pulumi's Node.js programs run with it)" >&2; return 1; }
  node -e "$decide_js" "$@"
}`;
}
let decideText: string | undefined;

/**
 * `clusterstatus <h> <ctr> <url>`: `endpoint status -w json` of every member, through `ectl` and `decide` (which must
 * be defined). With auth on, etcd 3.6.17 answers Status only to an authenticated user, and a learner cannot
 * authenticate one ("rpc not supported for learner"): etcdctl then exits at that endpoint's client and `--cluster`
 * prints nothing (etcdctl/ctlv3/command/ep_command.go, epStatusCommandFunc: mustClient per endpoint), so the voting
 * members are asked alone. A learner's own status is then unknown. Exits 1 when some member did not answer; prints the
 * more complete of the two answers, never both (two JSON arrays would not parse).
 */
export const clusterStatusFunction = `clusterstatus() {
  cs_h=$1; cs_c=$2; cs_u=$3
  cs_all=$(ectl "$cs_h" "$cs_c" "$cs_u" --command-timeout=5s endpoint status --cluster -w json 2>/dev/null) && { printf '%s\n' "$cs_all"; return 0; }
  cs_voters=""
  ectl "$cs_h" "$cs_c" "$cs_u" --command-timeout=5s member list -w json >"$tmp/cs_ml" 2>/dev/null && cs_voters=$(decide voters @"$tmp/cs_ml")
  cs_some=""
  [ -n "$cs_voters" ] && cs_some=$(ectl "$cs_h" "$cs_c" "$cs_u" --command-timeout=5s endpoint status -w json --endpoints="$cs_voters" 2>/dev/null) && { printf '%s\n' "$cs_some"; return 0; }
  if [ -n "$cs_some" ]; then printf '%s\n' "$cs_some"; elif [ -n "$cs_all" ]; then printf '%s\n' "$cs_all"; fi
  return 1
}`;

/**
 * A `node -e` program that calls pure functions of this package, shipped as their own source text
 * (`Function.prototype.toString`), so that the shell gathers facts and TypeScript decides where Pulumi runs. Each
 * function must use nothing from outside itself. Transpilers that keep function names (esbuild's `keepNames`, as
 * `tsx` runs a program) wrap inner functions in calls to a module helper, `__name(fn, "name")`, that the shipped text
 * does not carry: the program defines it as the identity. `build` gets each function's text as a callable expression.
 */
export function nodeProgram<F extends Record<string, (...args: never[]) => unknown>>(fns: F, build: (text: { [K in keyof F]: string }) => string): string {
    const text = Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, `(${fn.toString()})`])) as { [K in keyof F]: string };
    return `var __name = (fn) => fn; ${build(text)}`;
}

