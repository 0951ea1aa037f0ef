#!/usr/bin/env bash
# Captures what etcdctl prints with `-w json` on each etcd line, for the unit tests of the decisions the scripts take
# over it (components/plan/decide.js): member list with an unstarted learner (no name, no client URL) and with a
# started one; endpoint status of a leader with a learner, of two voters, and of a member that lost its leader;
# endpoint health of a healthy and of an unhealthy member. Runs two members on the local Docker engine, on a network of
# their own, from the lab's images (tests/live/lab/setup.sh); writes tests/unit/plan/etcdctl-json/<version>-<what>.json.
# Usage: tools/capture-etcdctl-json.sh [image…]   (default: every local/etcd image)
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/unit/plan/etcdctl-json
mkdir -p "$out"
net=capjson-net
images=("$@")
[ ${#images[@]} -gt 0 ] || mapfile -t images < <(docker images --format '{{.Repository}}:{{.Tag}}' local/etcd | sort -V)

cleanup() { docker rm -f capjson-n1 capjson-n2 >/dev/null 2>&1 || true; docker network rm "$net" >/dev/null 2>&1 || true; }
trap cleanup EXIT

member() { # <name> <initial cluster> <state> <image>
  docker run -d --name "capjson-$1" --network "$net" "$4" /usr/local/bin/etcd --name "$1" \
    --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://capjson-$1:2379" \
    --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls "http://capjson-$1:2380" \
    --initial-cluster "$2" --initial-cluster-state "$3" >/dev/null
}
ctl() { docker exec ${api_env:+-e "$api_env"} capjson-n1 /usr/local/bin/etcdctl --endpoints=http://capjson-n1:2379 --command-timeout=5s "$@"; }
# One attempt a second until `ctl "$@"` succeeds, for at most 30 s.
until_ok() { for _ in $(seq 30); do ctl "$@" >/dev/null 2>&1 && return 0; sleep 1; done; echo "timed out: etcdctl $*" >&2; return 1; }
save() { local f="$out/$version-$1.json"; shift; ctl "$@" -w json >"$f" 2>/dev/null || true; echo "  $f: $(wc -c <"$f") bytes"; }

for image in "${images[@]}"; do
  version=${image##*:v}
  api_env=""; case $version in 3.4.*) api_env=ETCDCTL_API=3 ;; esac
  echo "== $image"
  cleanup
  docker network create "$net" >/dev/null
  member n1 n1=http://capjson-n1:2380 new "$image"
  until_ok endpoint health
  ctl member add n2 --peer-urls=http://capjson-n2:2380 --learner >/dev/null
  save member-list-unstarted-learner member list
  member n2 n1=http://capjson-n1:2380,n2=http://capjson-n2:2380 existing "$image"
  for _ in $(seq 30); do ctl member list | grep -q ', started, n2,' && break; sleep 1; done
  sleep 2
  save member-list-started-learner member list
  save status-leader-and-learner endpoint status --cluster
  id=$(ctl member list | awk -F', ' '$3 == "n2" { print $1 }')
  until_ok member promote "$id"
  until_ok endpoint health --cluster
  save member-list-voters member list
  save status-voters endpoint status --cluster
  save health-voters endpoint health --cluster
  docker stop -t 1 capjson-n2 >/dev/null
  sleep 8
  save status-no-leader endpoint status
  save health-no-leader endpoint health
done
