#!/usr/bin/env bash
# npm stop: stops the application processes, then the infrastructure (data is kept under .local/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node_modules/.bin/tsx scripts/dev-stack.ts down
bash scripts/infra.sh down
