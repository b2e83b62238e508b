#!/usr/bin/env bash
# npm test: every check and every test, on the real local infrastructure.
#   1. Node packages when missing; Postgres, Redis and Kafka via scripts/infra.sh (reused if up)
#   2. schema check (composition, drift, client contract), generated resolver types up to date,
#      lint, type check, formatting; then every service compiled (npm run build)
#   3. jest: unit specs, then e2e specs (real servers on real Postgres, Redis and Kafka), then the
#      totals and the ten slowest spec files and tests (scripts/test-summary.mjs)
#   4. npm run test:cluster: the chart on the local single-node Kubernetes (Linux as root; elsewhere
#      it prints why it is skipped). A cluster this run started is stopped afterwards (cluster:down,
#      which proves nothing is left); one that was already up stays up.
# Extra arguments go to jest (e.g. `npm test -- subgraphs/auth`), which then skips steps 2 and 4.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x node_modules/.bin/tsx ] || npm install --no-audit --no-fund
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/infra.sh up
eval "$(bash scripts/infra.sh env)"

if [ $# -eq 0 ]; then
  echo '==> schema check'; npm run --silent check:schema
  echo '==> generated resolver types'; npm run --silent check:codegen
  echo '==> lint'; npm run --silent lint
  echo '==> type check'; npm run --silent typecheck
  echo '==> formatting'; npm run --silent format:check
  echo '==> workflows'; npm run --silent check:workflows
  echo '==> images and compose files'; npm run --silent check:images
  echo '==> deploy'; npm run --silent check:deploy
  echo '==> monitoring'; npm run --silent check:monitoring
fi

# The stack specs run the compiled services, as production does.
echo '==> build'; npm run --silent build
echo '==> tests'
results=$(mktemp)
status=0
NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning" \
  node node_modules/jest/bin/jest.js --maxWorkers=2 --json --outputFile="$results" "$@" || status=$?
node scripts/test-summary.mjs "$results" || status=1
rm -f "$results"

if [ $# -eq 0 ]; then
  echo '==> cluster'
  cluster_was_up=0
  bash scripts/k8s/cluster.sh status >/dev/null 2>&1 && cluster_was_up=1
  npm run --silent test:cluster || status=1
  if [ "$cluster_was_up" = 0 ] && [ -d .local/k8s/cluster ]; then
    bash scripts/k8s/cluster.sh down || status=1
  fi
fi
exit $status
