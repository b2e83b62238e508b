#!/usr/bin/env bash
# Builds Kubernetes components from the Go module proxy into .local/k8s/bin, each at a pinned version.
#
#   scripts/k8s/build.sh etcd kube-apiserver        # what `npm run check:deploy` needs
#   scripts/k8s/build.sh all                        # every component below
#   FORCE=1 scripts/k8s/build.sh kube-apiserver     # rebuild even when the binary is current
#
# One throwaway Go module per project and version under .local/k8s/build/<project>-<version>/ (a go.mod
# that requires the project at its pinned version and replaces its sibling/staging modules with their
# published versions, a tools.go importing the commands, a go.sum from `go mod tidy`). A component is
# rebuilt only when its binary is missing or its stamp (.local/k8s/bin/.<component>.version) names another
# version, so a second run takes a second; Go's build cache (~/.cache/go-build) makes a rebuild in a fresh
# clone quick too. Each binary built is also kept in a cache for the whole machine (K8S_BIN_CACHE, default
# ~/.cache/shop-platform/k8s-bin/<component>-<version>-<go version>), so a fresh clone (every CI run) copies
# it instead of linking it again. Versions are set with -ldflags -X, so `kube-apiserver --version` says v1.37.2.
#
# Adding a component: a line in COMPONENTS (component -> project and Go package) and, for a new project,
# a <project>_module function writing its go.mod + tools.go and a <project>_ldflags function.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
K8S_DIR="${K8S_DIR:-$ROOT/.local/k8s}"
BIN="$K8S_DIR/bin"
BUILD="$K8S_DIR/build"
K8S_BIN_CACHE="${K8S_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform/k8s-bin}"
export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="-buildvcs=false"
export GOTOOLCHAIN=local
# Two cores shared with other work: one build at a time, at a lower priority. Runs of this script
# (check:deploy and the cluster may start one each) take turns on a lock, so two never build the
# same binary into the same file at once.
NICE=(nice -n 10)
mkdir -p "$K8S_DIR"
exec 9>"$K8S_DIR/.build.lock"
flock 9

# Pinned versions. Kubernetes' 31 staging modules are published as v0.<minor>.<patch>.
KUBERNETES_VERSION=v1.37.2
KUBERNETES_STAGING_VERSION="v0.${KUBERNETES_VERSION#v1.}"
ETCD_VERSION=v3.7.3
CONTAINERD_VERSION=v2.4.2
COREDNS_VERSION=v1.15.0
METRICS_SERVER_VERSION=v0.8.0
GO_DIRECTIVE=1.26.0
# A fixed build date keeps builds reproducible (same inputs, same binary).
BUILD_DATE=2026-01-01T00:00:00Z

# component  project     package
COMPONENTS="
kube-apiserver          kubernetes  k8s.io/kubernetes/cmd/kube-apiserver
kube-controller-manager kubernetes  k8s.io/kubernetes/cmd/kube-controller-manager
kube-scheduler          kubernetes  k8s.io/kubernetes/cmd/kube-scheduler
kubelet                 kubernetes  k8s.io/kubernetes/cmd/kubelet
kube-proxy              kubernetes  k8s.io/kubernetes/cmd/kube-proxy
kubectl                 kubernetes  k8s.io/kubernetes/cmd/kubectl
etcd                    etcd        go.etcd.io/etcd/server/v3
etcdctl                 etcd        go.etcd.io/etcd/etcdctl/v3
containerd              containerd  github.com/containerd/containerd/v2/cmd/containerd
containerd-shim-runc-v2 containerd  github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2
ctr                     containerd  github.com/containerd/containerd/v2/cmd/ctr
coredns                 coredns     github.com/coredns/coredns
metrics-server          metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server
"

project_version() {
  case "$1" in
    kubernetes) echo "$KUBERNETES_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    containerd) echo "$CONTAINERD_VERSION" ;;
    coredns) echo "$COREDNS_VERSION" ;;
    metrics-server) echo "$METRICS_SERVER_VERSION" ;;
  esac
}

# tools.go importing every package of a project, so one go.sum covers all its components.
write_tools_go() { # dir project
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    awk -v p="$2" 'NF == 3 && $2 == p { printf "\t_ \"%s\"\n", $3 }' <<<"$COMPONENTS"
    printf ')\n'
  } >"$1/tools.go"
}

kubernetes_module() { # dir
  local gomod
  gomod="$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/go.mod"
  [ -f "$gomod" ] || (cd "$1" && go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION")
  {
    printf 'module shop.local/k8s-build/kubernetes\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' \
      "$GO_DIRECTIVE" "$KUBERNETES_VERSION"
    # k8s.io/kubernetes requires its staging modules at v0.0.0 (replaced by ./staging in its own tree).
    grep -E '^\s+k8s.io/[a-z0-9-]+ v0.0.0$' "$gomod" |
      awk -v v="$KUBERNETES_STAGING_VERSION" '{ printf "\t%s => %s %s\n", $1, $1, v }'
    printf ')\n'
  } >"$1/go.mod"
}

etcd_module() { # dir
  {
    printf 'module shop.local/k8s-build/etcd\n\ngo %s\n\nrequire (\n' "$GO_DIRECTIVE"
    printf '\tgo.etcd.io/etcd/server/v3 %s\n\tgo.etcd.io/etcd/etcdctl/v3 %s\n)\n\nreplace (\n' "$ETCD_VERSION" "$ETCD_VERSION"
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3 server/v3 etcdctl/v3; do
      printf '\tgo.etcd.io/etcd/%s => go.etcd.io/etcd/%s %s\n' "$m" "$m" "$ETCD_VERSION"
    done
    printf ')\n'
  } >"$1/go.mod"
}

containerd_module() { # dir
  printf 'module shop.local/k8s-build/containerd\n\ngo %s\n\nrequire github.com/containerd/containerd/v2 %s\n' \
    "$GO_DIRECTIVE" "$CONTAINERD_VERSION" >"$1/go.mod"
}

# CoreDNS and metrics-server have no replace directives: requiring them alone gives their own go.mod's versions.
coredns_module() { # dir
  printf 'module shop.local/k8s-build/coredns\n\ngo %s\n\nrequire github.com/coredns/coredns %s\n' \
    "$GO_DIRECTIVE" "$COREDNS_VERSION" >"$1/go.mod"
}

metrics-server_module() { # dir
  printf 'module shop.local/k8s-build/metrics-server\n\ngo %s\n\nrequire sigs.k8s.io/metrics-server %s\n' \
    "$GO_DIRECTIVE" "$METRICS_SERVER_VERSION" >"$1/go.mod"
}

kubernetes_ldflags() {
  local minor="${KUBERNETES_VERSION#v1.}" flags="-s -w"
  minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    flags+=" -X $p.gitTreeState=clean -X $p.buildDate=$BUILD_DATE"
  done
  echo "$flags"
}
etcd_ldflags() { echo "-s -w"; } # etcd's version is a constant of go.etcd.io/etcd/api/v3/version
containerd_ldflags() { echo "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION"; }
# CoreDNS's version is a constant (coremain.CoreVersion); gitTag makes `coredns -version` print it as a release.
coredns_ldflags() {
  echo "-s -w -X github.com/coredns/coredns/coremain.gitTag=$COREDNS_VERSION -X github.com/coredns/coredns/coremain.buildDate=$BUILD_DATE"
}
# What metrics-server's Makefile sets (its --version prints client-go's gitVersion).
metrics-server_ldflags() {
  echo "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION -X k8s.io/client-go/pkg/version.buildDate=$BUILD_DATE"
}
# The btrfs snapshotter needs cgo and btrfs headers; overlayfs is what a node here uses.
build_tags() { [ "$1" = containerd ] && echo no_btrfs || true; }
# CoreDNS and metrics-server run in pods from images that hold only their binary: static, as upstream
# builds them (CGO_ENABLED=0). Everything else keeps Go's default.
build_cgo() { case "$1" in coredns | metrics-server) echo 0 ;; *) go env CGO_ENABLED ;; esac; }

# The project's module directory, created and tidied once per version.
module_dir() { # project
  local dir
  dir="$BUILD/$1-$(project_version "$1")"
  if [ ! -f "$dir/go.sum" ] || [ ! -f "$dir/tools.go" ]; then
    mkdir -p "$dir"
    "$1_module" "$dir"
    write_tools_go "$dir" "$1"
    echo "==> go mod tidy ($1 $(project_version "$1"))" >&2
    (cd "$dir" && "${NICE[@]}" go mod tidy) >&2
  fi
  echo "$dir"
}

build() { # component
  local line project package version dir stamp t0 cached
  line="$(awk -v c="$1" 'NF == 3 && $1 == c' <<<"$COMPONENTS")"
  if [ -z "$line" ]; then
    echo "scripts/k8s/build.sh: unknown component '$1' (known: all $(awk 'NF == 3 { printf "%s ", $1 }' <<<"$COMPONENTS"))" >&2
    exit 2
  fi
  read -r _ project package <<<"$line"
  version="$(project_version "$project")"
  stamp="$BIN/.$1.version"
  mkdir -p "$BIN" "$K8S_BIN_CACHE"
  cached="$K8S_BIN_CACHE/$1-$version-$(go env GOVERSION)"
  if [ "${FORCE:-0}" != 1 ] && [ -x "$BIN/$1" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    # A checkout's current binary fills the machine's cache when it lacks it.
    [ -x "$cached" ] || { cp "$BIN/$1" "$cached.tmp.$$" && mv "$cached.tmp.$$" "$cached"; }
    return 0
  fi
  if [ "${FORCE:-0}" != 1 ] && [ -x "$cached" ]; then
    cp "$cached" "$BIN/$1.tmp"
    mv "$BIN/$1.tmp" "$BIN/$1"
    echo "$version" >"$stamp"
    return 0
  fi
  dir="$(module_dir "$project")"
  echo "==> building $1 $version" >&2
  t0=$SECONDS
  (cd "$dir" && CGO_ENABLED="$(build_cgo "$project")" "${NICE[@]}" go build -tags "$(build_tags "$project")" -ldflags "$("${project}_ldflags")" \
    -o "$BIN/$1.tmp" "$package")
  cp "$BIN/$1.tmp" "$cached.tmp.$$"
  mv "$cached.tmp.$$" "$cached"
  mv "$BIN/$1.tmp" "$BIN/$1"
  echo "$version" >"$stamp"
  echo "    $1 built in $((SECONDS - t0)) s" >&2
}

[ $# -gt 0 ] || { echo "usage: scripts/k8s/build.sh <component...|all>" >&2; exit 2; }
components=("$@")
[ "$1" = all ] && read -r -a components <<<"$(awk 'NF == 3 { printf "%s ", $1 }' <<<"$COMPONENTS")"
for c in "${components[@]}"; do build "$c"; done
