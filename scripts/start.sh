#!/usr/bin/env bash
# npm start: the whole local stack in one command — Node packages when missing, Postgres, Redis
# and Kafka (scripts/infra.sh), every subgraph and the router compiled and started, and the demo catalog.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x node_modules/.bin/tsx ] || npm install --no-audit --no-fund
bash scripts/infra.sh up
eval "$(bash scripts/infra.sh env)"
# The stack runs the compiled services (dist/), as production does; the build takes seconds.
node_modules/.bin/tsx scripts/build.ts
# The storefront's static assets (Vite, about a second); web/serve.mjs serves them with /graphql proxied.
npm run --silent build -w web -- --logLevel warn
exec node_modules/.bin/tsx scripts/dev-stack.ts up
