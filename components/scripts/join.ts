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
import { decidePromotion } from "../plan/promote";
import { bootstrapKeys } from "../plan/survey";
import { diagnosisBlock } from "./diagnose";
import { clusterStatusFunction, etcdctlFunction, memberAccess, nodeProgram, retryLoop, rootLogin, ScriptHost, ScriptProbe, shQuote, statusFunction } from "./shell";

export interface JoinSpec {
    clusterName: string;
    member: string;
    peerUrl: string;
    role: MemberRole;
    /** `found`: the founding member's bootstrap lines. */
    foundingLines: string;
    /** `join`: the hosts and the running members to ask; `existing`: the hosts and the member's own probe. */
    hosts: ScriptHost[];
    probes: ScriptProbe[];
    /** `existing`: the member's container. */
    containerName: string;
    etcdctlFlags: string[];
    auth: boolean;
    timeoutSeconds: number;
    /** The member is in the running cluster as a learner: its promote finishes it, whatever its role. */
    learner?: boolean;
}

const listAttempt = `while read -r h ctr url asked; do
  if list=$(ectl "$h" "$ctr" "$url" --command-timeout=5s member list 2>&1); then ok=1; break; fi
  err="$asked: $(printf '%s' "$list" | tail -n 1)"
done <"$tmp/probes"`;

/** The member-list line whose peer URLs include ours (the member, started or not). */
const findSelf = `self() { printf '%s\\n' "$list" | awk -F', ' -v p="$peer" '{ n = split($4, u, ","); for (i = 1; i <= n; i++) if (u[i] == p) print }'; }`;

const addAttempt = `if out=$(ectl "$h" "$ctr" "$url" --command-timeout=10s member add "$member" --peer-urls="$peer" --learner 2>&1); then ok=1
else
  err=$out
  # An add that timed out may still have been applied: look before trying again.
  if list=$(ectl "$h" "$ctr" "$url" --command-timeout=5s member list 2>&1) && [ -n "$(self)" ]; then ok=1; fi
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
${statusFunction}
${clusterStatusFunction}
${findSelf}`;
}

function joinBody(spec: JoinSpec): string {
    return `${askingPreamble(spec, "adding a member needs root")}
${retryLoop({ seconds: spec.timeoutSeconds }, listAttempt, 4)}
[ "$ok" = 1 ] || { printf 'etcd member %s cannot join cluster %s: no member answers member list within ${spec.timeoutSeconds}s (%s)\\n' "$member" "$cluster" "$err" >&2; { ${diagnosisBlock(spec.hosts.map((h) => h.url))}; } >&2; exit 1; }
if [ -z "$(self)" ]; then
${retryLoop({ seconds: spec.timeoutSeconds }, addAttempt, 4).replace(/^/gm, "  ")}
  [ "$ok" = 1 ] || { printf 'etcd member %s: member add failed in cluster %s: %s\\n' "$member" "$cluster" "$err" >&2; exit 1; }
  list=$(ectl "$h" "$ctr" "$url" --command-timeout=5s member list 2>&1) || { printf 'etcd member %s: added, but member list then failed: %s\\n' "$member" "$list" >&2; exit 1; }
  echo "etcd member $member added to cluster $cluster as a learner (through $asked)" >&2
else
  echo "etcd member $member is already in cluster $cluster ($(self)); continuing its join" >&2
fi
# Every member but itself, by name (an unstarted one has none: "=<peer URL>", as etcdctl member add prints it), then
# itself: etcd refuses to start a joining member whose initial cluster counts other members than the cluster.
initial=$(printf '%s\\n' "$list" | awk -F', ' -v me="$member" -v p="$peer" 'NF >= 4 { n = split($4, u, ","); self = 0; for (i = 1; i <= n; i++) if (u[i] == p) self = 1; if (self || $3 == me) next; for (i = 1; i <= n; i++) { printf "%s%s=%s", (c++ ? "," : ""), $3, u[i] } } END { printf "%s%s=%s", (c ? "," : ""), me, p }')
printf 'ETCD_INITIAL_CLUSTER=%s\\nETCD_INITIAL_CLUSTER_STATE=existing\\n' "$initial"`;
}

/**
 * One promote attempt: `member list -w json` and `endpoint status --cluster -w json` through the first running member
 * that answers (a learner answers neither itself), {@link decidePromotion} over both (with node, as the diagnosis
 * runs), then `member promote` sent to the leader: through the leader's own container when it is one of the members
 * asked, else to its client URL through the member that answered. Never to a follower: before etcd 3.5.28/3.6.6 a
 * follower forwards it without the caller's credentials and, with auth on, the leader refuses it (etcd-io/etcd#20757).
 */
const promoteAttempt = `asked=""
while read -r h ctr url m; do
  if ectl "$h" "$ctr" "$url" --command-timeout=5s member list -w json >"$tmp/ml" 2>"$tmp/err"; then asked=$m; break; fi
  err="$m: $(tail -n 1 "$tmp/err")"
done <"$tmp/probes"
if [ -n "$asked" ]; then
  clusterstatus "$h" "$ctr" "$url" -w json >"$tmp/es"
  set -- $(node -e "$decide" "$tmp/ml" "$tmp/es" "$peer" 2>&1)
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
    const program = nodeProgram({ decidePromotion }, (f) => `const fs = require("fs"); const a = process.argv; process.stdout.write(${f.decidePromotion}(` +
        `fs.readFileSync(a[1], "utf8"), fs.readFileSync(a[2], "utf8"), a[3], 90) + "\\n")`);
    return `${askingPreamble(spec, "promoting a member needs root")}
command -v node >/dev/null 2>&1 || { echo "etcd member $member: node is not on PATH here; the promote decides with it (Pulumi's Node.js programs run with it)" >&2; exit 1; }
decide=${shQuote(program)}
${retryLoop({ seconds: spec.timeoutSeconds }, promoteAttempt, 2)}
[ "$ok" = 1 ] && exit 0
printf 'etcd member %s (cluster %s) was not promoted within ${spec.timeoutSeconds}s: %s\\n' "$member" "$cluster" "$err" >&2
exit 1
`;
}

const dropAttempt = `${listAttempt}
if [ "$ok" = 1 ]; then
  line=$(self)
  id=$(printf '%s' "$line" | awk -F', ' '{ print $1 }')
  if [ -z "$line" ]; then echo "etcd member $member is not in cluster $cluster"
  elif [ "$(printf '%s' "$line" | awk -F', ' '{ print $2 " " $6 }')" = "started false" ]; then
    echo "etcd member $member ($id) is a started voting member; its leave removes it, not its join"
  elif out=$(ectl "$h" "$ctr" "$url" --command-timeout=5s member remove "$id" 2>&1); then
    echo "etcd member $member ($id), added but never promoted, removed from cluster $cluster"
  else ok=0; err=$(printf '%s' "$out" | tail -n 1)
  fi
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
    const head = `set -u
cluster=${shQuote(spec.clusterName)}
member=${shQuote(spec.member)}`;
    switch (spec.role) {
        case "found":
            return `${head}\nprintf '%s\\n' ${shQuote(spec.foundingLines)}\n`;
        case "existing": {
            // Its own probe names its host among `hosts`, whose TLS material the environment carries by that index.
            const own = spec.probes.find((p) => p.member === spec.member);
            if (!own) throw new Error(`joinScript: no probe for member ${spec.member} (role existing)`);
            return `${head}
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
