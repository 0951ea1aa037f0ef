#!/usr/bin/env bash
# The main job: deploy the `dev` stack (three etcd members on the local Docker engine) with the Pulumi CLI.
# Everything a new machine with Docker needs: the Pulumi CLI (installed into ~/.pulumi with Pulumi's official
# installer when missing), the npm dependencies, a local state backend, the stack. Each failure is one line saying
# why and what to do.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "deploy:dev: $*"; }
fail() { echo "deploy:dev: $*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || fail "the docker CLI is not installed: install Docker (https://docs.docker.com/engine/install/) and run again"
docker info >/dev/null 2>&1 || fail "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}: start Docker (or fix DOCKER_HOST) and run again"

export PATH="$HOME/.pulumi/bin:$PATH"
if ! command -v pulumi >/dev/null 2>&1; then
  say "the Pulumi CLI is missing: installing it into $HOME/.pulumi with Pulumi's installer (https://get.pulumi.com, see https://www.pulumi.com/docs/iac/download-install/); your shell profile is left as it is"
  installer=$(mktemp)
  trap 'rm -f "$installer"' EXIT
  curl -fsSL --max-time 60 https://get.pulumi.com -o "$installer" ||
    fail "cannot download Pulumi's installer from https://get.pulumi.com (no network, or a proxy in the way): install the Pulumi CLI by hand and run again"
  sh "$installer" --install-root "$HOME/.pulumi" --no-edit-path >/dev/null ||
    fail "Pulumi's installer failed: run 'curl -fsSL https://get.pulumi.com | sh' by hand to see why"
  say "installed $(pulumi version) at $HOME/.pulumi/bin/pulumi (add it to your PATH to use pulumi directly)"
fi

say "installing the npm dependencies (npm ci)"
npm ci --no-audit --no-fund >/dev/null || fail "npm ci failed: run it by hand to see why (the npm registry must be reachable)"

# A local state backend in ~/.pulumi, unless the user is already logged in somewhere.
if ! pulumi whoami >/dev/null 2>&1; then
  say "logging in to a local state backend (pulumi login --local: state in $HOME/.pulumi)"
  pulumi login --local >/dev/null || fail "pulumi login --local failed"
fi
# Secrets in a local stack are encrypted with this passphrase; empty unless the user sets one.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
pulumi stack select --create dev >/dev/null || fail "cannot select or create the stack dev (pulumi stack select --create dev)"

if ! pulumi up --yes --stack dev "$@"; then
  echo "deploy:dev: pulumi up failed (its output above says why). The stack dev may now hold part of the cluster:" \
    "fix the cause and run 'npm run deploy:dev' again, or remove what was created with" \
    "'pulumi destroy --stack dev --yes' (data volumes are kept unless dataVolumes.onDestroy is \"delete\") and 'pulumi stack rm dev --yes'" >&2
  exit 1
fi
pulumi stack output --stack dev healthReport
