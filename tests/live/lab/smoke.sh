#!/usr/bin/env bash
# Smoke-check the lab: a real etcd cluster, one member per lab host, host networking, configured through
# ETCD_* environment variables only (the image's own command), reached over docker-over-ssh; then removed.
#   ./smoke.sh [SERIES]      SERIES = 3.4 | 3.5 (default 3.5), image from $LAB_DIR/lab.json
#   SMOKE_MEMBERS=N          number of members (default: every host in lab.json)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

lab_require_root
SERIES=${1:-3.5}
[[ -s $LAB_JSON ]] || lab_die "$LAB_JSON missing: run setup.sh first"
IMAGE=$(jq -er --arg s "$SERIES" '.images[$s]' "$LAB_JSON") || lab_die "no image for etcd $SERIES in $LAB_JSON"
mapfile -t ADDRS < <(jq -r '.hosts[].address' "$LAB_JSON")
mapfile -t URLS < <(jq -r '.hosts[].dockerHost' "$LAB_JSON")
N=${SMOKE_MEMBERS:-${#ADDRS[@]}}
((N >= 1 && N <= ${#ADDRS[@]})) || lab_die "SMOKE_MEMBERS must be 1..${#ADDRS[@]}"
TOKEN="smoke-$$"
NAME=etcd-lab-smoke

initial=""
for ((k = 0; k < N; k++)); do initial+="${initial:+,}m$((k + 1))=http://${ADDRS[k]}:2380"; done
endpoints=""
for ((k = 0; k < N; k++)); do endpoints+="${endpoints:+,}http://${ADDRS[k]}:2379"; done

cleanup() {
  local k
  for ((k = 0; k < N; k++)); do docker -H "${URLS[k]}" rm -f -v "$NAME" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

T0=$(lab_now)
cleanup
for ((k = 0; k < N; k++)); do
  a=${ADDRS[k]}
  docker -H "${URLS[k]}" run -d --name "$NAME" --network host \
    -e ETCD_NAME="m$((k + 1))" -e ETCD_DATA_DIR=/var/lib/etcd/data \
    -e ETCD_LISTEN_PEER_URLS="http://$a:2380" -e ETCD_INITIAL_ADVERTISE_PEER_URLS="http://$a:2380" \
    -e ETCD_LISTEN_CLIENT_URLS="http://$a:2379,http://127.0.0.1:2379" -e ETCD_ADVERTISE_CLIENT_URLS="http://$a:2379" \
    -e ETCD_INITIAL_CLUSTER="$initial" -e ETCD_INITIAL_CLUSTER_STATE=new -e ETCD_INITIAL_CLUSTER_TOKEN="$TOKEN" \
    "$IMAGE" >/dev/null
  lab_log "started $IMAGE as m$((k + 1)) on ${URLS[k]}"
done
export ETCDCTL_API=3
if ! lab_wait 60 "a healthy $N-member cluster" etcdctl --dial-timeout 2s --command-timeout 3s --endpoints "$endpoints" endpoint health; then
  for ((k = 0; k < N; k++)); do echo "--- m$((k + 1)) logs" >&2; docker -H "${URLS[k]}" logs --tail 15 "$NAME" >&2 || true; done
  lab_die "etcd $SERIES cluster did not become healthy"
fi
etcdctl --endpoints "http://${ADDRS[0]}:2379" member list -w table
etcdctl --endpoints "$endpoints" endpoint status -w table
etcdctl --endpoints "http://${ADDRS[0]}:2379" put smoke "$TOKEN" >/dev/null
got=$(etcdctl --endpoints "http://${ADDRS[N - 1]}:2379" get --print-value-only smoke)
[[ $got == "$TOKEN" ]] || lab_die "put on ${ADDRS[0]}, read '$got' on ${ADDRS[N - 1]}"
started=$(etcdctl --endpoints "http://${ADDRS[0]}:2379" member list | grep -c ', started, ' || true)
((started == N)) || lab_die "$started of $N members started"
lab_log "etcd $SERIES ($IMAGE): $N members started, healthy, put/get across hosts OK in $(lab_elapsed "$T0")s"
