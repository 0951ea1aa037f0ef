# shellcheck shell=bash
# shellcheck disable=SC2034  # constants used by the scripts that source this file
# Shared logic for the live-test lab (sourced by setup.sh and teardown.sh; not executable on its own).
#
# The lab: a bridge "hostbr" (10.77.0.1/24) in the root network namespace, and N "remote Docker hosts"
# h1..hN, each a network namespace (10.77.0.1<i>) with its own dockerd (unix:///run/docker-h<i>.sock)
# and its own sshd (so `docker -H ssh://etcdlab@10.77.0.1<i>` reaches THAT host's engine).
# See README.md beside this file.

LAB_DIR="${LAB_DIR:-/var/lib/etcd-lab}"
# Addresses are 10.77.0.1<i>, so at most nine; six by default: the diagnosis stops and repairs the engine of a host
# (h6) that no other live file uses, so the other groups go on beside it.
LAB_MAX_HOSTS=9
LAB_BRIDGE=hostbr
LAB_BRIDGE_ADDR=10.77.0.1
LAB_PREFIX=24
LAB_MAIN_DOCKER_HOST=unix:///var/run/docker.sock
LAB_MAIN_DOCKERD_PIDFILE=/var/run/docker.pid
LAB_MAIN_DOCKERD_LOG=/var/log/dockerd.log
LAB_SSH_CONFIG="$LAB_DIR/ssh_config"
LAB_SSH_KEY="$LAB_DIR/id_ed25519"
LAB_SSH_HOST_KEY="$LAB_DIR/ssh_host_ed25519_key"
LAB_SSHD_CONFIG="$LAB_DIR/sshd_config"
LAB_AUTHORIZED_KEYS="$LAB_DIR/authorized_keys"
# The account the lab's ssh hop logs in as: its shell is /bin/sh and its home is its own, so no login-shell rc
# file (a root ~/.bashrc that starts a language version manager costs ~0.6 s) runs on each `docker -H ssh://`.
# It reaches the hosts' engines through their sockets' group.
LAB_USER=etcdlab
LAB_HOME="$LAB_DIR/home"
LAB_JSON="$LAB_DIR/lab.json"
LAB_LOG_DIR="$LAB_DIR/log"
LAB_SSH_CONTROL_PREFIX=/tmp/etcd-lab-ssh-
LAB_ROOT_SSH_CONFIG=/root/.ssh/config
LAB_INCLUDE_BEGIN="# >>> etcd-lab: managed by tests/live/lab/setup.sh, removed by teardown.sh >>>"
LAB_INCLUDE_END="# <<< etcd-lab <<<"
LAB_IMAGE_LABEL=etcd-lab                       # every lab image carries LABEL etcd-lab=1
LAB_IPT_RULE=(DOCKER-USER -i "$LAB_BRIDGE" -o "$LAB_BRIDGE" -j ACCEPT)

# The docker CLI must talk to the engines we name explicitly, never to an inherited one.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- logging / timing
lab_log()  { printf '[lab] %s\n' "$*" >&2; }
lab_warn() { printf '[lab] WARNING: %s\n' "$*" >&2; }
lab_die()  { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }
lab_now()  { date +%s.%N; }
lab_words() { printf "%s" "$1" | tr -s "\n" " "; }   # one line, for log messages
lab_elapsed() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.1f", b - a }'; }

LAB_TIMINGS=()
# lab_phase NAME CMD [ARGS...]: run CMD, print and remember how long it took.
lab_phase() {
  local name=$1; shift
  local t0; t0=$(lab_now)
  lab_log "=== $name"
  "$@"
  local dt; dt=$(lab_elapsed "$t0")
  lab_log "=== $name: done in ${dt}s"
  LAB_TIMINGS+=("$(printf '%-28s %6ss' "$name" "$dt")")
}
lab_print_timings() {
  local total=$1 line
  lab_log "timings:"
  for line in "${LAB_TIMINGS[@]}"; do lab_log "  $line"; done
  lab_log "  $(printf '%-28s %6ss' TOTAL "$(lab_elapsed "$total")")"
}

lab_require_root() { [[ $(id -u) -eq 0 ]] || lab_die "must run as root"; }

# ---------------------------------------------------------------- hosts
lab_validate_hosts() {
  LAB_HOSTS="${LAB_HOSTS:-6}"
  [[ "$LAB_HOSTS" =~ ^[0-9]+$ ]] && (( LAB_HOSTS >= 1 && LAB_HOSTS <= LAB_MAX_HOSTS )) \
    || lab_die "LAB_HOSTS must be an integer from 1 to $LAB_MAX_HOSTS (got '${LAB_HOSTS}')"
}
lab_ns()       { echo "h$1"; }
lab_addr()     { echo "10.77.0.1$1"; }
lab_veth()     { echo "veth-h$1"; }
lab_sock()     { echo "unix://$(lab_sock_path "$1")"; }
lab_sock_path() { echo "/run/docker-h$1.sock"; }
lab_datadir()  { echo "/var/lib/docker-h$1"; }
lab_execdir()  { echo "/run/docker-h$1"; }
lab_dockerd_pidfile() { echo "/run/docker-h$1.pid"; }
lab_sshd_pidfile()    { echo "/run/etcd-lab-sshd-h$1.pid"; }
lab_ssh_url()  { echo "ssh://$LAB_USER@$(lab_addr "$1")"; }
lab_host_docker() { local i=$1; shift; docker -H "$(lab_sock "$i")" "$@"; }

lab_ns_exists() { [[ -e /run/netns/$(lab_ns "$1") ]]; }

# Does host i leave any trace (namespace, veth, pid files, sockets, data)?
lab_host_has_traces() {
  local i=$1
  lab_ns_exists "$i" && return 0
  ip link show "$(lab_veth "$i")" >/dev/null 2>&1 && return 0
  local f
  for f in "$(lab_dockerd_pidfile "$i")" "$(lab_sshd_pidfile "$i")" "/run/docker-h$i.sock" \
           "$(lab_datadir "$i")" "$(lab_execdir "$i")"; do
    [[ -e $f ]] && return 0
  done
  return 1
}

# ---------------------------------------------------------------- processes
# lab_pid_alive PIDFILE COMM [NETNS]: print the pid if PIDFILE names a live COMM process
# (and, when NETNS is given, one that lives in that network namespace).
lab_pid_alive() {
  local pidfile=$1 comm=$2 ns=${3:-} pid
  [[ -s $pidfile ]] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [[ -n $pid && -d /proc/$pid ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]] || return 1
  if [[ -n $ns ]]; then
    [[ -e /run/netns/$ns ]] || return 1
    [[ $(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) == "$(stat -L -c %i "/run/netns/$ns")" ]] || return 1
  fi
  echo "$pid"
}

# lab_kill_pid PID WHAT TIMEOUT_S: SIGTERM, wait (bounded), then SIGKILL.
lab_kill_pid() {
  local pid=$1 what=$2 timeout=${3:-10} n
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((n = 0; n < timeout * 10; n++)); do
    [[ -d /proc/$pid ]] || return 0
    sleep 0.1
  done
  lab_warn "$what (pid $pid) ignored SIGTERM for ${timeout}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.2
}

# lab_stop_pidfile PIDFILE COMM WHAT TIMEOUT_S: stop the process named by PIDFILE (if it is COMM), drop the file.
lab_stop_pidfile() {
  local pidfile=$1 comm=$2 what=$3 timeout=${4:-10} pid
  if pid=$(lab_pid_alive "$pidfile" "$comm"); then
    lab_log "stopping $what (pid $pid)"
    lab_kill_pid "$pid" "$what" "$timeout"
  elif [[ -e $pidfile ]]; then
    lab_log "removing stale pid file $pidfile"
  fi
  rm -f "$pidfile"
}

# lab_wait TIMEOUT_S WHAT CMD...: poll CMD every 0.25 s until it succeeds (bounded).
lab_wait() {
  local timeout=$1 what=$2 n; shift 2
  for ((n = 0; n < timeout * 4; n++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  lab_warn "timed out after ${timeout}s waiting for $what"
  return 1
}

# ---------------------------------------------------------------- main engine
lab_main_docker_ok() { docker -H "$LAB_MAIN_DOCKER_HOST" info >/dev/null 2>&1; }

lab_stop_main_dockerd() {
  lab_stop_pidfile "$LAB_MAIN_DOCKERD_PIDFILE" dockerd "main dockerd" 30
}

# ---------------------------------------------------------------- ssh
lab_control_path() { echo "${LAB_SSH_CONTROL_PREFIX}%C"; }

lab_remove_ssh_include() {
  local cfg=$LAB_ROOT_SSH_CONFIG
  [[ -f $cfg ]] || return 0
  grep -qxF "$LAB_INCLUDE_BEGIN" "$cfg" || return 0
  local tmp; tmp=$(mktemp "$cfg.XXXXXX")
  awk -v b="$LAB_INCLUDE_BEGIN" -v e="$LAB_INCLUDE_END" '
    $0 == b { skip = 1; next }
    skip && $0 == e { skip = 0; next }
    !skip { print }' "$cfg" >"$tmp"
  chmod 600 "$tmp" && mv "$tmp" "$cfg"
  lab_log "removed the lab Include block from $cfg"
  [[ -s $cfg ]] || rm -f "$cfg"     # setup.sh created it empty
}

# Close lab ssh control masters (they would otherwise linger up to ControlPersist).
lab_close_ssh_masters() {
  local s
  for s in "$LAB_SSH_CONTROL_PREFIX"*; do
    [[ -S $s ]] || continue
    ssh -o ControlPath="$s" -O exit dummy >/dev/null 2>&1 || true
    rm -f "$s"
  done
}

# ---------------------------------------------------------------- iptables
lab_ipt_rule_present() { iptables -C "${LAB_IPT_RULE[@]}" >/dev/null 2>&1; }
lab_ipt_rule_remove() {
  local n=0
  while lab_ipt_rule_present && ((n++ < 10)); do
    iptables -D "${LAB_IPT_RULE[@]}" || { lab_warn "could not delete iptables rule ${LAB_IPT_RULE[*]}"; return 0; }
    lab_log "removed iptables rule: ${LAB_IPT_RULE[*]}"
  done
}

# ---------------------------------------------------------------- tearing a host down
# Remove every container, volume and user network on host i (if its engine answers).
lab_host_clean_containers() {
  local i=$1 ids
  lab_host_docker "$i" info >/dev/null 2>&1 || return 0
  ids=$(lab_host_docker "$i" ps -aq 2>/dev/null || true)
  if [[ -n $ids ]]; then
    lab_log "h$i: removing containers: $(lab_words "$ids")"
    # shellcheck disable=SC2086
    lab_host_docker "$i" rm -f -v $ids >/dev/null || lab_warn "h$i: could not remove every container"
  fi
  ids=$(lab_host_docker "$i" volume ls -q 2>/dev/null || true)
  if [[ -n $ids ]]; then
    lab_log "h$i: removing volumes: $(lab_words "$ids")"
    # shellcheck disable=SC2086
    lab_host_docker "$i" volume rm -f $ids >/dev/null || lab_warn "h$i: could not remove every volume"
  fi
  lab_host_docker "$i" network prune -f >/dev/null 2>&1 || true
}

# Ask host i's dockerd and sshd to stop, without waiting (so several hosts stop in parallel).
lab_host_signal() {
  local i=$1 pid
  # close our ssh control master to this host first (its session would linger in the namespace)
  ssh -o ControlPath="$(lab_control_path)" -O exit "$LAB_USER@$(lab_addr "$i")" >/dev/null 2>&1 || true
  if pid=$(lab_pid_alive "$(lab_dockerd_pidfile "$i")" dockerd); then
    lab_log "h$i: stopping dockerd (pid $pid)"; kill -TERM "$pid" 2>/dev/null || true
  fi
  if pid=$(lab_pid_alive "$(lab_sshd_pidfile "$i")" sshd); then
    lab_log "h$i: stopping sshd (pid $pid)"; kill -TERM "$pid" 2>/dev/null || true
  fi
}

# Stop host i's dockerd and sshd, kill whatever else still lives in its namespace, unmount and
# delete its state, delete the namespace and its veth.
lab_host_down() {
  local i=$1 ns; ns=$(lab_ns "$i")
  lab_stop_pidfile "$(lab_dockerd_pidfile "$i")" dockerd "h$i dockerd" 30
  lab_stop_pidfile "$(lab_sshd_pidfile "$i")" sshd "h$i sshd" 5
  if lab_ns_exists "$i"; then
    local pids pid
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [[ -n $pids ]]; then
      lab_warn "h$i: processes still in namespace $ns: $(for pid in $pids; do printf '%s(%s) ' "$pid" "$(cat "/proc/$pid/comm" 2>/dev/null)"; done)- stopping them"
      for pid in $pids; do lab_kill_pid "$pid" "h$i leftover pid $pid" 5; done
    fi
  fi
  local d m
  for d in "$(lab_execdir "$i")" "$(lab_datadir "$i")"; do
    # unmount leftovers (deepest first) so rm -rf cannot cross into a mounted filesystem
    while read -r m; do
      umount -l "$m" 2>/dev/null || lab_warn "h$i: could not unmount $m"
    done < <(awk -v d="$d" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r)
    rm -rf "$d" || lab_warn "h$i: could not remove $d"
  done
  rm -f "/run/docker-h$i.sock"
  if lab_ns_exists "$i"; then
    ip netns del "$ns" || lab_warn "h$i: could not delete namespace $ns"
  fi
  # deleting the namespace destroys the veth pair too, asynchronously: only a veth that is still there is news
  if ip link show "$(lab_veth "$i")" >/dev/null 2>&1; then
    ip link del "$(lab_veth "$i")" 2>/dev/null || ! ip link show "$(lab_veth "$i")" >/dev/null 2>&1 \
      || lab_warn "h$i: could not delete $(lab_veth "$i")"
  fi
}

# lab_hosts_remove I...: remove hosts completely: containers and volumes on all of them first, then
# their daemons (signalled together, so they stop in parallel), namespaces, veths and state.
lab_hosts_remove() {
  local i
  for i in "$@"; do lab_host_clean_containers "$i"; done
  for i in "$@"; do lab_host_signal "$i"; done
  for i in "$@"; do lab_log "h$i: removing"; lab_host_down "$i"; done
}

# Hosts among 1..LAB_MAX_HOSTS that are above $1 and left any trace.
lab_hosts_with_traces_above() {
  local i
  for ((i = $1 + 1; i <= LAB_MAX_HOSTS; i++)); do if lab_host_has_traces "$i"; then echo "$i"; fi; done
}
