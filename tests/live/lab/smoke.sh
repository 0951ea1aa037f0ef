#!/usr/bin/env bash
# Smoke-check the lab: a real etcd cluster, one member per lab host, host networking, configured through
# ETCD_* environment variables only (the image's own command), reached over docker-over-ssh; then removed.
#   ./smoke.sh [SERIES]      SERIES = a key of lab.json's images: 3.4 | 3.5 | 3.5-upgrade | 3.6 | 3.7 (default 3.5)
#   SMOKE_MEMBERS=N          number of members (default: every host in lab.json)
#   SMOKE_PORTS=C,P          client and peer port (default 2379,2380; others' tests may hold those on a shared lab)
#   SMOKE_NAME=name          container name (default etcd-lab-smoke)
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
NAME=${SMOKE_NAME:-etcd-lab-smoke}
IFS=, read -r CP PP <<<"${SMOKE_PORTS:-2379,2380}"
[[ $CP =~ ^[0-9]+$ && $PP =~ ^[0-9]+$ && $CP != "$PP" ]] || lab_die "SMOKE_PORTS must be two different ports, e.g. 24379,24380"
VERSION=${IMAGE##*:v}

initial=""
for ((k = 0; k < N; k++)); do initial+="${initial:+,}m$((k + 1))=http://${ADDRS[k]}:$PP"; done
endpoints=""
for ((k = 0; k < N; k++)); do endpoints+="${endpoints:+,}http://${ADDRS[k]}:$CP"; done

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
    -e ETCD_LISTEN_PEER_URLS="http://$a:$PP" -e ETCD_INITIAL_ADVERTISE_PEER_URLS="http://$a:$PP" \
    -e ETCD_LISTEN_CLIENT_URLS="http://$a:$CP,http://127.0.0.1:$CP" -e ETCD_ADVERTISE_CLIENT_URLS="http://$a:$CP" \
    -e ETCD_INITIAL_CLUSTER="$initial" -e ETCD_INITIAL_CLUSTER_STATE=new -e ETCD_INITIAL_CLUSTER_TOKEN="$TOKEN" \
    "$IMAGE" >/dev/null
  lab_log "started $IMAGE as m$((k + 1)) on ${URLS[k]}"
done
export ETCDCTL_API=3
if ! lab_wait 60 "a healthy $N-member cluster" etcdctl --dial-timeout 2s --command-timeout 3s --endpoints "$endpoints" endpoint health; then
  for ((k = 0; k < N; k++)); do echo "--- m$((k + 1)) logs" >&2; docker -H "${URLS[k]}" logs --tail 15 "$NAME" >&2 || true; done
  lab_die "etcd $SERIES cluster did not become healthy"
fi
etcdctl --endpoints "http://${ADDRS[0]}:$CP" member list -w table
etcdctl --endpoints "$endpoints" endpoint status -w table
etcdctl --endpoints "http://${ADDRS[0]}:$CP" put smoke "$TOKEN" >/dev/null
got=$(etcdctl --endpoints "http://${ADDRS[N - 1]}:$CP" get --print-value-only smoke)
[[ $got == "$TOKEN" ]] || lab_die "put on ${ADDRS[0]}, read '$got' on ${ADDRS[N - 1]}"
started=$(etcdctl --endpoints "http://${ADDRS[0]}:$CP" member list | grep -c ', started, ' || true)
((started == N)) || lab_die "$started of $N members started"
# every member runs the image's version (the status table's VERSION column), and the etcdctl in the image talks to it
versions=$(etcdctl --endpoints "$endpoints" endpoint status -w json | jq -r '.[].Status.version' | sort -u)
[[ $versions == "$VERSION" ]] || lab_die "members report etcd $(lab_words "$versions"), not $VERSION ($IMAGE)"
docker -H "${URLS[0]}" exec "$NAME" /usr/local/bin/etcdctl --endpoints "http://127.0.0.1:$CP" get --print-value-only smoke | grep -qxF "$TOKEN" \
  || lab_die "the image's own etcdctl did not read the key back"
lab_log "etcd $SERIES ($IMAGE): $N members started, healthy, put/get across hosts OK in $(lab_elapsed "$T0")s"
