#!/usr/bin/env bash
# The main job: deploy the `dev` stack (three etcd members on the local Docker engine) with the Pulumi CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pulumi >/dev/null || { echo "the Pulumi CLI is not installed: https://www.pulumi.com/docs/iac/download-install/" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "no Docker engine answers at the local socket: start Docker first" >&2; exit 1; }
npm ci --no-audit --no-fund
# A local state backend, unless the user is already logged in somewhere.
pulumi whoami >/dev/null 2>&1 || pulumi login --local
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
pulumi stack select --create dev
pulumi up --yes --stack dev "$@"
pulumi stack output --stack dev healthReport
