/**
 * The maintenance container's loop (its command, run by the image's `sh`): every interval a snapshot through the
 * first member that answers (`etcdctl snapshot save`), verified with `snapshot status` and kept 0600, the oldest
 * beyond `keep` removed, then `etcdctl defrag` of each member in turn, never two at once
 * (https://etcd.io/docs/v3.5/op-guide/maintenance/). Every step is one log line; a failed step is logged and the loop
 * goes on. Endpoints, TLS flags and credentials come from the environment.
 */
import { shQuote } from "./shell";

export interface MaintenanceSpec {
    clusterName: string;
    /** The members' client URLs. */
    endpoints: string[];
    /** etcdctl TLS flags (paths inside the maintenance container). */
    etcdctlFlags: string[];
    intervalSeconds: number;
    keep: number;
    defrag: boolean;
}

/** Where the snapshots go inside the container (the maintenance volume). */
export const backupDir = "/backups";

export function maintenanceScript(spec: MaintenanceSpec): string {
    const flags = spec.etcdctlFlags.map(shQuote).join(" ");
    return `set -u
umask 077
cluster=${shQuote(spec.clusterName)}
endpoints=${shQuote(spec.endpoints.join(" "))}
ectl() { /usr/local/bin/etcdctl ${flags} --dial-timeout=5s --command-timeout=300s "$@"; }
status() { if [ -x /usr/local/bin/etcdutl ]; then /usr/local/bin/etcdutl snapshot status "$1" -w json; else /usr/local/bin/etcdctl snapshot status "$1" -w json; fi; }
echo "maintenance of etcd cluster $cluster: every ${spec.intervalSeconds}s a snapshot to ${backupDir} (keeping ${spec.keep})${spec.defrag ? ", then defrag of each member in turn" : ""}"
while :; do
  file=${backupDir}/$cluster-$(date -u +%Y%m%dT%H%M%SZ).db
  saved=""
  for ep in $endpoints; do
    out=""; st=""
    if out=$(ectl --endpoints="$ep" snapshot save "$file.part" 2>&1) && st=$(status "$file.part" 2>&1); then
      chmod 600 "$file.part" && mv "$file.part" "$file" && saved=$ep
      echo "snapshot $file from $ep: $(printf '%s' "$st" | tail -n 1)"
      break
    fi
    rm -f "$file.part"
    echo "snapshot through $ep failed: $(printf '%s' "\${out:-}\${st:-}" | tail -n 1)"
  done
  [ -n "$saved" ] || echo "no snapshot this time: no member could save one"
  ls -1t ${backupDir}/$cluster-*.db 2>/dev/null | tail -n +${spec.keep + 1} | while read -r old; do rm -f "$old" && echo "pruned $old"; done
${spec.defrag ? `  for ep in $endpoints; do
    if out=$(ectl --endpoints="$ep" defrag 2>&1); then echo "defragmented $ep"; else echo "defrag of $ep failed: $(printf '%s' "$out" | tail -n 1)"; fi
  done
` : ""}  sleep ${spec.intervalSeconds}
done
`;
}
