/**
 * The survey: a read-only script the program runs (through `command.local.run`, in preview and update alike)
 * to see the cluster as it is before deciding what to change: each host's containers of this cluster with the
 * bootstrap variables they were started with, and, through the first member that answers, `etcdctl member
 * list -w json` and `endpoint status --cluster -w json`. One fact a line, parsed by plan/survey.ts. It always exits 0:
 * what it cannot see (a host down, no member answering) is part of the answer.
 */
import { clusterLabel, memberLabel } from "../plan/labels";
import { bootstrapKeys, surveyTags as t } from "../plan/survey";
import type { ClusterAccess } from "./access";
import { clusterStatusFunction, etcdctlFunction, memberAccess, rootPasswordEnv, shQuote } from "./shell";

/** With `auth`, the survey logs in as root only when the password is in its environment (auth may not be on yet). */
export interface SurveySpec extends ClusterAccess {
    /** The desired members' data volumes, by host: whose cluster each one already belongs to. */
    volumes: { hostIndex: number; volumeName: string }[];
}

/** Per host, `docker volume inspect` of the desired members' volumes there: `vol <hostIndex> <name> <cluster label or <no value>>`. */
function volumeCases(spec: SurveySpec): string {
    const format = `{{.Name}} {{index .Labels "${clusterLabel}"}}`;
    return [...new Set(spec.volumes.map((v) => v.hostIndex))].map((h) => {
        const names = spec.volumes.filter((v) => v.hostIndex === h).map((v) => shQuote(v.volumeName)).join(" ");
        return `    ${h}) dk "$i" volume inspect -f ${shQuote(format)} ${names} 2>/dev/null | sed "s|^|${t.volume} $i |" ;;`;
    }).join("\n");
}

export function surveyScript(spec: SurveySpec): string {
    const format = `{{.Label "${memberLabel}"}} {{.Names}} {{.State}}`;
    const envFormat = "{{$n := .Name}}{{range .Config.Env}}{{$n}} {{.}}{{println}}{{end}}";
    const keys = bootstrapKeys.join("|");
    const hosts = spec.hosts.map((_, i) => i).join(" ");
    return `set -u
${spec.auth ? `[ -z "\${${rootPasswordEnv}:-}" ] || { ETCDCTL_USER="root:\${${rootPasswordEnv}}"; export ETCDCTL_USER; }\n` : ""}${memberAccess(spec.hosts, spec.probes)}
${etcdctlFunction("ectl", spec.auth ? ["-e ETCDCTL_USER"] : [], spec.etcdctlFlags)}
${clusterStatusFunction}
any=""
for i in ${hosts}; do
  # A busy host's sshd may drop a connection now and then: ask three times before calling it unreachable.
  n=0
  until found=$(dk "$i" ps -a --filter label=${shQuote(`${clusterLabel}=${spec.clusterName}`)} --format ${shQuote(format)} 2>/dev/null); do
    n=$((n + 1)); [ "$n" -lt 3 ] || break; sleep 1
  done
  [ "$n" -lt 3 ] || { echo "${t.host} $i unreachable"; continue; }
  echo "${t.host} $i ok"
  # Which cluster the desired members' volumes already belong to (a volume outlives a destroyed cluster).
  case $i in
${volumeCases(spec)}
  esac
  printf '%s\\n' "$found" | awk -v i="$i" 'NF >= 3 { print "${t.container} " i " " $1 " " $2 " " $3 }'
  names=$(printf '%s\\n' "$found" | awk 'NF >= 3 { print $2 }')
  [ -n "$names" ] || continue
  any=1
  # One inspect per host; names start with "/".
  dk "$i" inspect -f ${shQuote(envFormat)} $names 2>/dev/null | grep -E '^/[^ ]+ (${keys})=' | sed "s|^/|${t.env} $i |"
done
# Containers exist: some member should answer. Give a busy cluster (an election, a restarting member) a second round;
# a cluster without quorum (3.5 answers member list only with one) costs at most two rounds of 3 s per member.
round=0; asked=""
while [ -z "$asked" ]; do
  while read -r h ctr url member; do
    if ectl "$h" "$ctr" "$url" --command-timeout=3s member list -w json >"$tmp/ml" 2>/dev/null; then
      asked=$member
      echo "${t.asked} $member"
      echo "${t.memberList} $(tr -d '\\n' <"$tmp/ml")"
      echo "${t.endpointStatus} $(clusterstatus "$h" "$ctr" "$url" | tr -d '\\n')"
      break
    fi
  done <"$tmp/probes"
  round=$((round + 1))
  [ -n "$any" ] && [ "$round" -lt 2 ] || break
  [ -n "$asked" ] || sleep 2
done
exit 0
`;
}

/**
 * The membership check's script: `true` when the planned change has no problem, otherwise one that prints them
 * and fails. Its step failing is what makes the engine stop before it deletes anything (see planLiveMembership).
 */
export function membershipCheckScript(problems: string[]): string {
    if (problems.length === 0) return "true";
    return `printf '%s\\n' ${problems.map(shQuote).join(" ")} >&2\nexit 1`;
}
