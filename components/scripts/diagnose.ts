/**
 * The diagnosis, as shell: for each member, through its own host, `docker inspect` (state, exit code, OOM, restarts),
 * `endpoint health` and `endpoint status -w json` (the cluster ID) of the member alone, and its log since the
 * container started (its last lines, whatever run, when Docker keeps restarting it); then the pure matching of diagnose/diagnose.ts over what was gathered, run with `node`.
 * Read-only. Used where the health check fails, and on its own (the cluster's `diagnoseScript` output).
 */
import { diagnoseObservations, observationTags as t } from "../diagnose/diagnose";
import { learnerEntries, learnerTags } from "../diagnose/learners";
import { logRules } from "../diagnose/rules";
import type { ClusterAccess } from "./access";
import { clusterStatusFunction, etcdctlFunction, memberAccess, nodeProgram, rootPasswordEnv, shQuote } from "./shell";

/** How many of a member's last log lines are read. */
export const diagnosisLogLines = 300;

/** The `node -e` program of the diagnosis: the observations the shell gathered on stdin, the diagnosis on stdout. */
export function diagnosisProgram(): string {
    return nodeProgram({ diagnoseObservations, learnerEntries }, (f) => `const input = require("fs").readFileSync(0, "utf8"); ` +
        `process.stdout.write(${f.diagnoseObservations}(input, ${JSON.stringify(logRules)}, ${f.learnerEntries}(input)))`);
}

/**
 * Shell that prints the diagnosis of every member in `$tmp/probes`, given `dk` and an etcdctl function named `ectl`
 * (see {@link memberAccess}, {@link etcdctlFunction}); `hostUrls` names the hosts by index.
 */
export function diagnosisBlock(hostUrls: string[]): string {
    const program = diagnosisProgram();
    const inspect = "{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.RestartCount}} {{.State.StartedAt}}";
    return `${clusterStatusFunction}
hosturl() { case $1 in ${hostUrls.map((u, i) => `${i}) echo ${shQuote(u)} ;;`).join(" ")} esac; }
# The cluster as a voting member sees it (a learner answers neither): learners and how far behind they are.
echo "${learnerTags.now} $(date +%s)" >"$tmp/cluster"
while read -r h ctr url member; do
  if ml=$(ectl "$h" "$ctr" "$url" --command-timeout=3s member list -w json 2>/dev/null); then
    echo "${learnerTags.members} $ml"
    echo "${learnerTags.status} $(clusterstatus "$h" "$ctr" "$url" | tr -d '\\n')"
    break
  fi
done <"$tmp/probes" >>"$tmp/cluster"
while read -r h ctr url member; do
  echo "${t.member} $member $(hosturl "$h") $ctr"
  if ! st=$(dk "$h" inspect -f ${shQuote(inspect)} "$ctr" 2>&1); then
    case $st in
      *"No such object"*|*"No such container"*) echo "${t.missing}" ;;
      *) echo "${t.unreachable} $(printf '%s' "$st" | tail -n 1)" ;;
    esac
    continue
  fi
  # Padded: a field docker leaves out must not end the script (set -u).
  set -- $st - - - - -
  echo "${t.state} $1 $2 $3 $4"; started=$5; [ "$started" != - ] || started=0
  echo "${learnerTags.since} $started"
  # Its log since it started; a container Docker keeps restarting may have just started again and not logged yet,
  # while its runs before, which failed the same way, say why: then its last lines, whatever run they are from.
  logfrom=$started; [ "$4" = 0 ] || logfrom=""
  cenv=$(dk "$h" inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$ctr" 2>/dev/null)
  printf '%s\n' "$cenv" | sed -n 's|^ETCD_INITIAL_ADVERTISE_PEER_URLS=[a-z]*://\\([^:/,]*\\).*|${t.address} \\1|p' | head -n 1
  printf '%s\n' "$cenv" | sed -n 's|^ETCD_INITIAL_ADVERTISE_PEER_URLS=\\([^,]*\\).*|${learnerTags.peer} \\1|p' | head -n 1
  if out=$(ectl "$h" "$ctr" "$url" --command-timeout=3s endpoint health 2>&1); then echo "${t.health} ok"
  else
    # etcdctl's own reason ("<url> is unhealthy: … Active Alarm(s): NOSPACE") before its summary ("Error: unhealthy
    # cluster"): from 3.6 a full quota is logged nowhere else (3.5 logged "alarm raised").
    why=$(printf '%s\n' "$out" | grep -v '^{"level"' | grep ' is unhealthy: ' | tail -n 1)
    [ -n "$why" ] || why=$(printf '%s\n' "$out" | grep -v '^{"level"' | tail -n 1)
    echo "${t.health} fail $why"
  fi
  cid=$(ectl "$h" "$ctr" "$url" --command-timeout=3s endpoint status -w json 2>/dev/null | sed -n 's/.*"cluster_id":\\([0-9]*\\).*/\\1/p' | head -n 1)
  [ -z "$cid" ] || echo "${t.clusterId} $cid"
  dk "$h" logs \${logfrom:+--since "$logfrom"} --tail ${diagnosisLogLines} "$ctr" 2>&1 | sed 's/^/${t.log} /'
done <"$tmp/probes" >>"$tmp/cluster"
mv "$tmp/cluster" "$tmp/observed"
if command -v node >/dev/null 2>&1; then node -e ${shQuote(program)} <"$tmp/observed"
else echo "Diagnosis: node is not on PATH here, so only the gathered facts:"; sed '/^${t.log} /d' "$tmp/observed"; fi`;
}

/** With `auth`, the diagnosis runs as root when {@link rootPasswordEnv} is set, else says what it could not see. */
export type DiagnosisSpec = Omit<ClusterAccess, "clusterName">;

/** The on-demand diagnosis's etcdctl: as root when the password is in the environment (never argv), else as it can. */
function diagnosisAccess(spec: DiagnosisSpec): string {
    if (!spec.auth) return etcdctlFunction("ectl", [], spec.etcdctlFlags);
    return `if [ -n "\${${rootPasswordEnv}:-}" ]; then
  ETCDCTL_USER="root:\${${rootPasswordEnv}}"; export ETCDCTL_USER
  ${etcdctlFunction("ectl", ["-e ETCDCTL_USER"], spec.etcdctlFlags)}
else
  echo "Note: authentication is on and ${rootPasswordEnv} is not set, so this diagnosis ran without root's credentials. etcd may refuse it the member list and the cluster's status (from 3.5.28 and 3.6.9 it does): learners that were never promoted may go unseen, and endpoint health's 'permission denied' counts as an answer, not as proof of health. For the full diagnosis give root's password in the environment: ${rootPasswordEnv}=\\"\\$(pulumi stack output --show-secrets rootPassword)\\" sh"
  ${etcdctlFunction("ectl", [], spec.etcdctlFlags)}
fi`;
}

/**
 * The diagnosis on its own: what a user runs against a deployed cluster (`pulumi stack output diagnoseScript | sh`).
 * It changes nothing. With auth on it runs as root when the password is in its environment, and says so when it is not.
 */
export function diagnosisScript(spec: DiagnosisSpec): string {
    return `set -u
${memberAccess(spec.hosts, spec.probes)}
${diagnosisAccess(spec)}
${diagnosisBlock(spec.hosts.map((h) => h.url))}
`;
}
