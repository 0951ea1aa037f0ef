/**
 * Restoring a snapshot into a new cluster (https://etcd.io/docs/v3.5/op-guide/recovery/#restoring-a-cluster): the
 * snapshot is checked once (`snapshot status` in a one-shot container of the etcd image), then each member's data
 * volume is prepared with `snapshot restore` under its own name and peer URL, the full initial cluster and the
 * cluster token, in a one-shot container that has the volume mounted. The image has no shell: the snapshot goes in
 * with `docker cp` into the created container's /tmp, which is removed with it.
 */
import { dataDir, volumeMountPath } from "../plan/member";
import { dockerFunction, ScriptHost, shQuote } from "./shell";

/** Where the image has the tools: etcdutl from 3.5 (etcdctl's snapshot commands are deprecated there), etcdctl on 3.4. */
export function restoreTool(hasEtcdutl: boolean): { binary: string; env: string[] } {
    return hasEtcdutl ? { binary: "/usr/local/bin/etcdutl", env: [] } : { binary: "/usr/local/bin/etcdctl", env: ["ETCDCTL_API=3"] };
}

interface OneShotSpec {
    clusterName: string;
    host: ScriptHost;
    /** The etcd image (its id on the host). */
    image: string;
    /** The snapshot file where Pulumi runs. */
    snapshot: string;
    hasEtcdutl: boolean;
}

/** `oneshot <name> <volume or ""> <args…>`: creates the container, copies the snapshot in, runs it attached, removes it. */
function oneShot(spec: OneShotSpec): string {
    const tool = restoreTool(spec.hasEtcdutl);
    const env = tool.env.map((e) => `-e ${shQuote(e)}`).join(" ");
    return `tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -z "\${one:-}" ] || dk 0 rm -f "$one" >/dev/null 2>&1' EXIT
${dockerFunction([spec.host])}
snap=${shQuote(spec.snapshot)}
[ -r "$snap" ] || { echo "restore: the snapshot $snap cannot be read where Pulumi runs" >&2; exit 1; }
oneshot() {
  one=$1; vol=$2; shift 2
  dk 0 rm -f "$one" >/dev/null 2>&1
  mount=""; [ -z "$vol" ] || mount="-v $vol:${volumeMountPath}"
  dk 0 create --name "$one" $mount ${env} --entrypoint ${tool.binary} ${shQuote(spec.image)} "$@" >/dev/null || return 1
  dk 0 cp "$snap" "$one:/tmp/restore.db" || return 1
  dk 0 start -a "$one" 2>&1; rc=$?
  dk 0 rm -f "$one" >/dev/null 2>&1; one=""
  return $rc
}`;
}

/**
 * Checks the snapshot before any member is touched: a truncated or corrupt file fails the deployment here, saying
 * so, and no member's volume is prepared.
 */
export function restoreCheckScript(spec: OneShotSpec): string {
    return `set -u
${oneShot(spec)}
if out=$(oneshot ${shQuote(`${spec.clusterName}-restore-check`)} "" snapshot status /tmp/restore.db -w table); then
  printf 'etcd cluster %s: snapshot %s checked:\\n%s\\n' ${shQuote(spec.clusterName)} "$snap" "$out"
  exit 0
fi
printf 'etcd cluster %s: the snapshot %s cannot be restored, it is not a valid etcd snapshot (truncated or corrupt?): %s\\nNo member was created. Give restore.snapshot a good file.\\n' ${shQuote(spec.clusterName)} "$snap" "$(printf '%s' "$out" | tail -n 3)" >&2
exit 1
`;
}

export interface RestoreSpec extends OneShotSpec {
    member: string;
    peerUrl: string;
    initialCluster: string;
    volumeName: string;
}

/**
 * Prepares one member's data volume from the snapshot. Refuses a volume that already holds a data dir (say which,
 * and how to proceed): a restore never overwrites data. The cluster token comes from `ETCD_RESTORE_TOKEN`.
 */
export function restoreScript(spec: RestoreSpec): string {
    const one = shQuote(`${spec.member}-restore`);
    return `set -u
${oneShot(spec)}
member=${shQuote(spec.member)}
volume=${shQuote(spec.volumeName)}
# A data dir in the volume means data: docker cp of it from a container that mounts the volume succeeds.
dk 0 rm -f ${one} >/dev/null 2>&1
dk 0 create --name ${one} -v "$volume:${volumeMountPath}" ${shQuote(spec.image)} >/dev/null || exit 1
if dk 0 cp ${one}:${dataDir}/member - >/dev/null 2>&1; then
  dk 0 rm -f ${one} >/dev/null 2>&1
  printf 'restore: the data volume %s of member %s on %s already holds etcd data; a restore never overwrites it. ' "$volume" "$member" ${shQuote(spec.host.url)} >&2
  printf 'Delete the volume (docker volume rm %s) if that data is not needed, or remove restore from the arguments to start on it.\\n' "$volume" >&2
  exit 1
fi
dk 0 rm -f ${one} >/dev/null 2>&1
if out=$(oneshot ${one} "$volume" snapshot restore /tmp/restore.db --name "$member" --data-dir ${dataDir} \\
    --initial-cluster ${shQuote(spec.initialCluster)} --initial-advertise-peer-urls ${shQuote(spec.peerUrl)} \\
    --initial-cluster-token "$ETCD_RESTORE_TOKEN"); then
  echo "etcd member $member: data volume $volume restored from $snap"
  exit 0
fi
printf 'restore of member %s into volume %s failed: %s\\n' "$member" "$volume" "$(printf '%s' "$out" | tail -n 3)" >&2
exit 1
`;
}
