#!/usr/bin/env bash
# Compiles bench/*.ts (and what they import) into a temp dir and runs one benchmark driver with node.
#   bash bench/run.sh cost     # program cost under mocks (no root, no lab)   = npm run bench
#   bash bench/run.sh live     # time to healthy + throughput on the live lab  = npm run bench:live
#   bash bench/run.sh day2     # scale-out, rolling change vs all at once (lab) = npm run bench:day2
#   bash bench/run.sh backup   # snapshot and restore time vs data size (lab)   = npm run bench:backup
# Benchmarks print a markdown table on stdout (progress on stderr); they assert nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${BENCH_BUILD_DIR:-/tmp/etcd-bench-build-$(id -u)}
what=${1:?usage: bench/run.sh cost|live|day2}
shift
rm -rf "$out"
"$root/node_modules/.bin/tsc" -p "$here/tsconfig.json" --outDir "$out" >&2
# The compiled files live outside the repo: let node find the repo's node_modules.
export NODE_PATH="$root/node_modules${NODE_PATH:+:$NODE_PATH}"
# The real engine's CLI and plugins, found from the repo since the compiled files live elsewhere.
export ETCD_TOOLCHAIN_DIR="$root/.toolchain"
export BENCH_BUILD_DIR="$out" BENCH_ROOT="$root"
case $what in
  cost) exec node "$out/bench/cost.js" "$@" ;;
  live) exec bash "$here/live.sh" "$@" ;;
  day2) exec bash "$here/day2.sh" "$@" ;;
  backup) exec bash "$here/backup.sh" "$@" ;;
  *) echo "unknown benchmark: $what (cost|live|day2|backup)" >&2; exit 2 ;;
esac
