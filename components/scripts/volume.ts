/**
 * The data volumes' two scripts: removing a removed member's volume (the data of a member that left the cluster
 * can never rejoin it), and telling the user which volumes a destroyed cluster left behind.
 */
import { retryLoop, ScriptHost, shQuote, dockerFunction } from "./shell";

export interface VolumeSpec {
    clusterName: string;
    member: string;
    volumeName: string;
    host: ScriptHost;
}

/**
 * Removes the member's volume from its host, after its container is gone. A volume already gone is fine (with
 * `dataVolumes.onDestroy: "delete"` the volume's own delete came first). Docker refuses to remove a volume a
 * container still uses; that is reported, never forced.
 */
export function dropVolumeScript(spec: VolumeSpec): string {
    return `set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${dockerFunction([spec.host])}
vol=${shQuote(spec.volumeName)}
${retryLoop({ attempts: 4 }, `if out=$(dk 0 volume rm "$vol" 2>&1); then ok=1; echo "data volume $vol of removed member ${spec.member} deleted"
else
  err=$(printf '%s' "$out" | tail -n 1)
  case $out in *"no such volume"*|*"No such volume"*) ok=1; echo "data volume $vol of removed member ${spec.member} was already gone" ;; esac
fi`, 2)}
[ "$ok" = 1 ] && exit 0
printf 'data volume %s of removed member %s (cluster %s) could not be deleted on %s: %s\\n' "$vol" ${shQuote(spec.member)} ${shQuote(spec.clusterName)} ${shQuote(spec.host.url)} "$err" >&2
exit 1
`;
}

/** What the destroy output says about the data volumes it keeps, and how to delete them. */
export function retainedVolumesNotice(clusterName: string, volumes: { volumeName: string; hostUrl: string }[]): string {
    const lines = [
        `EtcdCluster ${clusterName}: its data volumes are kept (dataVolumes.onDestroy: "retain"); a deployment with the same members starts on them again.`,
        "To delete them:",
        ...volumes.map((v) => `  docker -H ${v.hostUrl} volume rm ${v.volumeName}`),
    ];
    return `printf '%s\\n' ${lines.map(shQuote).join(" ")}\n`;
}
