/**
 * The scripts of one member's lifecycle, each run where Pulumi runs through `docker exec … etcdctl` on the
 * member's own host (https://etcd.io/docs/v3.6/op-guide/runtime-configuration/):
 * - the gate (create): wait until the member runs as a voter, answers `endpoint health` and has caught up
 *   with the leader; its delete hands leadership away before the member stops;
 * - the leave (delete): `member remove` of the member, before its container stops.
 * Both talk to the member's own container only, so nothing in them changes when other members come or go.
 */
import { diagnosisBlock } from "./diagnose";
import type { ClusterAccess } from "./access";
import { clusterStatusFunction, etcdctlFunction, memberAccess, retryLoop, rootLogin, shQuote } from "./shell";

export interface GateSpec extends ClusterAccess {
    timeoutSeconds: number;
    maxAppliedLag: number;
}

/**
 * What a member's own scripts begin with. They take the cluster's access narrowed to the member ({@link ownAccess}
 * in access.ts: its host alone, index 0, and itself), so they never change when other members come or go.
 * `me` (etcdctl in the member's own container, as root with auth), `ownstatus` (its `endpoint status` as `decide own`
 * reads it: `<hex id> leader|follower voter|learner`, saved JSON in `$tmp/own`, etcdctl's last error line in `$tmp/err`)
 * and `handover` (to the voter `decide successor` picks).
 */
function ownPreamble(spec: ClusterAccess): string {
    const own = spec.probes[0];
    if (spec.probes.length !== 1 || spec.hosts.length !== 1 || own.hostIndex !== 0) {
        throw new Error(`a member's own scripts take its own access (ownAccess): ${spec.probes.length} members on ${spec.hosts.length} hosts`);
    }
    return `${spec.auth ? `${rootLogin("the member's commands authenticate as root")}\n` : ""}cluster=${shQuote(spec.clusterName)}
member=${shQuote(own.member)}
ctr=${shQuote(own.containerName)}
url=${shQuote(own.localClientUrl)}
${memberAccess(spec.hosts, spec.probes)}
${etcdctlFunction("ectl", spec.auth ? ["-e ETCDCTL_USER"] : [], spec.etcdctlFlags)}
me() { ectl 0 "$ctr" "$url" --command-timeout=5s "$@"; }
${clusterStatusFunction}
ownstatus() { me endpoint status -w json >"$tmp/own" 2>"$tmp/err" && decide own @"$tmp/own"; }
handover() {
  clusterstatus 0 "$ctr" "$url" >"$tmp/cs"
  to=$(decide successor @"$tmp/cs" "$1")
  [ -n "$to" ] || { echo "member $member leads and no other voting member answers: leadership not moved"; return 1; }
  if out=$(me move-leader "$to" 2>&1); then echo "member $member handed leadership to $to"; return 0; fi
  echo "member $member could not hand leadership to $to: $out"; return 1
}`;
}

const gateAttempt = `if ! me endpoint status -w json >"$tmp/own" 2>"$tmp/err"; then err="not answering (endpoint status: $(tail -n 1 "$tmp/err"))"
else
  clusterstatus 0 "$ctr" "$url" >"$tmp/cs"
  verdict=$(decide gate @"$tmp/own" @"$tmp/cs" "$lag" 2>&1)
  case $verdict in
    "ready "*)
      set -- $verdict
      if ! out=$(me endpoint health 2>&1); then err="endpoint health: $(printf '%s' "$out" | tail -n 1)"
      else
        ok=1
        echo "member $member ($2) healthy, a voting member, applied index $3 (leader $4), attempt $attempt"
      fi ;;
    "wait "*) err=\${verdict#wait } ;;
    *) err="cannot decide: $verdict" ;;
  esac
fi`;

/**
 * The gate's create: succeeds once the member runs, is a voter, answers `endpoint health` (with no error in
 * its `endpoint status`, such as "no leader"), and its applied index is within `maxAppliedLag` of the leader's. Fails after `timeoutSeconds` saying why, with the
 * container's last log lines.
 */
export function gateScript(spec: GateSpec): string {
    return `set -u
${ownPreamble(spec)}
lag=${spec.maxAppliedLag}
${retryLoop({ seconds: spec.timeoutSeconds }, gateAttempt, 2)}
[ "$ok" = 1 ] && exit 0
{
  printf 'etcd member %s (cluster %s) did not come back within ${spec.timeoutSeconds}s: %s\\n' "$member" "$cluster" "$err"
  printf 'The members after it were not touched. Its container %s, last log lines:\\n' "$ctr"
  dk 0 logs --tail 15 "$ctr" 2>&1 | sed 's/^/  /'
${diagnosisBlock(spec.hosts.map((h) => h.url))}
} >&2
exit 1
`;
}

/**
 * The gate's delete, run just before the member's container stops (it is replaced or removed): when the member
 * leads, hand leadership to the most caught-up voter (`move-leader`), so that clients see one planned leader
 * change instead of an election timeout. Never fails: the container's SIGTERM makes etcd hand over too.
 */
export function preStopScript(spec: ClusterAccess): string {
    return `set -u
${ownPreamble(spec)}
st=$(ownstatus) && [ -n "$st" ] || { echo "member $member does not answer; nothing to hand over"; exit 0; }
set -- $st
[ "$2" = leader ] || { echo "member $member is not the leader of cluster $cluster"; exit 0; }
handover "$1" || true
exit 0
`;
}

/**
 * The leave's delete: removes the member from the cluster before its container stops. Leadership is handed
 * away first; `member remove` is retried while etcd's strict reconfig check answers "unhealthy cluster"
 * (it wants the remaining members connected for a few seconds). Fails, keeping the container, when the member
 * cannot be removed.
 */
export function leaveScript(spec: ClusterAccess & { timeoutSeconds: number }): string {
    return `set -u
${ownPreamble(spec)}
if ! st=$(ownstatus) || [ -z "$st" ]; then
  printf 'etcd member %s (cluster %s) does not answer (%s), so it cannot be removed from the cluster through its container %s. ' "$member" "$cluster" "$(tail -n 1 "$tmp/err")" "$ctr" >&2
  printf 'Start it (docker start %s) and deploy again, or remove it by hand through a healthy member (etcdctl member remove <id>) and then deploy again.\\n' "$ctr" >&2
  exit 1
fi
set -- $st
id=$1
# A learner (its promote never happened) cannot remove itself ("rpc not supported for learner"); its join's delete,
# which runs after its container stops, removes it through the running members.
if [ "$3" = learner ]; then echo "member $member ($id) is a learner: its join removes it from cluster $cluster"; exit 0; fi
[ "$2" = leader ] && { handover "$id" || true; }
${retryLoop({ seconds: spec.timeoutSeconds }, `if out=$(me member remove "$id" 2>&1); then ok=1
else
  err=$(printf '%s' "$out" | tail -n 1)
  case $out in *"member not found"*) ok=1 ;; esac
  # Removed through itself, the member stops before it answers ("server stopped"): its log says whether it was removed.
  [ "$ok" = 1 ] || ! dk 0 logs --tail 200 "$ctr" 2>&1 | grep -q "permanently removed from the cluster" || ok=1
fi`, 2)}
if [ "$ok" = 1 ]; then echo "member $member ($id) removed from cluster $cluster"; exit 0; fi
printf 'etcd member %s (%s) could not be removed from cluster %s within ${spec.timeoutSeconds}s: %s\\nIts container keeps running.\\n' "$member" "$id" "$cluster" "$err" >&2
{ ${diagnosisBlock(spec.hosts.map((h) => h.url))}; } >&2
exit 1
`;
}
