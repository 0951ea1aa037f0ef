#!/usr/bin/env bash
# Shared by the live benchmark wrappers (sourced): the lab file, and removing a benchmark's containers and volumes.
lab_json=${LAB_JSON:-/var/lib/etcd-lab/lab.json}
[ -f "$lab_json" ] || { echo "no lab ($lab_json): run 'npm run lab:up' first" >&2; exit 1; }

# remove_objects <name prefix>: every container (with its anonymous volumes) and volume of that prefix, on every lab host.
remove_objects() {
  local prefix=$1 h c v
  for h in $(node -e 'for (const h of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).hosts) console.log(h.dockerHost)' "$lab_json"); do
    c=$(docker -H "$h" ps -a --format '{{.Names}}' | grep "^$prefix" || true)
    [ -z "$c" ] || docker -H "$h" rm -f -v $c >/dev/null || true
    v=$(docker -H "$h" volume ls --format '{{.Name}}' | grep "^$prefix" || true)
    [ -z "$v" ] || docker -H "$h" volume rm -f $v >/dev/null || true
  done
}
