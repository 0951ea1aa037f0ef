#!/usr/bin/env bash
# Runs bench/backup.ts (compiled by bench/run.sh) on the live lab (root; 3 lab hosts). Removes every `bench-d2-`
# container and volume before and after (also when node dies), nothing else.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
trap 'rc=$?; remove_objects bench-d2-; exit $rc' EXIT
trap 'exit 130' INT TERM
remove_objects bench-d2-
node "$BENCH_BUILD_DIR/bench/backup.js" "$@"
