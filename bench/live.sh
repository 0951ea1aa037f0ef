#!/usr/bin/env bash
# Runs bench/live.ts (compiled by bench/run.sh) on the live lab. Needs root (the lab is root's).
# Brings the lab to 5 hosts for the 5-member runs (BENCH_LAB_HOSTS, default 5) and puts it back to the
# number of hosts it had before on exit. Removes every `bench-` container and volume before and after.
set -euo pipefail
root=${BENCH_ROOT:?run through bench/run.sh}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
want=${BENCH_LAB_HOSTS:-5}
had=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).hosts.length)' "$lab_json")

remove_bench_objects() { remove_objects bench-; }

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
