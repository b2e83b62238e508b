#!/usr/bin/env bash
# Prints the path of a Chromium for the browser specs, installing Debian's `chromium` package when
# none is there (as root; `apt-get update` only then). CHROMIUM_PATH, when set, is used as is.
# Log of an install: $INFRA_DIR/apt.log (default .local/apt.log).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -n "${CHROMIUM_PATH:-}" ]; then echo "$CHROMIUM_PATH"; exit 0; fi
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing; install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
log=${INFRA_DIR:-$PWD/.local}/apt.log
mkdir -p "$(dirname "$log")"
echo "==> installing chromium (apt) for the browser specs; log: $log" >&2
# Serialized with scripts/infra.sh's installs: dpkg takes one install at a time.
{
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
} >>"$log" 2>&1 || { echo "apt-get install chromium failed; last lines of $log:" >&2; tail -20 "$log" >&2; exit 1; }
command -v chromium
