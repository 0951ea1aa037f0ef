import { ClusterPlan } from "./memberPlan";

/**
 * The post-deploy health check, as a POSIX shell script run where Pulumi runs. It does what the seed does
 * by hand, `docker exec <member> etcdctl member list` and `endpoint health --cluster`, through the same
 * Docker hosts the members run on, so it needs only the docker CLI and no route to the client ports.
 */

/** How the script reaches one Docker host with the docker CLI. */
export interface HealthCheckHost {
    url: string;
    sshOpts: string[];
    /** True for tcp:// hosts with TLS; the PEMs come in through {@link tlsEnvName} variables, never argv. */
    tls: boolean;
}

/** A member the script can ask, in order, until one answers. */
export interface HealthCheckProbe {
    member: string;
    hostIndex: number;
    containerName: string;
    localClientUrl: string;
}

export interface HealthCheckSpec {
    clusterName: string;
    expectedMembers: string[];
    hosts: HealthCheckHost[];
    probes: HealthCheckProbe[];
    timeoutSeconds: number;
    /** Longest pause between attempts; attempts back off 1, 2, 4 … seconds up to this. */
    maxDelaySeconds?: number;
    /** Flags of every etcdctl call (TLS: `--cacert=… --cert=… --key=…`, paths inside the member container). */
    etcdctlFlags?: string[];
    /**
     * Authenticate as root: the script exports `ETCDCTL_USER=root:$ETCD_ROOT_PASSWORD` and runs
     * `docker exec -e ETCDCTL_USER …` (the name only; the docker CLI takes the value from its environment).
     */
    auth?: boolean;
}

/** Name of the environment variable that carries a tcp host's PEM to the script. */
export function tlsEnvName(hostIndex: number, part: "ca" | "cert" | "key"): string {
    return `ETCD_HEALTH_HOST${hostIndex}_${part.toUpperCase()}`;
}

/** Environment variable of the root password (same as security.ts's rootPasswordEnv; duplicated to avoid an import cycle). */
export const rootPasswordEnvName = "ETCD_ROOT_PASSWORD";

export function shQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Majority of `n` members: the most that may fail is n - quorum. */
export function quorumOf(n: number): number {
    return Math.floor(n / 2) + 1;
}

/** The `dk <hostIndex> <docker args…>` shell function: the docker CLI against one of the hosts. */
export function dockerFunction(hosts: HealthCheckHost[]): string {
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
    return ["dk() {", '  h=$1; shift', '  case $h in', ...cases, "  esac", "}"].join("\n");
}

/** The check for a planned cluster: every member expected, every member asked in turn, on its own host. */
export function healthCheckSpec(clusterName: string, plan: ClusterPlan, timeoutSeconds: number): HealthCheckSpec {
    return {
        clusterName,
        expectedMembers: plan.members.map((m) => m.name),
        hosts: plan.hosts.map((h) => ({ url: h.host.url, sshOpts: h.host.sshOpts, tls: h.host.scheme === "tcp" })),
        probes: plan.members.map((m) => ({
            member: m.name,
            hostIndex: plan.hosts.findIndex((h) => h.name === m.hostName),
            containerName: m.containerName,
            localClientUrl: m.localClientUrl,
        })),
        timeoutSeconds,
        etcdctlFlags: plan.etcdctlFlags,
        auth: plan.auth,
    };
}

/** Renders the script. Its stdout on success is the report; on failure stderr says what is wrong. */
export function healthCheckScript(spec: HealthCheckSpec): string {
    const n = spec.expectedMembers.length;
    const quorum = quorumOf(n);
    const maxDelay = spec.maxDelaySeconds ?? 5;
    const probes = spec.probes.map((p) => `${p.hostIndex} ${p.containerName} ${p.localClientUrl} ${p.member}`).join("\n");
    const flags = (spec.etcdctlFlags ?? []).map((f) => ` ${shQuote(f)}`).join("");
    const authLine = spec.auth
        ? `[ -n "\${${rootPasswordEnvName}:-}" ] || { echo "${rootPasswordEnvName} is empty: the health check authenticates as root" >&2; exit 1; }\n` +
          `ETCDCTL_USER="root:\${${rootPasswordEnvName}}"; export ETCDCTL_USER\n`
        : "";
    const execOpts = spec.auth ? " -e ETCDCTL_USER" : "";
    return `set -u
${authLine}cluster=${shQuote(spec.clusterName)}
expected=${shQuote(spec.expectedMembers.join(" "))}
n=${n}
quorum=${quorum}
real_ssh=$(command -v ssh || echo ssh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${dockerFunction(spec.hosts)}
ectl() { h=$1; c=$2; u=$3; shift 3; dk "$h" exec${execOpts} "$c" /usr/local/bin/etcdctl${flags} --endpoints="$u" "$@"; }
# The client library's JSON warnings (e.g. "authentication is not enabled" before auth is on) stay out of the report.
nolog() { printf '%s\n' "$1" | grep -v '^{"level":'; }
probes=${shQuote(probes)}
deadline=$(( $(date +%s) + ${spec.timeoutSeconds} ))
delay=1
attempt=0
while :; do
  attempt=$((attempt + 1))
  list=""; health=""; probe=""; problem=""
  while read -r h ctr url member; do
    # Both questions at once: each is a docker exec (over ssh for remote hosts), and the round trips dominate.
    ectl "$h" "$ctr" "$url" -w table endpoint health --cluster >"$tmp/health" 2>&1 &
    asked=$!
    if out=$(ectl "$h" "$ctr" "$url" member list 2>&1); then
      wait "$asked"
      list=$(nolog "$out"); probe=$member; health=$(nolog "$(cat "$tmp/health")")
      break
    fi
    wait "$asked"
    problem="$problem
  $member: $(printf '%s' "$out" | tail -n 3 | tr '\\n' ' ')"
  done <<EOF_PROBES
$probes
EOF_PROBES
  missing=""
  for name in $expected; do
    printf '%s\\n' "$list" | grep -q ", started, $name, " || missing="$missing $name"
  done
  extra=$(printf '%s\\n' "$list" | awk -F', ' -v want=" $expected " 'NF >= 6 && index(want, " " $3 " ") == 0 { printf " %s(%s)", ($3 == "" ? "<unnamed>" : $3), $2 }')
  healthy=$(printf '%s\\n' "$health" | grep -cE '^\\| *[a-z]+://[^ ]+ *\\| *true *\\|')
  if [ -n "$probe" ] && [ -z "$missing" ] && [ -z "$extra" ] && [ "$healthy" -eq "$n" ]; then
    printf 'etcd cluster %s: %s of %s members started and healthy (asked %s, attempt %s)\\n%s\\n%s\\n' "$cluster" "$healthy" "$n" "$probe" "$attempt" "$list" "$health"
    exit 0
  fi
  [ "$(date +%s)" -lt "$deadline" ] || break
  sleep "$delay"
  delay=$((delay * 2)); [ "$delay" -le ${maxDelay} ] || delay=${maxDelay}
done
# Which members are up at all: endpoint status is answered locally, without quorum.
up=0; down=""
while read -r h ctr url member; do
  if ectl "$h" "$ctr" "$url" endpoint status >/dev/null 2>&1; then up=$((up + 1)); else down="$down $member"; fi
done <<EOF_PROBES
$probes
EOF_PROBES
{
  printf 'etcd cluster %s is not healthy after ${spec.timeoutSeconds}s (%s attempts).\\n' "$cluster" "$attempt"
  if [ "$healthy" -lt "$quorum" ] && [ "$up" -lt "$quorum" ]; then
    printf 'quorum lost: only %s of %s members are up; a cluster of %s needs %s to accept writes. Down:%s\\n' "$up" "$n" "$n" "$quorum" "$down"
  elif [ "$healthy" -lt "$quorum" ]; then
    printf 'no quorum although %s of %s members are up: they cannot reach each other; check that every peer URL is reachable from the other hosts.\\n' "$up" "$n"
  else
    printf '%s of %s members healthy.\\n' "$healthy" "$n"
  fi
  [ -z "$missing" ] || printf 'not started or not in the member list:%s\\n' "$missing"
  [ -z "$extra" ] || printf 'members that are not part of this deployment:%s\\n' "$extra"
  [ -z "$problem" ] || printf 'members that did not answer member list:%s\\n' "$problem"
  [ -z "$list" ] || printf 'member list (asked %s):\\n%s\\n' "$probe" "$list"
  [ -z "$health" ] || printf 'endpoint health:\\n%s\\n' "$health"
  printf 'See each member with: docker logs <container> (names:%s)\\n' "$(printf '%s\\n' "$probes" | awk '{ printf " %s", $2 }')"
} >&2
exit 1
`;
}
