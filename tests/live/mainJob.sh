#!/usr/bin/env bash
# The main job as a user runs it, under the real Pulumi CLI: `npm run deploy:dev` on the lab machine's local Docker
# engine, then the README's follow-up block ("Quickstart on the local engine") exactly as printed, line by line,
# which ends with `npm run destroy:dev`. The only differences from a user's machine: the provider plugins come from
# the project's PULUMI_HOME (no download), the state goes to a temporary file backend, and the etcd image is the
# lab's build of the default line (no registry to pull from). Needs the lab (its lab.json) and tools/toolchain.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
lab=${LAB_JSON:-/var/lib/etcd-lab/lab.json}
image=$(jq -er '.images["3.6"]' "$lab") || { echo "mainJob.sh: $lab has no 3.6 image: run tests/live/lab/setup.sh" >&2; exit 1; }
state=$(mktemp -d)
export PULUMI_BACKEND_URL="file://$state" PULUMI_HOME="$PWD/.toolchain/pulumi-home"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_IGNORE_AMBIENT_PLUGINS=true PULUMI_SKIP_UPDATE_CHECK=true

# This job owns the dev stack (cluster etcd-dev) of the engine it runs on; CI machines are reused, so what a run
# that failed half-way left is removed first, and a run that fails here takes down what it made.
remove_dev_stack() {
  docker ps -aq --filter label=etcd-cluster.cluster=etcd-dev | xargs -r docker rm -f >/dev/null
  docker volume ls -q --filter label=etcd-cluster.cluster=etcd-dev | xargs -r docker volume rm >/dev/null
}
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "mainJob.sh: failed (exit $rc): destroying the dev stack and removing its containers and volumes" >&2
    npm run destroy:dev >/dev/null 2>&1 || true
    remove_dev_stack || true
    git checkout -q -- stacks/ || true
  fi
  rm -rf "$state"
}
trap on_exit EXIT
leftovers=$(docker ps -aq --filter label=etcd-cluster.cluster=etcd-dev; docker volume ls -q --filter label=etcd-cluster.cluster=etcd-dev)
[ -z "$leftovers" ] || { echo "mainJob.sh: removing a dev stack an earlier run left on this engine: $(echo $leftovers)"; remove_dev_stack; }

ETCD_IMAGE="$image" npm run deploy:dev

# The block right after the "Quickstart on the local engine" heading, as the README prints it.
awk '/^## Quickstart on the local engine/ { on = 1 } on && /^```bash$/ { block = 1; next } block && /^```$/ { exit } block { print }' \
  README.md >"$state/follow-up.sh"
grep -q 'destroy:dev' "$state/follow-up.sh" || { echo "mainJob.sh: the README's follow-up block was not found or lost its teardown" >&2; exit 1; }
echo "--- the README's follow-up commands:"
cat "$state/follow-up.sh"
echo "---"
bash -euo pipefail -x "$state/follow-up.sh"

# Torn down: no member container is left (the data volumes stay, as the README says; remove them here), and the
# stack's committed config is still there.
# The one change allowed: the `encryptionsalt:` line that Pulumi's passphrase secrets provider adds to a new stack's
# config file (https://www.pulumi.com/docs/iac/concepts/secrets/#passphrase), as it does in every user's checkout.
changes=$(git diff -U0 -- stacks/ | grep -E '^[-+]' | grep -vE '^(\+\+\+|---) ' | grep -vE '^\+encryptionsalt: ' || true)
[ -z "$changes" ] && [ -z "$(git status --porcelain --untracked-files=no -- stacks/ | grep -v '^ M')" ] ||
  { echo "mainJob.sh: the main job changed or removed files under stacks/: $(git status --short stacks/) $changes" >&2; exit 1; }
git checkout -q -- stacks/
left=$(docker ps -aq --filter label=etcd-cluster.cluster=etcd-dev)
[ -z "$left" ] || { echo "mainJob.sh: npm run destroy:dev left containers: $left" >&2; exit 1; }
kept=$(docker volume ls -q --filter label=etcd-cluster.cluster=etcd-dev | wc -l)
[ "$kept" -eq 3 ] || { echo "mainJob.sh: npm run destroy:dev should keep the 3 data volumes, found $kept" >&2; exit 1; }
remove_dev_stack
echo "main job: deployed, checked with the README's commands, destroyed"
