/**
 * The diagnosis, as shell: for each member, through its own host, `docker inspect` (state, exit code, OOM, restarts),
 * `endpoint health` and `endpoint status -w json` (the cluster ID) of the member alone, and its log since the
 * container started; then the pure matching of diagnose/diagnose.ts over what was gathered, run with `node`.
 * Read-only. Used where the health check fails, and on its own (the cluster's `diagnoseScript` output).
 */
import { diagnoseObservations, observationTags as t } from "../diagnose/diagnose";
import { logRules } from "../diagnose/rules";
import { etcdctlFunction, memberAccess, ScriptHost, ScriptProbe, shQuote } from "./shell";

/** How many of a member's last log lines are read. */
export const diagnosisLogLines = 300;

/**
 * Shell that prints the diagnosis of every member in `$tmp/probes`, given `dk` and an etcdctl function named `ectl`
 * (see {@link memberAccess}, {@link etcdctlFunction}); `hostUrls` names the hosts by index.
 */
export function diagnosisBlock(hostUrls: string[]): string {
    const program = `process.stdout.write((${diagnoseObservations.toString()})(require("fs").readFileSync(0, "utf8"), ${JSON.stringify(logRules)}))`;
    const inspect = "{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.RestartCount}} {{.State.StartedAt}}";
    return `hosturl() { case $1 in ${hostUrls.map((u, i) => `${i}) echo ${shQuote(u)} ;;`).join(" ")} esac; }
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
  dk "$h" inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$ctr" 2>/dev/null |
    sed -n 's|^ETCD_INITIAL_ADVERTISE_PEER_URLS=[a-z]*://\\([^:/,]*\\).*|${t.address} \\1|p' | head -n 1
  if out=$(ectl "$h" "$ctr" "$url" --command-timeout=3s endpoint health 2>&1); then echo "${t.health} ok"
  else echo "${t.health} fail $(printf '%s' "$out" | grep -v '^{"level"' | tail -n 1)"; fi
  cid=$(ectl "$h" "$ctr" "$url" --command-timeout=3s endpoint status -w json 2>/dev/null | sed -n 's/.*"cluster_id":\\([0-9]*\\).*/\\1/p' | head -n 1)
  [ -z "$cid" ] || echo "${t.clusterId} $cid"
  dk "$h" logs --since "$started" --tail ${diagnosisLogLines} "$ctr" 2>&1 | sed 's/^/${t.log} /'
done <"$tmp/probes" >"$tmp/observed"
if command -v node >/dev/null 2>&1; then node -e ${shQuote(program)} <"$tmp/observed"
else echo "Diagnosis: node is not on PATH here, so only the gathered facts:"; sed '/^${t.log} /d' "$tmp/observed"; fi`;
}

export interface DiagnosisSpec {
    hosts: ScriptHost[];
    probes: ScriptProbe[];
    etcdctlFlags: string[];
}

/**
 * The diagnosis on its own: what a user runs against a deployed cluster (`pulumi stack output diagnoseScript | sh`).
 * It changes nothing. Without root's password (auth on) `endpoint health` is refused, which still counts as an answer.
 */
export function diagnosisScript(spec: DiagnosisSpec): string {
    return `set -u
${memberAccess(spec.hosts, spec.probes)}
${etcdctlFunction("ectl", [], spec.etcdctlFlags)}
${diagnosisBlock(spec.hosts.map((h) => h.url))}
`;
}
