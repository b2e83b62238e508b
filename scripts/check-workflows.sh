#!/usr/bin/env bash
# npm run check:workflows: actionlint over the GitHub Actions workflows (.github/workflows/*.yml, or the
# files given), with shellcheck on every `run:` script. Any finding fails it.
#
# actionlint is built from the Go module proxy at a pinned version into .local/tools/bin, once (a stamp,
# .local/tools/bin/.actionlint.version, names the version built); shellcheck is Debian's package, installed
# with apt when it is missing and we run as root (as scripts/infra.sh installs Redis).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${TOOLS_DIR:-$ROOT/.local/tools}/bin"
export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="-buildvcs=false"
export GOTOOLCHAIN=local

ACTIONLINT_VERSION=v1.7.12
SHELLCHECK_PACKAGE=shellcheck=0.9.0-1   # Debian 12's

if [ ! -x "$BIN/actionlint" ] || [ "$(cat "$BIN/.actionlint.version" 2>/dev/null)" != "$ACTIONLINT_VERSION" ]; then
  echo "==> installing actionlint $ACTIONLINT_VERSION" >&2
  mkdir -p "$BIN"
  GOBIN="$BIN" nice -n 10 go install -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "$ACTIONLINT_VERSION" >"$BIN/.actionlint.version"
fi

if ! command -v shellcheck >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || { echo "shellcheck is missing; install it with: sudo apt-get install -y shellcheck" >&2; exit 1; }
  echo "==> installing $SHELLCHECK_PACKAGE (apt)" >&2
  mkdir -p "$ROOT/.local"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$SHELLCHECK_PACKAGE"; } \
    >>"$ROOT/.local/apt.log" 2>&1 || { tail -n 20 "$ROOT/.local/apt.log" >&2; exit 1; }
fi

cd "$ROOT"
# No argument: actionlint finds .github/workflows itself.
exec "$BIN/actionlint" -shellcheck "$(command -v shellcheck)" -pyflakes= "$@"
