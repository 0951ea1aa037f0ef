/**
 * The post-deploy health check, as a POSIX shell script run where Pulumi runs. It asks what an operator asks by
 * hand, `docker exec <member> etcdctl member list` and `endpoint health --cluster`, through the same Docker
 * hosts the members run on, so it needs only the docker CLI (and `node`, which decides) and no route to the client
 * ports. Its report prints both as etcdctl does without `-w json`.
 */
import type { ClusterPlan } from "../plan/cluster";
import { quorumOf } from "../plan/membership";
import type { ClusterAccess } from "./access";
import { diagnosisBlock } from "./diagnose";
import { etcdctlFunction, memberAccess, retryLoop, rootLogin, shQuote } from "./shell";

export interface HealthCheckSpec extends ClusterAccess {
    expectedMembers: string[];
    /**
     * Each expected member's peer URL, in `expectedMembers`' order: a listed member with no name yet (added, not
     * started) is an unfinished join when its peer URL is one of these, and a member to be removed otherwise.
     */
    expectedPeerUrls: string[];
    timeoutSeconds: number;
    /** Longest pause between attempts; attempts back off 1, 2, 4 … seconds up to this. */
    maxDelaySeconds?: number;
}

/** The check for a planned cluster: every planned member expected, asked in turn as `access` says. */
export function healthCheckSpec(access: ClusterAccess, plan: ClusterPlan, timeoutSeconds: number): HealthCheckSpec {
    return { ...access, expectedMembers: plan.members.map((m) => m.name), expectedPeerUrls: plan.members.map((m) => m.peerUrl), timeoutSeconds };
}

/**
 * One attempt: ask members in turn until one answers `member list` (with `endpoint health --cluster` at once, both
 * `-w json`), then `decide health` compares them with what is expected (see plan/decide.js). Members this deployment
 * does not want are found there rather than passed in from the plan, so that the script, an input of the check, is
 * the same in the deployment that removes them and in the previews after it (the engine deletes them after the check).
 */
const attempt = `probe=""; problem=""; : >"$tmp/ml"; : >"$tmp/health"
while read -r h ctr url member; do
  # Both questions at once: each is a docker exec (over ssh for remote hosts), and the round trips dominate.
  ectl "$h" "$ctr" "$url" endpoint health --cluster -w json >"$tmp/health" 2>/dev/null &
  asked=$!
  if ectl "$h" "$ctr" "$url" member list -w json >"$tmp/ml" 2>"$tmp/err"; then
    wait "$asked"
    probe=$member
    break
  fi
  wait "$asked"
  problem=$(printf '%s\\n  %s: %s' "$problem" "$member" "$(tail -n 3 "$tmp/err" | tr '\\n' ' ')")
done <"$tmp/probes"
verdict=$(decide health @"$tmp/ml" @"$tmp/health" "$expected" "$peers") || verdict=""
pick() { printf '%s\\n' "$verdict" | sed -n "s/^$1//p"; }
healthy=$(pick "healthy "); missing=$(pick missing); leaving=$(pick leaving); learners=$(pick learners)
[ -n "$healthy" ] || healthy=0
if [ -n "$probe" ] && [ -z "$missing" ] && [ -z "$learners" ] && [ "$healthy" -eq "$n" ]; then
  gone=""; [ -z "$leaving" ] || gone="; also listed, not wanted, removed after this check:$leaving"
  printf 'etcd cluster %s: %s of %s members started and healthy%s (asked %s, attempt %s)\\n%s\\n' "$cluster" "$healthy" "$n" "$gone" "$probe" "$attempt" "$(decide report @"$tmp/ml" @"$tmp/health")"
  exit 0
fi`;

/** Renders the script. Its stdout on success is the report; on failure stderr says what is wrong. */
export function healthCheckScript(spec: HealthCheckSpec): string {
    const n = spec.expectedMembers.length;
    return `set -u
${spec.auth ? `${rootLogin("the health check authenticates as root")}\n` : ""}cluster=${shQuote(spec.clusterName)}
expected=${shQuote(spec.expectedMembers.join(" "))}
peers=${shQuote(spec.expectedPeerUrls.join(" "))}
n=${n}
quorum=${quorumOf(n)}
${memberAccess(spec.hosts, spec.probes)}
${etcdctlFunction("ectl", spec.auth ? ["-e ETCDCTL_USER"] : [], spec.etcdctlFlags)}
${retryLoop({ seconds: spec.timeoutSeconds }, attempt, spec.maxDelaySeconds ?? 5)}
# Which members are up at all: endpoint status is answered locally, without quorum.
up=0; down=""
while read -r h ctr url member; do
  if ectl "$h" "$ctr" "$url" endpoint status >/dev/null 2>&1; then up=$((up + 1)); else down="$down $member"; fi
done <"$tmp/probes"
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
  [ -z "$leaving" ] || printf 'also listed, not wanted, to be removed after this check:%s\\n' "$leaving"
  [ -z "$learners" ] || printf 'learners not promoted (a join that did not finish):%s\\n' "$learners"
  [ -z "$problem" ] || printf 'members that did not answer member list:%s\\n' "$problem"
  [ -z "$probe" ] || printf 'member list and endpoint health (asked %s):\\n%s\\n' "$probe" "$(decide report @"$tmp/ml" @"$tmp/health")"
${diagnosisBlock(spec.hosts.map((h) => h.url))}
} >&2
exit 1
`;
}
