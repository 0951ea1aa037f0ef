#!/usr/bin/env bash
# Bring the live-test lab up (idempotent; repairs a half-built lab). Run as root.
#   LAB_HOSTS=6            number of namespace Docker hosts h1..hN (1..9)
#   LAB_DIR=/var/lib/etcd-lab
# Writes $LAB_DIR/lab.json describing the lab. See README.md beside this file.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=images.sh
. "$HERE/images.sh"

lab_require_root
lab_validate_hosts

PACKAGES=(docker.io etcd-server etcd-client openssh-server openssh-client dnsmasq-base iproute2 iptables
          curl dnsutils jq busybox-static)

# ---------------------------------------------------------------- packages
install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then lab_log "all packages present"; return 0; fi
  lab_log "installing: ${missing[*]}"
  # Keep package scripts from starting services (etcd, ssh, docker) in the root namespace: we start our own.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# temporary, tests/live/lab/setup.sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local rc=0
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LAB_LOG_DIR/apt-install.log" 2>&1; } || rc=$?
  ((made_policy)) && rm -f "$policy"
  ((rc == 0)) || { tail -n 30 "$LAB_LOG_DIR/apt-install.log" >&2 || true; lab_die "apt-get install failed (rc=$rc)"; }
}

# ---------------------------------------------------------------- main engine
main_dockerd() {
  if lab_main_docker_ok; then lab_log "main dockerd already answers on $LAB_MAIN_DOCKER_HOST"; return 0; fi
  if pid=$(lab_pid_alive "$LAB_MAIN_DOCKERD_PIDFILE" dockerd); then
    lab_log "main dockerd (pid $pid) runs but does not answer yet: waiting"
    lab_wait 30 "main dockerd" lab_main_docker_ok && return 0
    lab_die "main dockerd (pid $pid) does not answer; see $LAB_MAIN_DOCKERD_LOG"
  fi
  rm -f "$LAB_MAIN_DOCKERD_PIDFILE"
  lab_log "starting main dockerd (log: $LAB_MAIN_DOCKERD_LOG)"
  setsid dockerd --pidfile "$LAB_MAIN_DOCKERD_PIDFILE" -H "$LAB_MAIN_DOCKER_HOST" \
    >>"$LAB_MAIN_DOCKERD_LOG" 2>&1 </dev/null &
  lab_wait 60 "main dockerd" lab_main_docker_ok || { tail -n 20 "$LAB_MAIN_DOCKERD_LOG" >&2; lab_die "main dockerd did not start"; }
}

# ---------------------------------------------------------------- network + hosts
network() {
  if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
    ip link add "$LAB_BRIDGE" type bridge
  fi
  ip -4 addr show dev "$LAB_BRIDGE" | grep -q "inet $LAB_BRIDGE_ADDR/$LAB_PREFIX" \
    || ip addr add "$LAB_BRIDGE_ADDR/$LAB_PREFIX" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
  # the root dockerd sets FORWARD's policy to DROP; with br_netfilter that also hits bridged host-to-host traffic
  if ! iptables -n -L DOCKER-USER >/dev/null 2>&1; then
    lab_warn "no iptables chain DOCKER-USER (main dockerd runs with --iptables=false?): not adding the hostbr rule"
  elif ! lab_ipt_rule_present; then
    iptables -I "${LAB_IPT_RULE[@]}"
    lab_log "added iptables rule: ${LAB_IPT_RULE[*]}"
  fi
  if [[ $(cat /proc/sys/net/ipv4/ip_forward) != 1 ]]; then
    sysctl -qw net.ipv4.ip_forward=1 || lab_warn "could not enable net.ipv4.ip_forward"
  fi
  local i
  for ((i = 1; i <= LAB_HOSTS; i++)); do host_net "$i"; done
}

host_net() {
  local i=$1 ns veth addr; ns=$(lab_ns "$i"); veth=$(lab_veth "$i"); addr=$(lab_addr "$i")
  lab_ns_exists "$i" || ip netns add "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    lab_log "h$i: creating its veth pair"
    ip link del "$veth" 2>/dev/null || true       # a stale half of an old pair
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$veth" master "$LAB_BRIDGE" up
  ip -n "$ns" -4 addr show dev eth0 | grep -q "inet $addr/$LAB_PREFIX" || ip -n "$ns" addr add "$addr/$LAB_PREFIX" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$LAB_BRIDGE_ADDR"
}

host_dockerd_ok() { lab_pid_alive "$(lab_dockerd_pidfile "$1")" dockerd "$(lab_ns "$1")" >/dev/null && lab_host_docker "$1" info >/dev/null 2>&1; }

start_host_dockerd() {
  local i=$1 pidfile pid; pidfile=$(lab_dockerd_pidfile "$i")
  if host_dockerd_ok "$i"; then return 1; fi     # 1 = nothing started
  if pid=$(lab_pid_alive "$pidfile" dockerd "$(lab_ns "$i")"); then
    if lab_wait 15 "h$i dockerd (pid $pid)" lab_host_docker "$i" info; then return 1; fi
    lab_warn "h$i dockerd (pid $pid) does not answer: restarting it"
  fi
  lab_stop_pidfile "$pidfile" dockerd "h$i dockerd" 20   # also drops a stale pid file
  mkdir -p "$(lab_datadir "$i")" "$(lab_execdir "$i")"
  lab_log "h$i: starting dockerd (log: $LAB_LOG_DIR/dockerd-h$i.log)"
  # nsenter --net, NOT `ip netns exec` (which remounts /sys: "Devices cgroup isn't mounted")
  setsid nsenter --net="/run/netns/$(lab_ns "$i")" dockerd \
    --data-root "$(lab_datadir "$i")" --exec-root "$(lab_execdir "$i")" --pidfile "$pidfile" \
    -H "$(lab_sock "$i")" --group "$LAB_USER" --bridge none --iptables=false --ip-masq=false \
    >>"$LAB_LOG_DIR/dockerd-h$i.log" 2>&1 </dev/null &
  return 0
}

host_dockerds() {
  local i started=()
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    if start_host_dockerd "$i"; then started+=("$i"); else lab_log "h$i: dockerd already up"; fi
  done
  for i in "${started[@]}"; do
    lab_wait 60 "h$i dockerd" host_dockerd_ok "$i" \
      || { tail -n 20 "$LAB_LOG_DIR/dockerd-h$i.log" >&2; lab_die "h$i dockerd did not start"; }
    lab_log "h$i: dockerd up"
  done
}

# The ssh hop's account (see LAB_USER in lib.sh); idempotent.
lab_account() {
  getent group "$LAB_USER" >/dev/null || groupadd --system "$LAB_USER"
  if ! getent passwd "$LAB_USER" >/dev/null; then
    useradd --system --gid "$LAB_USER" --shell /bin/sh --home-dir "$LAB_HOME" --no-create-home "$LAB_USER"
  fi
  # no password, but not locked: with UsePAM no, sshd refuses a locked ("!") account even for keys
  usermod -p '*' "$LAB_USER"
  install -d -m 700 -o "$LAB_USER" -g "$LAB_USER" "$LAB_HOME"
  # a dockerd started before the account existed (or by an older setup) made its socket root's: hand it over
  local i
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    [[ -S $(lab_sock_path "$i") ]] && chgrp "$LAB_USER" "$(lab_sock_path "$i")" && chmod 660 "$(lab_sock_path "$i")"
  done
  return 0
}

ssh_files() {
  [[ -s $LAB_SSH_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C etcd-lab -f "$LAB_SSH_KEY"
  [[ -s $LAB_SSH_HOST_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C etcd-lab-host -f "$LAB_SSH_HOST_KEY"
  install -m 600 -o "$LAB_USER" "$LAB_SSH_KEY.pub" "$LAB_AUTHORIZED_KEYS"
  cat >"$LAB_SSHD_CONFIG" <<EOF
# sshd for the etcd lab's namespace hosts (ListenAddress, PidFile, SetEnv come on the command line)
Port 22
HostKey $LAB_SSH_HOST_KEY
PermitRootLogin no
AllowUsers $LAB_USER
PubkeyAuthentication yes
AuthorizedKeysFile $LAB_AUTHORIZED_KEYS
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
X11Forwarding no
AllowTcpForwarding yes
MaxSessions 64
MaxStartups 64:30:256
Subsystem sftp internal-sftp
EOF
  chmod 600 "$LAB_SSHD_CONFIG"
  cat >"$LAB_SSH_CONFIG" <<EOF
# ssh client settings for the etcd lab's hosts (Included from $LAB_ROOT_SSH_CONFIG by setup.sh)
Host 10.77.0.*
  User $LAB_USER
  IdentityFile $LAB_SSH_KEY
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  BatchMode yes
  ConnectTimeout 10
  ControlMaster auto
  ControlPath $(lab_control_path)
  ControlPersist 60s
EOF
  chmod 644 "$LAB_SSH_CONFIG"
  # root's ssh (and so docker -H ssh://, and Pulumi's docker provider) must read it
  local cfg=$LAB_ROOT_SSH_CONFIG
  mkdir -p "$(dirname "$cfg")" && chmod 700 "$(dirname "$cfg")"
  [[ -e $cfg ]] || install -m 600 /dev/null "$cfg"
  local block
  block=$(printf '%s\nInclude %s\n%s' "$LAB_INCLUDE_BEGIN" "$LAB_SSH_CONFIG" "$LAB_INCLUDE_END")
  if ! grep -qxF "Include $LAB_SSH_CONFIG" "$cfg"; then
    lab_remove_ssh_include      # a block for another LAB_DIR
    local tmp; tmp=$(mktemp "$cfg.XXXXXX")
    { echo "$block"; cat "$cfg"; } >"$tmp" && chmod 600 "$tmp" && mv "$tmp" "$cfg"
    lab_log "added 'Include $LAB_SSH_CONFIG' at the top of $cfg"
  fi
  chmod 600 "$cfg"
}

ssh_ok() { ssh "$LAB_USER@$(lab_addr "$1")" true; }

host_sshd() {
  local i=$1 pidfile pid addr; pidfile=$(lab_sshd_pidfile "$i"); addr=$(lab_addr "$i")
  if pid=$(lab_pid_alive "$pidfile" sshd "$(lab_ns "$i")"); then
    # a running sshd keeps the settings it started with: restart it if the config changed since
    if ! cmp -s "$LAB_SSHD_CONFIG" "$LAB_DIR/.sshd_config.h$i.running"; then
      lab_log "h$i: sshd config changed: restarting sshd"
    elif ssh_ok "$i"; then
      return 0
    else
      lab_warn "h$i: sshd (pid $pid) does not let us in: restarting it"
    fi
  fi
  lab_stop_pidfile "$pidfile" sshd "h$i sshd" 5
  mkdir -p /run/sshd && chmod 755 /run/sshd
  lab_log "h$i: starting sshd on $addr:22 (log: $LAB_LOG_DIR/sshd-h$i.log)"
  setsid nsenter --net="/run/netns/$(lab_ns "$i")" /usr/sbin/sshd -D -f "$LAB_SSHD_CONFIG" \
    -o "ListenAddress=$addr" -o "PidFile=$pidfile" -o "SetEnv=DOCKER_HOST=$(lab_sock "$i")" \
    -E "$LAB_LOG_DIR/sshd-h$i.log" </dev/null >/dev/null 2>&1 &
  cp "$LAB_SSHD_CONFIG" "$LAB_DIR/.sshd_config.h$i.running"
}

host_sshds() {
  ssh_files
  local i
  for ((i = 1; i <= LAB_HOSTS; i++)); do host_sshd "$i"; done
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    lab_wait 20 "ssh to h$i" ssh_ok "$i" || { tail -n 20 "$LAB_LOG_DIR/sshd-h$i.log" >&2; lab_die "cannot ssh to $(lab_addr "$i")"; }
  done
}

prune_extra_hosts() {
  local extra
  extra=$(lab_hosts_with_traces_above "$LAB_HOSTS")
  [[ -n $extra ]] || return 0
  lab_log "hosts beyond LAB_HOSTS=$LAB_HOSTS: $(lab_words "$extra"): removing them"
  # shellcheck disable=SC2086
  lab_hosts_remove $extra
}

# ---------------------------------------------------------------- images on hosts + checks
check_hosts() {
  local i url root want images s
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    url=$(lab_ssh_url "$i"); want=$(lab_datadir "$i")
    root=$(docker -H "$url" info --format '{{.DockerRootDir}}') || lab_die "docker -H $url info failed"
    [[ $root == "$want" ]] || lab_die "docker -H $url reached an engine with DockerRootDir $root, not $want (sshd SetEnv?)"
    images=$(docker -H "$url" image ls --format '{{.Repository}}:{{.Tag}}')
    for s in "${IMAGE_KEYS[@]}"; do
      grep -qxF "${IMAGE_TAG[$s]}" <<<"$images" || lab_die "$url does not list ${IMAGE_TAG[$s]}"
    done
    lab_log "h$i: $url -> DockerRootDir $root; images: $(lab_words "$images")"
  done
  # the root namespace reaches every host directly over hostbr
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    ssh_ok "$i" || lab_die "cannot reach $(lab_addr "$i") over ssh"
  done
}

write_json() {
  local i hosts=()
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    hosts+=("$(jq -n --arg name "$(lab_ns "$i")" --arg address "$(lab_addr "$i")" --arg dockerHost "$(lab_ssh_url "$i")" \
      --arg socket "$(lab_sock "$i")" '{name: $name, address: $address, dockerHost: $dockerHost, socket: $socket}')")
  done
  local tmp; tmp=$(mktemp "$LAB_JSON.XXXXXX")
  printf '%s\n' "${hosts[@]}" | jq -s \
    --arg local "$LAB_MAIN_DOCKER_HOST" --argjson images "$(images_json)" \
    --arg key "$LAB_SSH_KEY" --arg cfg "$LAB_SSH_CONFIG" --arg user "$LAB_USER" \
    '{hosts: ., localDockerHost: $local, images: $images, sshKey: $key, sshConfig: $cfg, sshUser: $user}' >"$tmp"
  chmod 644 "$tmp" && mv "$tmp" "$LAB_JSON"
  lab_log "wrote $LAB_JSON"
}

# ---------------------------------------------------------------- main
T0=$(lab_now)
# 711: the ssh account's sshd must reach authorized_keys and its home inside; nobody else may list it
mkdir -p "$LAB_DIR" "$LAB_LOG_DIR" && chmod 711 "$LAB_DIR"
lab_log "setup: LAB_HOSTS=$LAB_HOSTS LAB_DIR=$LAB_DIR"
lab_phase "packages"           install_packages
lab_phase "main dockerd"       main_dockerd
lab_phase "etcd images (Debian)"      build_deb_images
lab_phase "etcd images (Go modules)"  build_module_images
lab_phase "prune extra hosts"  prune_extra_hosts
lab_phase "network"            network
lab_phase "ssh account"        lab_account       # before the dockerds: their sockets' group
lab_phase "host dockerds"      host_dockerds
lab_phase "host sshds"         host_sshds
lab_phase "images on hosts"    load_images
lab_phase "check via ssh"      check_hosts
lab_phase "lab.json"           write_json
cat "$LAB_JSON"
lab_print_timings "$T0"
lab_log "lab is up: $LAB_HOSTS host(s); see $LAB_JSON"
