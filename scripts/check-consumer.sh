#!/usr/bin/env bash
# What a user gets from `npm install <this package>`: packs it (which runs `prepare`, the build), installs the
# tarball into an empty project, and type-checks tests/consumer/program.ts there, importing "etcd-cluster" by name.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
# The listing first: grep -q would stop reading early, and with pipefail tar's SIGPIPE would fail the check.
listing=$(tar -tzf "$work/$tarball")
case $listing in *package/bin/components/index.d.ts*) ;; *) echo "the packed package has no bin/components/index.d.ts" >&2; exit 1 ;; esac
cp tests/consumer/program.ts tests/consumer/tsconfig.json "$work/"
cd "$work"
printf '{ "name": "consumer", "private": true }\n' >package.json
# Install scripts stay off (npm's default for dependencies): the provider plugins come with the Pulumi CLI.
npm install --prefer-offline --no-audit --no-fund --ignore-scripts "./$tarball" "@types/node@^20" >npm-install.log 2>&1 ||
  { cat npm-install.log >&2; echo "npm install of the packed package failed" >&2; exit 1; }
"$OLDPWD/node_modules/.bin/tsc" -p tsconfig.json
echo "consumer program type-checks against the packed $tarball"
# The scripts' decisions run from the file the package ships, byte for byte the source (tsc would reformat it), and a
# script made by the installed package finds and runs it.
cmp node_modules/etcd-cluster/bin/components/plan/decide.js "$OLDPWD/components/plan/decide.js"
fixture="$OLDPWD/tests/unit/plan/etcdctl-json/3.7.4-member-list-voters.json"
decided=$(node -e 'process.stdout.write(require("etcd-cluster/bin/components/scripts/shell").decideFunction())' >decide.sh &&
  sh -c '. ./decide.sh; decide self "@$1" http://capjson-n2:2380' sh "$fixture")
case $decided in *" started voter") echo "the installed package's scripts decide with its shipped decide.js ($decided)" ;;
  *) echo "a script of the installed package could not run its decisions: $decided" >&2; exit 1 ;; esac
