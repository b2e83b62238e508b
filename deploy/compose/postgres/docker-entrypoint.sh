#!/usr/bin/env bash
# `postgres [ARGS]`: creates the cluster in PGDATA on the first start (superuser POSTGRES_USER,
# default postgres, with POSTGRES_PASSWORD; scram-sha-256 over TCP from anywhere, trust on the
# container's own Unix socket), then runs the server as PID 1 listening on every address. Anything
# else is run as given.
set -euo pipefail
if [ "${1:-}" != postgres ]; then exec "$@"; fi
shift
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  trap - EXIT
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  echo "docker-entrypoint: created the cluster in $PGDATA"
fi
exec postgres -c listen_addresses='*' "$@"
