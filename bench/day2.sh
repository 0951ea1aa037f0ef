#!/usr/bin/env bash
# Runs bench/day2.ts (compiled by bench/run.sh) on the live lab (root; needs 4 lab hosts). Removes every
# `bench-d2-` container and volume before and after (also when node dies), nothing else.
set -euo pipefail
lab_json=${LAB_JSON:-/var/lib/etcd-lab/lab.json}
[ -f "$lab_json" ] || { echo "no lab ($lab_json): run 'npm run lab:up' first" >&2; exit 1; }

remove_day2_objects() {
  for h in $(node -e 'for (const h of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).hosts) console.log(h.dockerHost)' "$lab_json"); do
    c=$(docker -H "$h" ps -a --format '{{.Names}}' | grep '^bench-d2-' || true)
    [ -z "$c" ] || docker -H "$h" rm -f -v $c >/dev/null || true
    v=$(docker -H "$h" volume ls --format '{{.Name}}' | grep '^bench-d2-' || true)
    [ -z "$v" ] || docker -H "$h" volume rm -f $v >/dev/null || true
  done
}

trap 'rc=$?; remove_day2_objects; exit $rc' EXIT
trap 'exit 130' INT TERM
remove_day2_objects
node "$BENCH_BUILD_DIR/bench/day2.js" "$@"
