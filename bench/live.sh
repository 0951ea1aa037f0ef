#!/usr/bin/env bash
# Runs bench/live.ts (compiled by bench/run.sh) on the live lab. Needs root (the lab is root's).
# Brings the lab to 5 hosts for the 5-member runs (BENCH_LAB_HOSTS, default 5) and puts it back to the
# number of hosts it had before on exit. Removes every `bench-` container and volume before and after.
set -euo pipefail
root=${BENCH_ROOT:?run through bench/run.sh}
lab_json=${LAB_JSON:-/var/lib/etcd-lab/lab.json}
[ -f "$lab_json" ] || { echo "no lab ($lab_json): run 'npm run lab:up' first" >&2; exit 1; }
want=${BENCH_LAB_HOSTS:-5}
had=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).hosts.length)' "$lab_json")

remove_bench_objects() {
  for h in $(node -e 'for (const h of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).hosts) console.log(h.dockerHost)' "$lab_json"); do
    c=$(docker -H "$h" ps -a --format '{{.Names}}' | grep '^bench-' || true)
    [ -z "$c" ] || docker -H "$h" rm -f -v $c >/dev/null || true
    v=$(docker -H "$h" volume ls --format '{{.Name}}' | grep '^bench-' || true)
    [ -z "$v" ] || docker -H "$h" volume rm -f $v >/dev/null || true
  done
}

restore() {
  rc=$?
  remove_bench_objects
  if [ "$want" != "$had" ]; then
    echo "[bench] putting the lab back to $had hosts" >&2
    LAB_HOSTS=$had bash "$root/tests/live/lab/setup.sh" >&2 || rc=1
  fi
  exit $rc
}

if [ "$want" != "$had" ]; then
  echo "[bench] lab has $had hosts: bringing it to $want for the 5-member runs" >&2
  LAB_HOSTS=$want bash "$root/tests/live/lab/setup.sh" >&2
fi
trap restore EXIT
trap 'exit 130' INT TERM
remove_bench_objects
node "$BENCH_BUILD_DIR/bench/live.js" "$@"
