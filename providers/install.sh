#!/usr/bin/env bash
# Compiles the provider plugins of this package (providers/*) and installs them where the Pulumi engine finds
# them without a download: $PULUMI_HOME/plugins/resource-<name>-v<version>/pulumi-resource-<name>, each a
# script that runs the compiled plugin on the Node that installed it. The versions are those the SDK packages
# ask for (node_modules/@pulumi/<name>/package.json, field `pulumi.version`); a plugin that says another
# version fails the install. Idempotent: run it again after any change under providers/.
#
#   providers/install.sh [PULUMI_HOME]     (default: $PULUMI_HOME, else .toolchain/pulumi-home)
#   NODE=/path/to/node providers/install.sh (default: .toolchain/node/bin/node, else node on PATH)
#
# The engine then needs PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true and PULUMI_IGNORE_AMBIENT_PLUGINS=true
# so that it neither downloads the real plugins nor takes others from PATH.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${1:-${PULUMI_HOME:-$root/.toolchain/pulumi-home}}
# The Node that tools/toolchain.sh installed where the machine's is older than 22, else the one on PATH.
default_node=$root/.toolchain/node/bin/node
[ -x "$default_node" ] || default_node=$(command -v node || echo node)
node=${NODE:-$default_node}
out=$root/.toolchain/providers
[ -x "$node" ] || { echo "install.sh: no node at $node (set NODE)" >&2; exit 1; }
node=$(cd "$(dirname "$node")" && pwd)/$(basename "$node")
mkdir -p "$home" && home=$(cd "$home" && pwd)

# The plugins' entries and what they import (providers/tsconfig.json `files`); tsc reports on stdout.
if ! tsc_out=$("$node" "$root/node_modules/typescript/bin/tsc" -p "$root/providers/tsconfig.json"); then
  echo "install.sh: the provider plugins do not compile:" >&2
  echo "$tsc_out" >&2
  exit 1
fi

for name in command docker random tls; do
  version=$("$node" -p "require('$root/node_modules/@pulumi/$name/package.json').pulumi.version")
  main=$out/$name/main.js
  said=$("$node" -e "const m = require('$main'); console.log(m.${name}Plugin().version)")
  if [ "$said" != "$version" ]; then
    echo "install.sh: the $name plugin says version $said, @pulumi/$name asks for $version" >&2
    exit 1
  fi
  dir=$home/plugins/resource-$name-v$version
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.pulumi-resource-$name.XXXXXX")
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node" "$main" > "$tmp"
  chmod 755 "$tmp"
  mv -f "$tmp" "$dir/pulumi-resource-$name"
  rm -f "$dir.partial"
  echo "installed resource-$name-v$version in $home/plugins"
done
