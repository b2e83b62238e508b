#!/usr/bin/env bash
# Installs the deployment check's tools into .local/tools, each at a pinned version, idempotently:
#   helm        go install helm.sh/helm/v4/cmd/helm        (Go module proxy)
#   kubeconform go install github.com/yannh/kubeconform/cmd/kubeconform
#   checkov     a Python venv with checkov and its dependencies pinned in checkov-requirements.txt (PyPI)
#
#   scripts/deploy/tools.sh [helm] [kubeconform] [checkov]    # no argument: all three
#
# A tool is installed only when its binary is missing or its stamp (.local/tools/bin/.<tool>.version)
# names another version. Prints nothing when everything is current.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${TOOLS_DIR:-$ROOT/.local/tools}"
BIN="$TOOLS/bin"
export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="-buildvcs=false"
export GOTOOLCHAIN=local

HELM_VERSION=v4.3.2
KUBECONFORM_VERSION=v0.8.0
CHECKOV_VERSION=3.3.30
CHECKOV_REQUIREMENTS="$ROOT/scripts/deploy/checkov-requirements.txt"

current() { # tool version
  [ -x "$BIN/$1" ] && [ "$(cat "$BIN/.$1.version" 2>/dev/null)" = "$2" ]
}

go_tool() { # tool module version ldflags
  current "$1" "$3" && return 0
  echo "==> installing $1 $3" >&2
  mkdir -p "$BIN"
  GOBIN="$BIN" nice -n 10 go install -ldflags "$4" "$2@$3"
  echo "$3" >"$BIN/.$1.version"
}

checkov() {
  # The stamp also covers the requirements file, so a changed pin reinstalls.
  local stamp venv
  stamp="$CHECKOV_VERSION $(sha256sum "$CHECKOV_REQUIREMENTS" | cut -c1-16)"
  venv="$TOOLS/checkov-venv"
  current checkov "$stamp" && return 0
  echo "==> installing checkov $CHECKOV_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$CHECKOV_REQUIREMENTS"
  grep -qx "$CHECKOV_VERSION" <<<"$("$venv/bin/checkov" --version)" ||
    { echo "checkov: expected $CHECKOV_VERSION, got $("$venv/bin/checkov" --version)" >&2; exit 1; }
  mkdir -p "$BIN"
  ln -sf "$venv/bin/checkov" "$BIN/checkov"
  echo "$stamp" >"$BIN/.checkov.version"
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(helm kubeconform checkov)
for tool in "${tools[@]}"; do
  case "$tool" in
    # helm reads its version from -X helm.sh/helm/v4/internal/version.version (else "main").
    helm) go_tool helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION" "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" ;;
    kubeconform) go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" "-s -w -X main.version=$KUBECONFORM_VERSION" ;;
    checkov) checkov ;;
    *) echo "scripts/deploy/tools.sh: unknown tool '$tool' (helm, kubeconform, checkov)" >&2; exit 2 ;;
  esac
done
