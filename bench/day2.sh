#!/usr/bin/env bash
# Runs bench/day2.ts (compiled by bench/run.sh) on the live lab (root; needs 4 lab hosts). Removes every
# `bench-d2-` container and volume before and after (also when node dies), nothing else.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
remove_day2_objects() { remove_objects bench-d2-; }

trap 'rc=$?; remove_day2_objects; exit $rc' EXIT
trap 'exit 130' INT TERM
remove_day2_objects
node "$BENCH_BUILD_DIR/bench/day2.js" "$@"
