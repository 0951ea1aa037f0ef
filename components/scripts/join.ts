/**
 * A member's join command: decides, once, the bootstrap variables the member's container is created with, and
 * prints them (`KEY=value` a line). Its output stays in Pulumi's state and the container's environment is made
 * from it, so the member keeps them for life while other members come and go:
 * - `found`: the cluster is being created; the bootstrap mode's variables (`ETCD_INITIAL_CLUSTER_STATE=new`).
 * - `join`: the member is added to the running cluster as a learner (`etcdctl member add --learner`, through
 *   the first member that answers) and gets `ETCD_INITIAL_CLUSTER` (the started members and itself) with
 *   `ETCD_INITIAL_CLUSTER_STATE=existing`. A member an earlier, interrupted deployment already added (found by
 *   its peer URL) is not added again. https://etcd.io/docs/v3.6/op-guide/runtime-configuration/#add-a-new-member
 * - `existing`: the member ran before members had join commands; its container's own variables are read back
 *   (`docker inspect`), so the container does not change.
 */
import type { MemberRole } from "../plan/membership";
import { bootstrapKeys } from "../plan/survey";
import { diagnosisBlock } from "./diagnose";
import type { ClusterAccess } from "./access";
import { clusterStatusFunction, etcdctlFunction, memberAccess, retryLoop, rootLogin, shQuote } from "./shell";

/** The access's probes are the members to ask: `join`, the running members; `existing`, the member's own probe. */
export interface JoinSpec extends ClusterAccess {
    member: string;
    peerUrl: string;
    role: MemberRole;
    /** `found`: the founding member's bootstrap lines. */
    foundingLines: string;
    /** `existing`: the member's container. */
    containerName: string;
    timeoutSeconds: number;
    /** The member is in the running cluster as a learner: its promote finishes it, whatever its role. */
    learner?: boolean;
}

/** `member list -w json` through the first member that answers, saved in `$tmp/ml`. */
const listAttempt = `while read -r h ctr url asked; do
  if ectl "$h" "$ctr" "$url" --command-timeout=5s member list -w json >"$tmp/ml" 2>"$tmp/err"; then ok=1; break; fi
  err="$asked: $(tail -n 1 "$tmp/err")"
done <"$tmp/probes"`;

/** The member as the saved member list knows it, by its peer URL: `absent`, `unknown` or `<id> started|unstarted voter|learner`. */
const findSelf = `self() { decide self @"$tmp/ml" "$peer"; }`;

const addAttempt = `if out=$(ectl "$h" "$ctr" "$url" --command-timeout=10s member add "$member" --peer-urls="$peer" --learner 2>&1); then ok=1
else
  err=$out
  # An add that timed out may still have been applied: look before trying again.
  if ectl "$h" "$ctr" "$url" --command-timeout=5s member list -w json >"$tmp/ml" 2>/dev/null; then
    case $(self) in absent|unknown) ;; *) ok=1 ;; esac
  fi
fi`;

/**
 * What the scripts that act on the member through the running members begin with: who and where it is, root's
 * login (with auth), the `dk` and `ectl` functions over the running members' hosts, and `self` (its member-list line).
 */
function askingPreamble(spec: JoinSpec, why: string): string {
    return `set -u
cluster=${shQuote(spec.clusterName)}
member=${shQuote(spec.member)}
peer=${shQuote(spec.peerUrl)}
${spec.auth ? `${rootLogin(why)}\n` : ""}${memberAccess(spec.hosts, spec.probes)}
${etcdctlFunction("ectl", spec.auth ? ["-e ETCDCTL_USER"] : [], spec.etcdctlFlags)}
${clusterStatusFunction}
${findSelf}`;
}

function joinBody(spec: JoinSpec): string {
    return `${askingPreamble(spec, "adding a member needs root")}
${retryLoop({ seconds: spec.timeoutSeconds }, listAttempt, 4)}
[ "$ok" = 1 ] || { printf 'etcd member %s cannot join cluster %s: no member answers member list within ${spec.timeoutSeconds}s (%s)\\n' "$member" "$cluster" "$err" >&2; { ${diagnosisBlock(spec.hosts.map((h) => h.url))}; } >&2; exit 1; }
found=$(self)
case $found in
  absent)
${retryLoop({ seconds: spec.timeoutSeconds }, addAttempt, 4).replace(/^/gm, "    ")}
    [ "$ok" = 1 ] || { printf 'etcd member %s: member add failed in cluster %s: %s\\n' "$member" "$cluster" "$err" >&2; exit 1; }
    ectl "$h" "$ctr" "$url" --command-timeout=5s member list -w json >"$tmp/ml" 2>"$tmp/err" ||
      { printf 'etcd member %s: added, but member list then failed: %s\\n' "$member" "$(tail -n 1 "$tmp/err")" >&2; exit 1; }
    echo "etcd member $member added to cluster $cluster as a learner (through $asked)" >&2 ;;
  unknown) printf 'etcd member %s cannot join cluster %s: the member list %s answered is not one (%s)\\n' "$member" "$cluster" "$asked" "$(head -c 300 "$tmp/ml")" >&2; exit 1 ;;
  *) echo "etcd member $member is already in cluster $cluster ($found); continuing its join" >&2 ;;
esac
initial=$(decide initialCluster @"$tmp/ml" "$member" "$peer") || exit 1
printf 'ETCD_INITIAL_CLUSTER=%s\\nETCD_INITIAL_CLUSTER_STATE=existing\\n' "$initial"`;
}

/**
 * One promote attempt: `member list -w json` and `endpoint status --cluster -w json` through the first running member
 * that answers (a learner answers neither itself), `decide promotion` over both, then `member promote` sent to the leader: through the leader's own container when it is one of the members
 * asked, else to its client URL through the member that answered. Never to a follower: before etcd 3.5.28/3.6.6 a
 * follower forwards it without the caller's credentials and, with auth on, the leader refuses it (etcd-io/etcd#20757).
 */
const promoteAttempt = `asked=""
while read -r h ctr url m; do
  if ectl "$h" "$ctr" "$url" --command-timeout=5s member list -w json >"$tmp/ml" 2>"$tmp/err"; then asked=$m; break; fi
  err="$m: $(tail -n 1 "$tmp/err")"
done <"$tmp/probes"
if [ -n "$asked" ]; then
  clusterstatus "$h" "$ctr" "$url" >"$tmp/es"
  verdict=$(decide promotion @"$tmp/ml" @"$tmp/es" "$peer" 90 2>&1)
  set -- $verdict
  case \${1:-} in
    voter) ok=1; echo "etcd member $member ($2) is a voting member" ;;
    absent) err="not in the member list (asked $asked)" ;;
    wait) id=$2; shift 2; err="learner $id: $*" ;;
    promote)
      id=$2; lname=$3; lurl=$4; mine=$5; lead=$6
      target=$(awk -v n="$lname" '$4 == n { print; exit }' "$tmp/probes")
      if [ -n "$target" ]; then set -- $target; else set -- "$h" "$ctr" "$lurl"; fi
      if out=$(ectl "$1" "$2" "$3" --command-timeout=5s member promote "$id" 2>&1); then
        ok=1; echo "etcd member $member ($id) promoted from learner at applied index $mine of the leader's $lead (through the leader $lname)"
      else err="learner $id: member promote through the leader $lname: $(printf '%s' "$out" | tail -n 1)"
      fi ;;
    *) err="cannot decide on the promotion: $*" ;;
  esac
fi`;

/**
 * A joined member's promote command, run after its container started, and again by a later deployment when the
 * member is still a learner (an earlier promote failed or was interrupted): once the learner's applied index reaches
 * 90 % of the leader's (as etcd-operator does), `member promote` through the leader (see {@link promoteAttempt}). A
 * member that is already a voter is left as it is.
 * https://etcd.io/docs/v3.6/learning/design-learner/
 */
export function promoteScript(spec: JoinSpec): string {
    if (spec.role !== "join" && !spec.learner) return `echo ${shQuote(`etcd member ${spec.member}: not a joining member, nothing to promote`)}
`;
    return `${askingPreamble(spec, "promoting a member needs root")}
${retryLoop({ seconds: spec.timeoutSeconds }, promoteAttempt, 2)}
[ "$ok" = 1 ] && exit 0
printf 'etcd member %s (cluster %s) was not promoted within ${spec.timeoutSeconds}s: %s\\n' "$member" "$cluster" "$err" >&2
exit 1
`;
}

const dropAttempt = `${listAttempt}
if [ "$ok" = 1 ]; then
  verdict=$(decide drop @"$tmp/ml" "$peer" 2>&1)
  set -- $verdict
  case \${1:-} in
    absent) echo "etcd member $member is not in cluster $cluster" ;;
    voter) echo "etcd member $member ($2) is a started voting member; its leave removes it, not its join" ;;
    remove)
      if out=$(ectl "$h" "$ctr" "$url" --command-timeout=5s member remove "$2" 2>&1); then
        echo "etcd member $member ($2), added but never promoted, removed from cluster $cluster"
      else ok=0; err=$(printf '%s' "$out" | tail -n 1)
      fi ;;
    *) ok=0; err="cannot decide: $*" ;;
  esac
fi`;

/**
 * The join command's delete, run when the member is dropped from the program: a member a deployment added but
 * never got to a promoted voter (its container never started, or its promotion never happened) has no leave, so
 * its join removes it from the cluster; a voter is left to its leave, which runs first. Best effort: when no
 * member answers it says so and succeeds (the health check then names the stray learner).
 */
export function joinDeleteScript(spec: JoinSpec): string {
    if (spec.role !== "join") return `echo ${shQuote(`etcd member ${spec.member}: founded or adopted, nothing to undo`)}\n`;
    return `${askingPreamble(spec, "removing a member needs root")}
${retryLoop({ seconds: Math.min(spec.timeoutSeconds, 60) }, dropAttempt, 4)}
[ "$ok" = 1 ] || printf 'etcd member %s: could not check or remove it from cluster %s (%s); if etcdctl member list still shows it, remove it by hand.\\n' "$member" "$cluster" "$err" >&2
exit 0
`;
}

/** The join command's create script for the member's role. Progress goes to stderr; stdout is the variables. */
export function joinScript(spec: JoinSpec): string {
    switch (spec.role) {
        case "found":
            return `set -u\nprintf '%s\\n' ${shQuote(spec.foundingLines)}\n`;
        case "existing": {
            // Its own probe names its host among `hosts`, whose TLS material the environment carries by that index.
            const own = spec.probes.find((p) => p.member === spec.member);
            if (!own) throw new Error(`joinScript: no probe for member ${spec.member} (role existing)`);
            return `set -u
member=${shQuote(spec.member)}
ctr=${shQuote(spec.containerName)}
${memberAccess(spec.hosts, [])}
env=$(dk ${own.hostIndex} inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$ctr") || { printf 'etcd member %s: cannot read the environment of its container %s: %s\\n' "$member" "$ctr" "$env" >&2; exit 1; }
printf '%s\\n' "$env" | grep -E '^(${bootstrapKeys.join("|")})='
`;
        }
        default:
            return `${joinBody(spec)}\n`;
    }
}
