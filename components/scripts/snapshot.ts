/**
 * The snapshot taken before a rollout replaces the first member of a running cluster: `etcdctl snapshot save`
 * in the first member that answers (the file lands in its data volume), then `docker cp` to a directory where
 * Pulumi runs. https://etcd.io/docs/v3.6/op-guide/recovery/#snapshotting-the-keyspace
 */
import { volumeMountPath } from "../plan/member";
import type { ClusterAccess } from "./access";
import { etcdctlFunction, memberAccess, rootLogin, shQuote } from "./shell";

export interface SnapshotSpec extends ClusterAccess {
    /** Where Pulumi runs: the folder the snapshot is copied to. */
    directory: string;
}

/** What the snapshot command reports on its last line, and the `lastSnapshot` output. */
export interface SnapshotReport {
    /** The file where Pulumi runs. */
    path: string;
    revision: number;
    /** The snapshot's hash as `snapshot status` gives it. */
    hash: number;
    totalKeys: number;
    /** Bytes. */
    size: number;
    /** When it was saved, ISO 8601 UTC. */
    time: string;
    /** The member it was saved through. */
    member: string;
}

/** The path last: it may hold spaces. */
const reportPattern = /^snapshot revision=(\d+) hash=(\d+) keys=(\d+) size=(\d+) time=(\S+) member=(\S+) path=(.+)$/m;

/** The report line of a snapshot command's output; undefined when it saved none. */
export function parseSnapshotReport(stdout: string): SnapshotReport | undefined {
    const m = reportPattern.exec(stdout);
    return m ? { path: m[7], revision: Number(m[1]), hash: Number(m[2]), totalKeys: Number(m[3]), size: Number(m[4]), time: m[5], member: m[6] } : undefined;
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
    # Verified where it was saved: a snapshot that does not read back is no way back. The member runs the version it
    # runs (before an upgrade, the old one): etcdutl where it has one (3.5 on), else etcdctl's own (3.4).
    if ! st=$(dk "$h" exec "$ctr" /usr/local/bin/etcdutl snapshot status ${snapshotInContainer} -w json 2>&1) &&
       ! st=$(dk "$h" exec "$ctr" /usr/local/bin/etcdctl snapshot status ${snapshotInContainer} -w json 2>&1); then
      printf 'etcd cluster %s: the snapshot saved through %s does not read back (snapshot status: %s); nothing was changed.\\n' "$cluster" "$member" "$(printf '%s' "$st" | tail -n 1)" >&2; exit 1
    fi
    num() { printf '%s' "$st" | sed -n "s/.*\\"$1\\":\\([0-9]*\\).*/\\1/p" | head -n 1; }
    at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    file="$dir/$cluster-$(date -u +%Y%m%dT%H%M%SZ)-$member.db"
    # It holds every key, auth data included: readable by its owner only.
    if err=$(umask 077 && dk "$h" cp "$ctr:${snapshotInContainer}" "$file" 2>&1) && chmod 600 "$file"; then
      echo "etcd cluster $cluster: snapshot saved to $file ($(wc -c <"$file") bytes, from $member) before changing its members"
      echo "snapshot revision=$(num revision) hash=$(num hash) keys=$(num totalKey) size=$(wc -c <"$file" | tr -d ' ') time=$at member=$member path=$file"
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
