/**
 * The snapshot taken before a rollout replaces the first member of a running cluster: `etcdctl snapshot save`
 * in the first member that answers (the file lands in its data volume), then `docker cp` to a directory where
 * Pulumi runs. https://etcd.io/docs/v3.6/op-guide/recovery/#snapshotting-the-keyspace
 */
import { volumeMountPath } from "../plan/member";
import { etcdctlFunction, memberAccess, rootLogin, ScriptHost, ScriptProbe, shQuote } from "./shell";

export interface SnapshotSpec {
    clusterName: string;
    hosts: ScriptHost[];
    probes: ScriptProbe[];
    etcdctlFlags: string[];
    auth: boolean;
    directory: string;
}

/** Where the snapshot is written inside the member container (its data volume, beside the data dir). */
export const snapshotInContainer = `${volumeMountPath}/pre-rollout.db`;

/**
 * Saves the snapshot; prints its path. When no member answers at all there is nothing to save (a cluster being
 * created, or one down that the rollout is meant to repair): it says so on stderr and succeeds, so that it
 * never blocks the change; any other failure fails the deployment before a member is touched.
 */
export function snapshotScript(spec: SnapshotSpec): string {
    return `set -u
cluster=${shQuote(spec.clusterName)}
dir=${shQuote(spec.directory)}
${spec.auth ? `${rootLogin("snapshot save needs root")}\n` : ""}${memberAccess(spec.hosts, spec.probes)}
${etcdctlFunction("ectl", spec.auth ? ["-e ETCDCTL_USER"] : [], spec.etcdctlFlags)}
mkdir -p "$dir" || exit 1
answered=""
while read -r h ctr url member; do
  ectl "$h" "$ctr" "$url" --command-timeout=5s endpoint status >/dev/null 2>&1 || continue
  answered=$member
  if out=$(ectl "$h" "$ctr" "$url" --command-timeout=300s snapshot save ${snapshotInContainer} 2>&1); then
    file="$dir/$cluster-$(date -u +%Y%m%dT%H%M%SZ)-$member.db"
    if err=$(dk "$h" cp "$ctr:${snapshotInContainer}" "$file" 2>&1); then
      echo "etcd cluster $cluster: snapshot saved to $file ($(wc -c <"$file") bytes, from $member) before the rollout"
      exit 0
    fi
    printf 'etcd cluster %s: snapshot saved in %s but not copied out: %s\\n' "$cluster" "$member" "$err" >&2; exit 1
  fi
  printf 'etcd cluster %s: snapshot save through %s failed: %s\\n' "$cluster" "$member" "$(printf '%s' "$out" | tail -n 2)" >&2
done <"$tmp/probes"
[ -n "$answered" ] && { printf 'etcd cluster %s: no snapshot could be saved before the rollout; nothing was changed.\\n' "$cluster" >&2; exit 1; }
echo "etcd cluster $cluster: no member answers, so there is nothing to save before the rollout" >&2
exit 0
`;
}
