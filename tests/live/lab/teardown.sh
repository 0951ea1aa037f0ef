#!/usr/bin/env bash
# Tear the live-test lab down (tolerates a half-built lab). Run as root.
#   LAB_DIR=/var/lib/etcd-lab
#   LAB_PURGE_IMAGES=1   also remove the built local/etcd images from the main engine and all of $LAB_DIR
#   LAB_STOP_DOCKERD=1   also stop the main dockerd
# Every lab host h1..h5 that left a trace is removed, whatever LAB_HOSTS was at setup.
set -uo pipefail     # no -e: go on past failures, but say so (lab_warn)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

lab_require_root

hosts() {
  local found
  found=$(lab_hosts_with_traces_above 0)
  if [[ -z $found ]]; then lab_log "no lab hosts found"; else lab_log "lab hosts found: $(lab_words "$found")"; fi
  lab_close_ssh_masters
  # shellcheck disable=SC2086
  lab_hosts_remove $found
}

network() {
  if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
    ip link del "$LAB_BRIDGE" && lab_log "removed bridge $LAB_BRIDGE" || lab_warn "could not delete bridge $LAB_BRIDGE"
  fi
  if command -v iptables >/dev/null; then lab_ipt_rule_remove; fi
}

files() {
  lab_remove_ssh_include
  lab_close_ssh_masters
  rm -f "$LAB_JSON" "$LAB_SSH_CONFIG" "$LAB_SSHD_CONFIG" "$LAB_DIR"/.sshd_config.h*.running
  if getent passwd "$LAB_USER" >/dev/null; then userdel "$LAB_USER" && lab_log "removed account $LAB_USER"; fi
  if getent group "$LAB_USER" >/dev/null; then groupdel "$LAB_USER" || true; fi
  rm -rf "$LAB_HOME"
}

images() {
  if [[ ${LAB_PURGE_IMAGES:-0} == 1 ]]; then
    if lab_main_docker_ok; then
      local tags
      tags=$(docker images --filter "label=$LAB_IMAGE_LABEL=1" --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>')
      if [[ -n $tags ]]; then
        lab_log "removing images: $(lab_words "$tags")"
        # shellcheck disable=SC2086
        docker rmi $tags >/dev/null || lab_warn "could not remove every lab image"
      fi
    else
      lab_warn "main dockerd does not answer: lab images not removed"
    fi
    rm -rf "$LAB_DIR" && lab_log "removed $LAB_DIR"
  else
    lab_log "keeping lab images and $LAB_DIR (keys, build cache); LAB_PURGE_IMAGES=1 removes them"
  fi
}

main_dockerd() {
  if [[ ${LAB_STOP_DOCKERD:-0} == 1 ]]; then
    lab_stop_main_dockerd
  else
    lab_log "leaving the main dockerd running; LAB_STOP_DOCKERD=1 stops it"
  fi
}

T0=$(lab_now)
lab_log "teardown: LAB_DIR=$LAB_DIR"
lab_phase "hosts (containers first)" hosts
lab_phase "network"              network
lab_phase "files + ssh config"   files
lab_phase "images"               images
lab_phase "main dockerd"         main_dockerd
lab_print_timings "$T0"
lab_log "lab is down"
