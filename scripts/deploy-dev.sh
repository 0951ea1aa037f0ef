#!/usr/bin/env bash
# The main job: deploy the `dev` stack (three etcd members on the local Docker engine) with the Pulumi CLI, or
# with --destroy take it down again. Every prerequisite is checked first and all that are missing are listed, one
# line each with its fix; then the npm dependencies, a local state backend if you are logged in nowhere, and
# `pulumi up` through scripts/dev.js. Afterwards .dev/env holds what the follow-up commands need in your shell.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "deploy:dev: $*"; }
fail() { echo "deploy:dev: $*" >&2; exit 1; }
op=up
case "${1:-}" in --destroy) op=destroy; shift ;; esac

# Where a Pulumi CLI can be: on PATH, Pulumi's installer's folder, or built from its Go module (tools/toolchain.sh).
export PATH="$PATH:$HOME/.pulumi/bin:$PWD/.toolchain/bin"
[ -x .toolchain/node/bin/node ] && export PATH="$PWD/.toolchain/node/bin:$PATH"

missing=()
if ! command -v docker >/dev/null 2>&1; then
  missing+=("the docker CLI is not installed: install Docker (https://docs.docker.com/engine/install/)")
elif ! docker info >/dev/null 2>&1; then
  missing+=("no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}: start Docker (or fix DOCKER_HOST)")
fi
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  missing+=("Node.js 22 or newer is needed (found: $(node --version 2>/dev/null || echo none)): install it (https://nodejs.org/en/download) or run 'bash tools/toolchain.sh node'")
fi
command -v npm >/dev/null 2>&1 || missing+=("npm is not installed: it comes with Node.js (https://nodejs.org/en/download)")
if ! command -v pulumi >/dev/null 2>&1; then
  missing+=("the Pulumi CLI is not installed: install it (https://www.pulumi.com/docs/iac/download-install/) or build it from its Go module with 'bash tools/toolchain.sh pulumi'")
fi
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "deploy:dev: $m" >&2; done
  exit 1
fi

if [ "$op" = up ]; then
  say "installing the npm dependencies and building the program (npm ci)"
  npm ci --no-audit --no-fund >/dev/null || fail "npm ci failed: run it by hand to see why (the npm registry must be reachable)"
fi

# A local state backend in ~/.pulumi, unless the user is already logged in somewhere.
if ! pulumi whoami >/dev/null 2>&1; then
  say "logging in to a local state backend (pulumi login --local: state in $HOME/.pulumi)"
  pulumi login --local >/dev/null || fail "pulumi login --local failed"
fi
# Secrets in a local stack are encrypted with this passphrase; empty unless the user sets one.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

# What the README's next commands need in the user's shell: `. .dev/env`.
mkdir -p .dev
{
  echo "# written by npm run deploy:dev: the Pulumi CLI and the state passphrase of the dev stack"
  printf 'export PATH=%q:"$PATH"\n' "$(dirname "$(command -v pulumi)")"
  printf 'export PULUMI_CONFIG_PASSPHRASE=%q\n' "$PULUMI_CONFIG_PASSPHRASE"
  [ -n "${PULUMI_HOME:-}" ] && printf 'export PULUMI_HOME=%q\n' "$PULUMI_HOME"
  true
} >.dev/env

if [ "$op" = destroy ]; then
  node scripts/dev.js destroy dev || fail "pulumi destroy failed (its output above says why): run 'npm run destroy:dev' again"
  # --preserve-config: without it stack rm deletes stacks/Pulumi.dev.yaml, the committed config of the stack.
  pulumi stack rm dev --yes --preserve-config >/dev/null || fail "the stack is empty but 'pulumi stack rm dev --yes --preserve-config' failed"
  say "the dev stack is gone; its data volumes are kept (docker volume ls --filter label=etcd-cluster.cluster=etcd-dev)"
  exit 0
fi
if ! node scripts/dev.js up dev; then
  echo "deploy:dev: pulumi up failed (its output above says why). The stack dev may now hold part of the cluster:" \
    "fix the cause and run 'npm run deploy:dev' again, or remove what was created with 'npm run destroy:dev'" \
    "(data volumes are kept unless dataVolumes.onDestroy is \"delete\")" >&2
  exit 1
fi
say "done; in your shell: . .dev/env && pulumi stack output clientEndpoints (the README lists what else to try)"
