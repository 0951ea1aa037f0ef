#!/usr/bin/env bash
# Produce each fault the diagnosis knows for real on the lab, with one etcd image, and keep the members' logs as the
# unit fixtures of tests/unit/diagnose/logs/ (<series>-<fault>.log, the last 60 lines, as `docker logs` shows them;
# for a full quota also what `etcdctl endpoint health` said, <series>-space-exceeded.health).
#   ./capture-faults.sh SERIES OUTDIR [N...]   SERIES = a key of lab.json's images (3.6, 3.7, ...); N: only those faults
#                                              (1..11, numbered below; 5 takes a port of 2, so run them together)
# Containers and volumes are named cap<series without dot>-* (e.g. cap36-) and use ports 24xxx only, so other tests on
# the same hosts are not disturbed; all of them are removed at the end, whatever happened.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

lab_require_root
SERIES=${1:?series, e.g. 3.7}
OUTDIR=${2:?output folder}
ONLY=" ${*:3} "
want() { [[ $ONLY == "  " || $ONLY == *" $1 "* ]]; }
[[ -s $LAB_JSON ]] || lab_die "$LAB_JSON missing: run setup.sh first"
IMAGE=$(jq -er --arg s "$SERIES" '.images[$s]' "$LAB_JSON") || lab_die "no image for etcd $SERIES in $LAB_JSON"
mapfile -t ADDRS < <(jq -r '.hosts[].address' "$LAB_JSON")
mapfile -t URLS < <(jq -r '.hosts[].dockerHost' "$LAB_JSON")
((${#ADDRS[@]} >= 5)) || lab_die "needs 5 lab hosts (TLS uses h3..h5 like the 3.4/3.5 fixtures)"
PFX="cap${SERIES//./}"
PFX=${PFX%%-*}                                   # cap36, cap37
case $SERIES in 3.6) BASE=24300 ;; 3.7) BASE=24600 ;; *) BASE=24900 ;; esac
mkdir -p "$OUTDIR"
TMP=$(mktemp -d)

h() { docker -H "${URLS[$1 - 1]}" "${@:2}"; }       # h <host 1..5> docker args...
addr() { echo "${ADDRS[$1 - 1]}"; }

cleanup() {
  local i c
  for ((i = 1; i <= 5; i++)); do
    for c in $(h "$i" ps -aq --filter "name=^$PFX-" 2>/dev/null); do h "$i" rm -f -v "$c" >/dev/null 2>&1 || true; done
    for c in $(h "$i" volume ls -q --filter "name=^$PFX-" 2>/dev/null); do h "$i" volume rm -f "$c" >/dev/null 2>&1 || true; done
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

# member <host> <name> <client port> <peer port> [ETCD_*=value ...]: a container of the image, host networking, env only.
# Creates it, copies $TMP/pki/<name>/ into /tmp/pki when that exists (the image has no shell), starts it.
member() {
  local i=$1 name=$2 cp=$3 pp=$4 a; a=$(addr "$1"); shift 4
  local env=(-e "ETCD_NAME=$name" -e ETCD_DATA_DIR=/var/lib/etcd/data
    -e "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:$cp" -e "ETCD_ADVERTISE_CLIENT_URLS=http://$a:$cp"
    -e "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:$pp" -e "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://$a:$pp")
  local kv; for kv in "$@"; do env+=(-e "$kv"); done       # later -e of the same key wins
  h "$i" create --name "$PFX-$name" --network host -v "$PFX-$name:/var/lib/etcd" "${env[@]}" "${MEMBER_OPTS[@]}" "$IMAGE" "${MEMBER_CMD[@]}" >/dev/null
  [[ ! -d $TMP/pki/$name ]] || h "$i" cp "$TMP/pki/$name" "$PFX-$name:/tmp/pki"
  h "$i" start "$PFX-$name" >/dev/null
}
MEMBER_OPTS=(); MEMBER_CMD=()

# three members n1..n3 on hosts $1..$1+2 of fault number $2; prints the initial cluster
cluster3() {
  local first=$1 n=$2 ic="" k cp pp
  for k in 0 1 2; do ic+="${ic:+,}f$n-m$((k + 1))=http://$(addr $((first + k))):$((BASE + 10 * n + 2))"; done
  echo "$ic"
}
start3() { # first-host fault-number token [state] [members...]
  local first=$1 n=$2 tok=$3 ic k; ic=$(cluster3 "$first" "$n")
  for k in "${@:4}"; do
    member $((first + k - 1)) "f$n-m$k" $((BASE + 10 * n + 1)) $((BASE + 10 * n + 2)) \
      "ETCD_INITIAL_CLUSTER=$ic" ETCD_INITIAL_CLUSTER_STATE=new "ETCD_INITIAL_CLUSTER_TOKEN=$tok"
  done
}
cp_of() { echo $((BASE + 10 * $1 + 1)); }
ctl() { # host fault-number etcdctl args...: the image's etcdctl in member 1's container of that fault
  local i=$1 n=$2; shift 2
  h "$i" exec "$PFX-f$n-m$i" /usr/local/bin/etcdctl --endpoints "http://127.0.0.1:$(cp_of "$n")" "$@"
}
healthy3() { ctl "$1" "$2" endpoint health --cluster >/dev/null 2>&1; }
log_has() { h "$1" logs "$PFX-$2" 2>&1 | grep -E "$3" >/dev/null; }   # not -q: an early exit fails the pipe (pipefail)
# wait_log host name regex seconds: the fault must show in the member's log, else the capture is worthless
wait_log() { lab_wait "$4" "'$3' in $2's log" log_has "$1" "$2" "$3" || lab_die "$2 never logged '$3'"; }
save() { # host container fixture [regex]: the last 60 lines, or the 60 up to the last line matching regex (a member
  # that keeps restarting shows the fault at the end of each run; what follows is the next run's start)
  h "$1" logs "$PFX-$2" >"$TMP/all" 2>&1 || true
  local end; end=$(grep -nE "${4:-.}" "$TMP/all" | tail -n 1 | cut -d: -f1)
  head -n "${end:-0}" "$TMP/all" | tail -n 60 >"$OUTDIR/$SERIES-$3.log"
  lab_log "$SERIES-$3.log: $(wc -l <"$OUTDIR/$SERIES-$3.log") lines from $2 on h$1"
}

lab_log "capturing faults of $IMAGE as $PFX-* on ports $BASE..$((BASE + 199))"
cleanup; TMP=$(mktemp -d)

# 1 peer-unreachable: a new cluster whose other members never start
if want 1; then
start3 1 1 tok1 1
sleep 8; save 1 "f1-m1" peer-unreachable

fi
# 2 lost-quorum: a healthy cluster loses two of its three members
if want 2; then
start3 1 2 tok2 1 2 3
lab_wait 60 "cluster 2" healthy3 1 2 || lab_die "cluster 2 did not form"
h 2 stop "$PFX-f2-m2" >/dev/null; h 3 stop "$PFX-f2-m3" >/dev/null
# up to its last refused dial: what the diagnosis reads (the log since start) has them; a 60-line tail may hold only elections
sleep 8; save 1 "f2-m1" lost-quorum 'connection refused'

fi
# 3 cluster-id-mismatch: member 3 comes back on data of another cluster (new data, another token, same URLs)
if want 3; then
start3 1 3 tok3 1 2 3
lab_wait 60 "cluster 3" healthy3 1 3 || lab_die "cluster 3 did not form"
h 3 rm -f -v "$PFX-f3-m3" >/dev/null; h 3 volume rm "$PFX-f3-m3" >/dev/null
start3 1 3 other-cluster 3
wait_log 3 f3-m3 'cluster ID mismatch' 30; sleep 3; save 3 "f3-m3" cluster-id-mismatch-self; save 1 "f3-m1" cluster-id-mismatch-peer

fi
# 4 member-removed: member 3 is removed and started again on its old data (restart policy: it keeps coming back)
if want 4; then
MEMBER_OPTS=(--restart unless-stopped); start3 1 4 tok4 1 2 3; MEMBER_OPTS=()
lab_wait 60 "cluster 4" healthy3 1 4 || lab_die "cluster 4 did not form"
id=$(ctl 1 4 member list | awk -F', ' -v n="f4-m3" '$3 == n { print $1 }')
[[ -n $id ]] || lab_die "member f4-m3 not in the member list"
# etcd refuses the removal until every member has been connected for a while ("unhealthy cluster"): retry
lab_wait 30 "member remove" ctl 1 4 member remove "$id" || lab_die "etcdctl member remove $id failed"
wait_log 3 f4-m3 'must be removed|permanently removed' 30; sleep 2; save 3 "f4-m3" member-removed 'must be removed|permanently removed'; save 1 "f4-m1" member-removed-peer

fi
# 5 address-in-use: a second member on host 1 wants cluster 2's member 1's peer port
if want 5; then
member 1 "f5-y1" "$(cp_of 5)" $((BASE + 10 * 2 + 2)) "ETCD_INITIAL_CLUSTER=f5-y1=http://$(addr 1):$((BASE + 10 * 2 + 2))"
wait_log 1 f5-y1 'address already in use' 20; save 1 "f5-y1" address-in-use

fi
# 6 flag-and-env: --name as a flag and ETCD_NAME in the environment
if want 6; then
MEMBER_CMD=(/usr/local/bin/etcd --name "f6-y2")
member 2 "f6-y2" "$(cp_of 6)" $((BASE + 62)) "ETCD_INITIAL_CLUSTER=f6-y2=http://$(addr 2):$((BASE + 62))"
MEMBER_CMD=(); wait_log 2 f6-y2 'shadowed' 20; save 2 "f6-y2" flag-and-env

fi
# 7 permission: a user that cannot write the (root-owned) data volume
if want 7; then
MEMBER_OPTS=(--user 65534:65534)
member 3 "f7-y3" "$(cp_of 7)" $((BASE + 72)) "ETCD_INITIAL_CLUSTER=f7-y3=http://$(addr 3):$((BASE + 72))"
MEMBER_OPTS=(); wait_log 3 f7-y3 'permission denied' 20; save 3 "f7-y3" permission

fi
# 8 space-exceeded: a 16 MiB quota, filled
if want 8; then
member 4 "f8-y4" "$(cp_of 8)" $((BASE + 82)) "ETCD_INITIAL_CLUSTER=f8-y4=http://$(addr 4):$((BASE + 82))" \
  ETCD_INITIAL_CLUSTER_TOKEN=tok8 ETCD_QUOTA_BACKEND_BYTES=16777216
lab_wait 30 "member 8" etcdctl --endpoints "http://$(addr 4):$(cp_of 8)" endpoint health >/dev/null || lab_die "member 8 did not start"
head -c 1000000 /dev/zero | tr '\0' x >"$TMP/big"
for ((k = 0; k < 40; k++)); do   # etcdctl put reads the value from stdin when it is not given
  if ! out=$(ETCDCTL_API=3 etcdctl --endpoints "http://$(addr 4):$(cp_of 8)" put "k$k" <"$TMP/big" 2>&1); then
    grep -q 'space exceeded' <<<"$out" && break
    lab_die "put k$k failed: $out"
  fi
done
# From 3.6 the alarm is logged nowhere (3.5 logged "alarm raised"): etcdctl endpoint health is what says it, so its
# output is kept beside the log (<series>-space-exceeded.health).
health8() { h 4 exec "$PFX-f8-y4" /usr/local/bin/etcdctl --endpoints "http://127.0.0.1:$(cp_of 8)" --command-timeout=3s endpoint health 2>&1 || true; }
nospace8() { health8 | grep -E 'NOSPACE' >/dev/null; }
lab_wait 20 "NOSPACE in f8-y4's endpoint health" nospace8 || lab_die "f8-y4's endpoint health never said NOSPACE"
health8 | grep -v '^{"level"' >"$OUTDIR/$SERIES-space-exceeded.health"
sleep 1; save 4 "f8-y4" space-exceeded

fi
# 9 dns-srv-missing: SRV bootstrap from a domain nobody serves
if want 9; then
member 5 "f9-y5" "$(cp_of 9)" $((BASE + 92)) ETCD_DISCOVERY_SRV=nowhere.lab \
  "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://f9-y5.nowhere.lab:$((BASE + 92))"
wait_log 5 f9-y5 'lookup|SRV' 60; sleep 1; save 5 "f9-y5" dns-srv-missing    # the resolver times out first

fi
# 10 discovery-unreachable: v3 discovery (the component's protocol from 3.6) against a port nobody listens on
if want 10; then
member 5 "f10-y6" "$(cp_of 10)" $((BASE + 102)) "ETCD_DISCOVERY_ENDPOINTS=http://$(addr 5):$((BASE + 199))" \
  ETCD_DISCOVERY_TOKEN=abc
wait_log 5 f10-y6 'discovery' 30; sleep 12; save 5 "f10-y6" discovery-unreachable

fi
# 11 TLS: members on h3..h5, the third given the first one's certificate (valid for 10.77.0.13, not its 10.77.0.15)
if want 11; then
bash "$HERE/capture-pki.sh" "$TMP/pki" "f11-n1=$(addr 3)" "f11-n2=$(addr 4)" "f11-n3=$(addr 5)"
rm -rf "$TMP/pki/f11-n3" && cp -r "$TMP/pki/f11-n1" "$TMP/pki/f11-n3"
ic=""; for k in 1 2 3; do ic+="${ic:+,}f11-n$k=https://$(addr $((k + 2))):$((BASE + 112))"; done
for k in 1 2 3; do
  i=$((k + 2)); a=$(addr $i)
  member $i "f11-n$k" "$(cp_of 11)" $((BASE + 112)) "ETCD_INITIAL_CLUSTER=$ic" ETCD_INITIAL_CLUSTER_STATE=new \
    ETCD_INITIAL_CLUSTER_TOKEN=tok11 "ETCD_LISTEN_PEER_URLS=https://0.0.0.0:$((BASE + 112))" \
    "ETCD_INITIAL_ADVERTISE_PEER_URLS=https://$a:$((BASE + 112))" ETCD_PEER_CLIENT_CERT_AUTH=true \
    ETCD_PEER_TRUSTED_CA_FILE=/tmp/pki/ca.crt ETCD_PEER_CERT_FILE=/tmp/pki/peer.crt ETCD_PEER_KEY_FILE=/tmp/pki/peer.key
done
wait_log 3 f11-n1 'certificate is valid for' 30; sleep 4; save 3 "f11-n1" tls-n1; save 5 "f11-n3" tls-n3
fi
lab_log "captured $(ls "$OUTDIR"/"$SERIES"-*.log | wc -l) fixtures of etcd $SERIES into $OUTDIR"
