#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, for trying the chart with its pods running
# (`npm run cluster:up` / `npm run cluster:down`). Linux, as root.
#
#   scripts/k8s/cluster.sh up             build once, start everything (or reuse what runs), wait for the
#                                          Node to be Ready and CoreDNS to answer
#   scripts/k8s/cluster.sh down [--purge] stop everything and undo every host change, then prove nothing
#                                          is left (exit 1 naming what is); safe to run twice. --purge also
#                                          deletes the cached PKI and images
#   scripts/k8s/cluster.sh status         each component, its pid and RSS, and the node's total (exit 3 when down)
#   scripts/k8s/cluster.sh env            export lines: eval "$(scripts/k8s/cluster.sh env)" for kubectl and helm
#   scripts/k8s/cluster.sh load-images [image...]   podman's localhost/shop-* images (or those named) into
#                                          the node's containerd
#   scripts/k8s/cluster.sh infra up|down|status|env   scripts/infra.sh's Postgres (15432), Redis (16379) and
#                                          Kafka (19094) also on the bridge address, for the chart's
#                                          external values (ci/cluster-values.yaml); down stops it too
#   scripts/k8s/cluster.sh smoke          a restricted namespace: a Deployment Ready behind its readiness probe,
#                                          its Service answered by name from another pod, a root pod refused,
#                                          a forwarded packet dropped by the guard
#
# What runs: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy
# (Kubernetes v1.37.2), containerd v2.4.2 with Debian's runc, CoreDNS v1.15.0 and metrics-server v0.8.0
# as Deployments; the binaries come from scripts/k8s/build.sh (Go module proxy, pinned) into
# .local/k8s/bin, built once.
# The pause, CoreDNS and metrics-server images are made here from local files (pause.c of the kubernetes module, the
# CoreDNS binary) and imported into containerd: nothing is ever pulled.
#
# Network, all on this machine: the control plane on loopback, the bridge shopbr0 (10.244.0.1/24, the
# node's address; pods get 10.244.0.0/24 from host-local IPAM, Services 10.96.0.0/24, DNS 10.96.0.10).
# Pods have no default route: only the bridge's subnet and the Service range via the bridge address. The
# nft table `inet shop_cluster_guard` drops anything forwarded between the bridge and any other
# interface (its counters show it) and anything reaching the API server's port from another interface.
#
# What this changes on the host, all undone by `down`: the bridge, the nft table, the kubelet's and
# kube-proxy's iptables chains, a cgroup /shop-cluster in every cgroup v1 hierarchy, the sysctls the
# kubelet sets (saved first, restored), /run/shop-cluster, and /run/containerd, /var/log/containers and
# /var/log/pods when they did not exist before. Cluster state (etcd, the kubelet's folder, pod logs) is
# thrown away at `down`; the binaries, the PKI, the images and containerd's image store stay cached
# under .local/k8s, so the next `up` takes seconds. Logs: .local/k8s/cluster/logs/<component>.log; the
# step times of the last `up`: .local/k8s/cluster/logs/up-times.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
K8S_DIR=$ROOT/.local/k8s
BIN=$K8S_DIR/bin
STATE=$K8S_DIR/cluster
PKI=$STATE/pki
LOGS=$STATE/logs
PIDS=$STATE/pids
IMAGES=$STATE/images
MANIFESTS=$ROOT/scripts/k8s/manifests
RUN=/run/shop-cluster
CONTAINERD_SOCK=$RUN/containerd/containerd.sock

NODE=shop-cluster
BRIDGE=shopbr0
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/24
KUBERNETES_SERVICE_IP=10.96.0.1
DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
API_PORT=6443
# Not etcd's default ports, so this cluster never meets another etcd on this machine.
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
CGROUP_ROOT=/shop-cluster
GUARD_TABLE=shop_cluster_guard

KUBERNETES_VERSION=v1.37.2
PAUSE_VERSION=3.10.2 # build/pause/Makefile's TAG in k8s.io/kubernetes v1.37.2
PAUSE_IMAGE=localhost/shop-cluster-pause:$PAUSE_VERSION
COREDNS_IMAGE=localhost/shop-cluster-coredns:1.15.0
METRICS_SERVER_IMAGE=localhost/shop-cluster-metrics-server:0.8.0

COMPONENTS="etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy"
BINARIES="$COMPONENTS etcdctl kubectl containerd-shim-runc-v2 ctr coredns metrics-server"
# Sysctls the kubelet sets when protectKernelDefaults is false, and the two the pods' network needs.
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
kernel.keys.root_maxbytes net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables
net.bridge.bridge-nf-call-ip6tables net.ipv4.conf.all.route_localnet"
# Host folders the kubelet and containerd's shims create at fixed paths.
HOST_DIRS="/run/containerd /var/log/containers /var/log/pods"

export PATH="$BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export KUBECONFIG=$STATE/admin.kubeconfig

# ---------------------------------------------------------------- helpers

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'cluster: ERROR: %s\n' "$*" >&2
  exit 1
}
T0=$(date +%s%N)
elapsed() { # seconds since this script began, to a tenth
  local ds=$((($(date +%s%N) - T0) / 100000000))
  printf '%d.%d' $((ds / 10)) $((ds % 10))
}
mark() { # a step of `up`, with the seconds since it began
  local line
  line=$(printf '%6s s  %s' "$(elapsed)" "$*")
  echo "$line" >>"$LOGS/up-times.txt"
  say "$line"
}

# die, showing the end of a component's log.
die_log() {
  local log=$LOGS/$1.log
  [ -s "$log" ] && { printf -- '--- last 30 lines of %s ---\n' "$log" >&2; tail -n 30 "$log" >&2; }
  die "$2"
}

wait_for() { # seconds component what command...
  local secs=$1 component=$2 what=$3
  shift 3
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ -z "$component" ] || running "$component" || die_log "$component" "$component exited while waiting for: $what"
    ((SECONDS < end)) || die_log "${component:-up}" "no $what within ${secs} s"
    sleep 0.25
  done
  mark "$what"
}

# Only replaces a file whose content changed: kube-proxy exits when its config file is merely touched,
# and a config hash that stays the same lets a running component be reused.
write_file() { # path < content
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

pid_of() { [ -s "$PIDS/$1.pid" ] && cat "$PIDS/$1.pid"; }
# The executable of a live process (a zombie has none); " (deleted)" once its binary was rebuilt.
exe_of() {
  local exe
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
  echo "${exe% (deleted)}"
}
alive() { exe_of "$1" >/dev/null; }
# Our component runs: the pid in its file is alive and is still our binary (not a reused pid).
running() {
  local pid
  pid=$(pid_of "$1") || return 1
  [ "$(exe_of "$pid")" = "$BIN/$1" ]
}

# Starts a component detached (own session, survives the calling shell) unless it already runs with the
# same command line and config files; a changed one is restarted.
start() { # component [config files...] -- args...
  local name=$1 configs=() want
  shift
  while [ "$1" != -- ]; do configs+=("$1"); shift; done
  shift
  want=$( { printf '%s\n' "$@"; cat "${configs[@]}" 2>/dev/null; } | sha256sum | cut -d' ' -f1)
  if running "$name"; then
    if [ "$(cat "$PIDS/$name.sha256" 2>/dev/null)" = "$want" ]; then
      mark "$name already runs (pid $(pid_of "$name")), reused"
      return 0
    fi
    say "$name: its command line or config changed, restarting it"
    stop_component "$name" 30
  fi
  # 9>&-: the lock must not be inherited by a daemon.
  setsid "$BIN/$name" "$@" >"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  local pid=$! end=$((SECONDS + 5))
  echo "$pid" >"$PIDS/$name.pid"
  echo "$want" >"$PIDS/$name.sha256"
  # Until the forked shell has exec'd the binary, the pid is not yet "$name" (running would say no).
  while alive "$pid" && ! running "$name" && ((SECONDS < end)); do sleep 0.05; done
  mark "started $name (pid $pid)"
}

stop_component() { # component [timeout secs]
  local name=$1 secs=${2:-20} pid end
  if running "$name"; then
    pid=$(pid_of "$name")
    kill -TERM "$pid" 2>/dev/null || true
    end=$((SECONDS + secs))
    while alive "$pid" && ((SECONDS < end)); do sleep 0.2; done
    if alive "$pid"; then
      say "$name (pid $pid) did not stop within $secs s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$PIDS/$name.pid" "$PIDS/$name.sha256"
}

ctr_() { timeout 30 "$BIN/ctr" --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 600 9 || die "another scripts/k8s/cluster.sh still runs (lock $STATE/.lock)"
}

APT_UPDATED=
ensure_package() { # file package
  [ -e "$1" ] && return 0
  say "installing Debian's $2 (for $1)"
  mkdir -p "$LOGS"
  if [ -z "$APT_UPDATED" ]; then
    apt-get update >>"$LOGS/apt.log" 2>&1 || die_log apt "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >>"$LOGS/apt.log" 2>&1 ||
    die_log apt "apt-get install $2 failed"
  [ -e "$1" ] || die "installed $2 but $1 is still missing"
}

# ---------------------------------------------------------------- binaries and images

build_binaries() {
  local missing=() b
  for b in $BINARIES; do [ -x "$BIN/$b" ] || missing+=("$b"); done
  ((${#missing[@]} == 0)) || say "building ${missing[*]} (once; a cold build takes minutes)"
  # Also checks the version stamps, so a pinned version change rebuilds: a second per binary otherwise.
  # shellcheck disable=SC2086
  bash "$ROOT/scripts/k8s/build.sh" $BINARIES >>"$LOGS/build.log" 2>&1 || die_log build "scripts/k8s/build.sh failed"
}

# A docker-archive image (what `docker save` writes, and what `ctr images import` reads) of one layer: the
# folder $2, owned by root, with fixed timestamps, so the same inputs give the same image digest.
image_archive() { # name:tag rootfs-dir entrypoint-json out.tar
  local ref=$1 rootfs=$2 entrypoint=$3 out=$4 work layer diff config
  work=$(mktemp -d)
  tar -C "$rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$work/layer.tar" .
  diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  layer=$diff/layer.tar
  mkdir -p "$work/$diff" && mv "$work/layer.tar" "$work/$layer"
  jq -n --arg diff "sha256:$diff" --argjson entrypoint "$entrypoint" '{
    architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
    config: { Entrypoint: $entrypoint, Env: ["PATH=/"], User: "65532:65532" },
    rootfs: { type: "layers", diff_ids: [$diff] },
    history: [{ created: "1970-01-01T00:00:00Z", created_by: "scripts/k8s/cluster.sh" }]
  }' >"$work/config.json"
  config=$(sha256sum "$work/config.json" | cut -d' ' -f1).json
  mv "$work/config.json" "$work/$config"
  jq -n --arg config "$config" --arg ref "$ref" --arg layer "$layer" \
    '[{ Config: $config, RepoTags: [$ref], Layers: [$layer] }]' >"$work/manifest.json"
  tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# The sandbox (pause) image from pause.c of the pinned kubernetes module, CoreDNS's and metrics-server's
# from their binaries.
# Rebuilt only when an input changed (its hash is kept beside the archive).
build_images() {
  mkdir -p "$IMAGES"
  local src rootfs
  src="$(/usr/local/go/bin/go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/build/pause/linux/pause.c"
  [ -f "$src" ] || die "$src is missing (scripts/k8s/build.sh downloads the kubernetes module)"
  if ! sha256sum "$src" | cmp -s - "$IMAGES/pause.inputs"; then
    ensure_package /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
    rootfs=$(mktemp -d)
    gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-shop" -o "$rootfs/pause" "$src"
    strip "$rootfs/pause"
    image_archive "$PAUSE_IMAGE" "$rootfs" '["/pause"]' "$IMAGES/pause.tar"
    rm -rf "$rootfs"
    sha256sum "$src" >"$IMAGES/pause.inputs"
  fi
  if ! sha256sum "$BIN/coredns" | cmp -s - "$IMAGES/coredns.inputs"; then
    rootfs=$(mktemp -d)
    cp "$BIN/coredns" "$rootfs/coredns"
    image_archive "$COREDNS_IMAGE" "$rootfs" '["/coredns"]' "$IMAGES/coredns.tar"
    rm -rf "$rootfs"
    sha256sum "$BIN/coredns" >"$IMAGES/coredns.inputs"
  fi
  if ! sha256sum "$BIN/metrics-server" | cmp -s - "$IMAGES/metrics-server.inputs"; then
    rootfs=$(mktemp -d)
    cp "$BIN/metrics-server" "$rootfs/metrics-server"
    image_archive "$METRICS_SERVER_IMAGE" "$rootfs" '["/metrics-server"]' "$IMAGES/metrics-server.tar"
    rm -rf "$rootfs"
    sha256sum "$BIN/metrics-server" >"$IMAGES/metrics-server.inputs"
  fi
}

# Imports an archive into the node's containerd unless that image is there with the same digest.
import_image() { # ref archive
  local want have
  want=$(sha256sum "$2" | cut -d' ' -f1)
  have=$(cat "$IMAGES/.imported.$(echo "$1" | tr '/:' '__')" 2>/dev/null || true)
  if [ "$want" = "$have" ] && grep -qxF "$1" <<<"$(ctr_ images ls -q 2>/dev/null)"; then return 0; fi
  ctr_ images import --platform linux/amd64 "$2" >>"$LOGS/images.log" 2>&1 || die_log images "ctr images import $2 failed"
  echo "$want" >"$IMAGES/.imported.$(echo "$1" | tr '/:' '__')"
}

# ---------------------------------------------------------------- PKI and kubeconfigs

# A certificate signed by a CA of $PKI.
cert() { # name subject eku [subjectAltName] [ca]
  local name=$1 subject=$2 eku=$3 san=${4:-} ca=${5:-ca} dir=$6
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/$name.key" \
    -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
  {
    echo 'basicConstraints=CA:FALSE'
    echo 'keyUsage=critical,digitalSignature,keyEncipherment'
    echo "extendedKeyUsage=$eku"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial \
    -days 3650 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

ca() { # name cn dir
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$3/$1.key" \
    -out "$3/$1.crt" -days 3650 -subj "/CN=$2" 2>/dev/null
}

# Users with a static bearer token (--token-auth-file): the admin, the controller manager, the scheduler,
# the node and kube-proxy, each with the name and groups RBAC and the Node authorizer expect.
TOKEN_USERS="admin,admin,system:masters
system:kube-controller-manager,kube-controller-manager,
system:kube-scheduler,kube-scheduler,
system:node:$NODE,node,system:nodes
system:kube-proxy,kube-proxy,"

# Made once, into a temporary folder renamed into place, so $PKI is either absent or complete.
ensure_pki() {
  [ -f "$PKI/complete" ] && return 0
  rm -rf "$PKI"
  local dir user uid groups
  dir=$(mktemp -d "$STATE/pki.tmp.XXXXXX")
  ca ca shop-cluster-ca "$dir"
  ca front-proxy-ca shop-cluster-front-proxy-ca "$dir"
  cert apiserver /CN=kube-apiserver serverAuth \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP" \
    ca "$dir"
  # The API server's client certificate for logs, exec and port-forward through the kubelet (RBAC role
  # system:kubelet-api-admin, bound after start); the kubelet's serving certificate for its node IP.
  cert apiserver-kubelet-client /CN=kube-apiserver-kubelet-client clientAuth "" ca "$dir"
  cert kubelet "/CN=system:node:$NODE" serverAuth "DNS:$NODE,IP:$NODE_IP" ca "$dir"
  # The aggregation layer (metrics-server): the API server proxies as front-proxy-client.
  cert front-proxy-client /CN=front-proxy-client clientAuth "" front-proxy-ca "$dir"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/sa.key" 2>/dev/null
  openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  while IFS=, read -r user uid groups; do
    printf '%s,%s,%s%s\n' "$(openssl rand -hex 24)" "$user" "$uid" "${groups:+,\"$groups\"}"
  done <<<"$TOKEN_USERS" >"$dir/tokens.csv"
  chmod 600 "$dir"/*.key "$dir/tokens.csv"
  touch "$dir/complete"
  mv "$dir" "$PKI"
}

kubeconfig() { # file user server
  local token
  token=$(awk -F, -v u="$2" '$2 == u { print $1 }' "$PKI/tokens.csv")
  write_file "$STATE/$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: $NODE
    cluster:
      server: ${3:-https://127.0.0.1:$API_PORT}
      certificate-authority: $PKI/ca.crt
users:
  - name: $2
    user:
      token: $token
contexts:
  - name: $NODE
    context: { cluster: $NODE, user: $2 }
current-context: $NODE
EOF
  chmod 600 "$STATE/$1"
}

write_kubeconfigs() {
  kubeconfig admin.kubeconfig admin
  kubeconfig controller-manager.kubeconfig system:kube-controller-manager
  kubeconfig scheduler.kubeconfig system:kube-scheduler
  kubeconfig kubelet.kubeconfig "system:node:$NODE"
  kubeconfig kube-proxy.kubeconfig system:kube-proxy
}

# ---------------------------------------------------------------- host changes

prepare_host() {
  local key h
  # Saved once, before anything changes them; a crashed `up` keeps the first (original) values.
  if [ ! -f "$STATE/sysctl.saved" ]; then
    for key in $SYSCTLS; do echo "$key=$(sysctl -n "$key")"; done >"$STATE/sysctl.saved.tmp"
    mv "$STATE/sysctl.saved.tmp" "$STATE/sysctl.saved"
  fi
  # Pod -> Service -> pod on the same bridge is routed by the host (ip_forward) through kube-proxy's
  # iptables DNAT (bridge-nf-call-iptables).
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1

  for h in $HOST_DIRS; do [ -e "$h" ] || touch "$STATE/created$(echo "$h" | tr / .)"; done
  [ -f "$STATE/netns.before" ] || { ls /run/netns 2>/dev/null || true; } >"$STATE/netns.before"

  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    touch "$STATE/bridge.created"
  fi
  grep -qF "inet $NODE_IP/24" <<<"$(ip -4 addr show dev "$BRIDGE")" || ip addr add "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  # The guard: before any pod exists, and before the API server listens on every address (it takes a
  # single --bind-address; loopback and the bridge are the only interfaces let through to it).
  if ! nft list table inet "$GUARD_TABLE" >/dev/null 2>&1; then
    nft -f - <<EOF
table inet $GUARD_TABLE {
  chain forward_guard {
    type filter hook forward priority -10; policy accept;
    iifname "$BRIDGE" oifname != "$BRIDGE" counter drop comment "from a pod to another interface"
    oifname "$BRIDGE" iifname != "$BRIDGE" counter drop comment "from another interface to a pod"
  }
  chain input_guard {
    type filter hook input priority -10; policy accept;
    iifname != { "lo", "$BRIDGE" } ip daddr $POD_CIDR counter drop comment "to the node's address from elsewhere"
    iifname != { "lo", "$BRIDGE" } tcp dport $API_PORT counter drop comment "API server: loopback and bridge only"
  }
}
EOF
  fi

  # The kubelet's cgroupRoot, in every cgroup v1 hierarchy (cgroupfs driver); a child cpuset needs its
  # parent's cpus and mems.
  for h in /sys/fs/cgroup/*/; do
    h=${h%/}
    if [ "$h" != /sys/fs/cgroup/unified ] && mountpoint -q "$h"; then mkdir -p "$h$CGROUP_ROOT"; fi
  done
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.mems"
  # Pods that resolve through the node (dnsPolicy Default, i.e. CoreDNS itself) find no resolver: no
  # query leaves the machine.
  write_file "$STATE/resolv.conf" <<<'nameserver 127.0.0.1'
}

# ---------------------------------------------------------------- components

start_etcd() {
  mkdir -p "$STATE/etcd"
  start etcd -- --name="$NODE" --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="$NODE=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls=http://127.0.0.1:12381 \
    --unsafe-no-fsync --log-level=warn # its data is thrown away at `down`: fsync would only cost time
  wait_for 60 etcd "etcd healthy" etcdctl --endpoints="http://127.0.0.1:$ETCD_CLIENT_PORT" endpoint health
}

start_apiserver() {
  start kube-apiserver -- --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address=0.0.0.0 --secure-port="$API_PORT" --advertise-address="$NODE_IP" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false --v=1
  wait_for 120 kube-apiserver "kube-apiserver ready" kubectl get --raw /readyz
  # What kubeadm binds: the API server's kubelet client may use the kubelet API (logs, exec, port-forward).
  kubectl apply --server-side --field-manager=shop-cluster -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: shop-cluster:apiserver-kubelet-client
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:kubelet-api-admin }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client }
EOF
}

start_controllers() {
  # --use-service-account-credentials: each controller acts as its own service account; as one user RBAC
  # stops them (no ReplicaSet, no pod CIDR, the node keeps its not-ready taint).
  start kube-controller-manager -- --kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
    --use-service-account-credentials=true \
    --allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size=24 \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --profiling=false --v=1
  start kube-scheduler -- --kubeconfig="$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/scheduler.kubeconfig" --authorization-kubeconfig="$STATE/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false --v=1
}

write_containerd_config() {
  mkdir -p "$STATE/containerd" "$STATE/cni/net.d" "$RUN/containerd"
  write_file "$STATE/cni/net.d/10-shop-cluster.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "shop-cluster",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "$SERVICE_CIDR" }]
      }
    }
  ]
}
EOF
  # containerd's default OCI spec with rlimits this machine allows (no CAP_SYS_RESOURCE: the hard nofile
  # limit is 20000, so a higher default would fail every container).
  ctr oci spec | jq '.process.rlimits = [
      { type: "RLIMIT_NOFILE", hard: 4096, soft: 4096 },
      { type: "RLIMIT_NPROC", hard: 4096, soft: 4096 }]' | write_file "$STATE/containerd/base-spec.json"
  write_file "$STATE/containerd/config.toml" <<EOF
# Written by scripts/k8s/cluster.sh.
version = 4
root = "$STATE/containerd/root"
state = "$RUN/containerd/state"
imports = []
disabled_plugins = [
  "io.containerd.nri.v1.nri",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.erofs",
  "io.containerd.snapshotter.v1.blockfile",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[plugins.'io.containerd.server.v1.grpc']
  address = "$CONTAINERD_SOCK"
[plugins.'io.containerd.server.v1.ttrpc']
  address = "$RUN/containerd/containerd.sock.ttrpc"
[plugins.'io.containerd.server.v1.debug']
  address = "$RUN/containerd/debug.sock"

[plugins.'io.containerd.cri.v1.runtime']
  enable_selinux = false
  # Sandboxes ask for oom_score_adj -998; without CAP_SYS_RESOURCE that write fails, so clamp to ours.
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = 'runc'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = 'io.containerd.runc.v2'
      base_runtime_spec = '$STATE/containerd/base-spec.json'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        # Debian's runc (crun refuses hybrid cgroups), cgroupfs like the kubelet.
        BinaryName = '/usr/sbin/runc'
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ['/usr/lib/cni']
    conf_dir = '$STATE/cni/net.d'
    max_conf_num = 1

[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = '$PAUSE_IMAGE'

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = '127.0.0.1'
  stream_server_port = '10010'
EOF
}

start_containerd() {
  write_containerd_config
  start containerd "$STATE/containerd/config.toml" "$STATE/containerd/base-spec.json" \
    "$STATE/cni/net.d/10-shop-cluster.conflist" -- --config="$STATE/containerd/config.toml"
  wait_for 60 containerd "containerd answers" ctr --address "$CONTAINERD_SOCK" version
  import_image "$PAUSE_IMAGE" "$IMAGES/pause.tar"
  import_image "$COREDNS_IMAGE" "$IMAGES/coredns.tar"
  import_image "$METRICS_SERVER_IMAGE" "$IMAGES/metrics-server.tar"
  mark "pause, CoreDNS and metrics-server images in containerd"
}

write_kubelet_config() {
  mkdir -p "$STATE/kubelet" "$STATE/pod-logs"
  write_file "$STATE/kubelet-config.yaml" <<EOF
# Written by scripts/k8s/cluster.sh.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine has cgroup v1 (hybrid); 1.35+ refuses it unless told not to.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
cgroupsPerQOS: true
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
rotateCertificates: false
serverTLSBootstrap: false
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
clusterDNS: [$DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $STATE/resolv.conf
podLogsDir: $STATE/pod-logs
# The default (1000000) is above this machine's hard nofile limit (20000), and raising it is not allowed.
maxOpenFiles: 10000
# With true the kubelet refuses to start unless the host already has its kernel settings; with false it
# sets them (vm.overcommit_memory, kernel.panic, kernel.panic_on_oops): saved before, restored at down.
protectKernelDefaults: false
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2% }
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
maxPods: 60
serializeImagePulls: false
EOF
}

node_ready_since() { # epoch: Ready posted by a kubelet started at or after it (etcd may hold an older Node)
  local status ready since
  # (Not `read < <(kubectl ...)`: jsonpath prints no newline, and read then fails though it read the line.)
  status=$(kubectl get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}' 2>/dev/null) || return 1
  read -r ready since <<<"$status"
  [ "$ready" = True ] && [ -n "$since" ] && [ "$(date -d "$since" +%s)" -ge "$1" ]
}
node_schedulable() {
  [ -z "$(kubectl get node "$NODE" -o jsonpath='{.spec.taints}')" ] &&
    [ -n "$(kubectl get node "$NODE" -o jsonpath='{.spec.podCIDR}')" ]
}

start_kubelet() {
  write_kubelet_config
  local started
  started=$(($(date +%s) - 1))
  running kubelet && started=$(stat -c %Y "$PIDS/kubelet.pid")
  start kubelet "$STATE/kubelet-config.yaml" -- --config="$STATE/kubelet-config.yaml" \
    --kubeconfig="$STATE/kubelet.kubeconfig" --root-dir="$STATE/kubelet" \
    --hostname-override="$NODE" --node-ip="$NODE_IP" --v=1
  wait_for 120 kubelet "node $NODE Ready" node_ready_since "$started"
  wait_for 60 kubelet "node schedulable (no taint, pod CIDR set)" node_schedulable
}

start_kube_proxy() {
  write_file "$STATE/kube-proxy-config.yaml" <<EOF
# Written by scripts/k8s/cluster.sh. Rewritten only on change: kube-proxy exits when this file changes.
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: $STATE/kube-proxy.kubeconfig }
hostnameOverride: $NODE
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts on the bridge address only; none on loopback (that would need route_localnet=1).
nodePortAddresses: [$NODE_IP/32]
iptables: { localhostNodePorts: false, masqueradeAll: false }
# 0: leave the host's conntrack sysctls as they are.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  start kube-proxy "$STATE/kube-proxy-config.yaml" -- --config="$STATE/kube-proxy-config.yaml" --v=1
  wait_for 60 kube-proxy "kube-proxy healthy" curl -sf http://127.0.0.1:10256/healthz
}

start_coredns() {
  kubectl apply --server-side --field-manager=shop-cluster -f "$MANIFESTS/coredns.yaml" >/dev/null
  kubectl -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null ||
    die "CoreDNS did not become ready: $(kubectl -n kube-system describe pods -l k8s-app=kube-dns | tail -20)"
  mark "CoreDNS ready ($DNS_IP)"
}

# metrics-server, so `kubectl top` and the HorizontalPodAutoscalers read CPU and memory; `up` returns
# once the node's own metrics are served (its first scrape).
start_metrics_server() {
  kubectl apply --server-side --field-manager=shop-cluster -f "$MANIFESTS/metrics-server.yaml" >/dev/null
  kubectl -n kube-system rollout status deployment/metrics-server --timeout=120s >/dev/null ||
    die "metrics-server did not become ready: $(kubectl -n kube-system describe pods -l k8s-app=metrics-server | tail -20)"
  wait_for 90 "" "metrics.k8s.io serving the node's metrics" kubectl get --raw "/apis/metrics.k8s.io/v1beta1/nodes/$NODE"
}

# ---------------------------------------------------------------- up

cmd_up() {
  [ "$(id -u)" = 0 ] || die "the cluster needs root (a bridge, iptables, cgroups, mounts)"
  take_lock
  mkdir -p "$LOGS" "$PIDS" "$IMAGES"
  echo "=== up $(date -Is)" >>"$LOGS/up-times.txt"
  ensure_package /usr/sbin/runc runc
  ensure_package /usr/lib/cni/bridge containernetworking-plugins
  ensure_package /usr/sbin/nft nftables
  build_binaries
  mark "binaries built ($BIN)"
  build_images
  ensure_pki
  write_kubeconfigs
  mark "images, PKI and kubeconfigs ready"
  prepare_host
  mark "host prepared: bridge $BRIDGE $NODE_IP/24, nft table $GUARD_TABLE, cgroup $CGROUP_ROOT"
  start_etcd
  start_apiserver
  start_controllers
  start_containerd
  wait_for 60 kube-controller-manager "kube-controller-manager healthy" curl -sfk https://127.0.0.1:10257/healthz
  wait_for 60 kube-scheduler "kube-scheduler healthy" curl -sfk https://127.0.0.1:10259/healthz
  start_kubelet
  start_kube_proxy
  start_coredns
  start_metrics_server
  mark "cluster up"
  kubectl get nodes -o wide >&2
  say "use it: eval \"\$(bash scripts/k8s/cluster.sh env)\"; kubectl get pods -A"
}

# ---------------------------------------------------------------- down

# Our processes, however they were left: one of our binaries with our state folder on its command line
# (check:deploy's control planes run the same binaries on other folders), or a shim of our containerd.
our_processes() {
  local p exe cmd
  for p in /proc/[0-9]*; do
    exe=$(exe_of "${p#/proc/}") || continue
    case $exe in "$BIN"/*) ;; *) continue ;; esac
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    case $cmd in *"$STATE/"* | *"$RUN/"*) echo "${p#/proc/}" ;; esac
  done
}

# Every process in the pods' cgroups (what the shims started), for when containerd could not kill them.
pod_processes() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h${CGROUP_ROOT#/}" ] && find "$h${CGROUP_ROOT#/}" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un
}

delete_workloads() {
  running kube-apiserver && running kubelet || return 0
  # No controller or scheduler any more, so nothing replaces a deleted pod; the kubelet then stops each
  # one through containerd (CNI DEL: veth, netns and IP lease gone; volumes unmounted).
  stop_component kube-controller-manager
  stop_component kube-scheduler
  local n
  n=$(kubectl get pods -A --no-headers 2>/dev/null | wc -l)
  ((n > 0)) || return 0
  say "deleting $n pods (the kubelet tears their sandboxes down)"
  kubectl delete pods --all -A --wait=false >/dev/null 2>&1 || true
  local end=$((SECONDS + 90))
  while [ -n "$(kubectl get pods -A --no-headers 2>/dev/null)" ] && ((SECONDS < end)); do sleep 0.5; done
  # The pod objects go once their containers stopped; the sandboxes stop right after.
  end=$((SECONDS + 30))
  while [ -n "$(ctr_ tasks ls -q 2>/dev/null)" ] && ((SECONDS < end)); do sleep 0.5; done
}

remove_containers() {
  running containerd || return 0
  local id
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
  # Without this, containerd logs "failed to recover sandbox state" at its next start.
  # (`ctr sandboxes ls` has no -q: the first column below its header.)
  for id in $(ctr_ sandboxes ls 2>/dev/null | awk 'NR > 1 { print $1 }'); do ctr_ sandboxes rm -f "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers rm "$id" >/dev/null 2>&1 || true; done
}

undo_host() {
  local m h key value name
  # Kubelet volumes, container root filesystems and shm under our folders, deepest first.
  for m in $(findmnt -rn -o TARGET | grep -E "^($STATE|$RUN)/" | sort -r); do umount -l "$m" && say "unmounted $m"; done
  # A netns of a sandbox that was not torn down through CRI (the kubelet was gone).
  if [ -f "$STATE/netns.before" ]; then
    for name in /run/netns/cni-*; do
      [ -e "$name" ] || continue
      name=${name#/run/netns/}
      grep -qxF "$name" "$STATE/netns.before" || { ip netns delete "$name" && say "deleted network namespace $name"; }
    done
  fi
  rm -rf "$RUN"
  if nft list table inet "$GUARD_TABLE" >/dev/null 2>&1; then
    say "guard counters at down: $(nft list table inet "$GUARD_TABLE" | grep -o 'counter packets [0-9]* bytes [0-9]*' | tr '\n' ';')"
    nft delete table inet "$GUARD_TABLE"
  fi
  if [ -f "$STATE/bridge.created" ]; then
    ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
    rm -f "$STATE/bridge.created"
  fi
  # The kubelet's own chains (kube-proxy --cleanup leaves them): KUBE-FIREWALL jumped to from INPUT and
  # OUTPUT, and the canary and hint chains, in IPv4 and IPv6.
  local ipt table chain
  for ipt in iptables ip6tables; do
    for chain in INPUT OUTPUT; do while $ipt -t filter -D "$chain" -j KUBE-FIREWALL 2>/dev/null; do :; done; done
    for table in filter nat mangle; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        if $ipt -t "$table" -F "$chain" 2>/dev/null; then $ipt -t "$table" -X "$chain" 2>/dev/null || true; fi
      done
    done
  done
  for h in $HOST_DIRS; do
    # The kubelet's links to our pods' logs (/var/log/containers), which it removes only when it
    # garbage-collects a container: a pod deleted just before the kubelet stopped leaves its link.
    [ -d "$h" ] && find "$h" -type l -lname "$STATE/*" -delete 2>/dev/null
    key="$STATE/created$(echo "$h" | tr / .)"
    [ -f "$key" ] || continue
    [ -d "$h" ] && find "$h" -depth -type d -empty -delete 2>/dev/null
    if [ -e "$h" ]; then say "WARNING: $h is not empty, left in place"; else rm -f "$key"; fi
  done
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h${CGROUP_ROOT#/}" ] && find "$h${CGROUP_ROOT#/}" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if [ -f "$STATE/sysctl.saved" ]; then
    while IFS='=' read -r key value; do
      [ "$(sysctl -n "$key")" = "$value" ] || { sysctl -qw "$key=$value" && say "restored $key=$value"; }
    done <"$STATE/sysctl.saved"
  fi
  # Cluster state: a new `up` starts an empty cluster. No mount may remain below it (checked above).
  if ! grep -qE "^$STATE/" <<<"$(findmnt -rn -o TARGET)"; then
    rm -rf "$STATE/etcd" "$STATE/kubelet" "$STATE/pod-logs" "$STATE/cni/ipam"
  fi
}

# What `down` promises, checked: prints each leftover and returns 1 when there is one.
leftovers() {
  local found=0 p h key value
  say_left() { printf 'cluster: left behind: %s\n' "$*" >&2; found=1; }
  for p in $(our_processes); do say_left "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-100))"; done
  for p in $(pod_processes); do say_left "process $p in the pods' cgroups"; done
  while read -r p; do say_left "mount $p"; done < <(findmnt -rn -o TARGET | grep -E "^($STATE|$RUN)/" || true)
  [ ! -e "$RUN" ] || say_left "$RUN"
  for p in /run/netns/cni-*; do [ ! -e "$p" ] || grep -qxF "${p#/run/netns/}" "$STATE/netns.before" 2>/dev/null || say_left "network namespace $p"; done
  ! nft list table inet "$GUARD_TABLE" >/dev/null 2>&1 || say_left "nft table inet $GUARD_TABLE"
  [ ! -f "$STATE/bridge.created" ] || ! ip link show "$BRIDGE" >/dev/null 2>&1 || say_left "bridge $BRIDGE"
  for p in iptables ip6tables; do
    for h in filter nat mangle; do
      grep -qE '^-N KUBE-' <<<"$($p -t "$h" -S 2>/dev/null)" && say_left "$p -t $h chains: $($p -t "$h" -S | grep -E '^-N KUBE-' | cut -d' ' -f2 | tr '\n' ' ')"
    done
  done
  for h in /sys/fs/cgroup/*/; do [ ! -d "$h${CGROUP_ROOT#/}" ] || say_left "cgroup $h${CGROUP_ROOT#/}"; done
  for h in $HOST_DIRS; do
    [ ! -d "$h" ] || [ -z "$(find "$h" -type l -lname "$STATE/*" 2>/dev/null)" ] || say_left "links to our pod logs in $h"
    [ ! -f "$STATE/created$(echo "$h" | tr / .)" ] || say_left "$h (created by up)"
  done
  if [ -f "$STATE/sysctl.saved" ]; then
    while IFS='=' read -r key value; do
      [ "$(sysctl -n "$key")" = "$value" ] || say_left "sysctl $key=$(sysctl -n "$key") (was $value)"
    done <"$STATE/sysctl.saved"
  fi
  return "$found"
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "the cluster needs root"
  take_lock
  mkdir -p "$LOGS" "$PIDS"
  # The cluster's own infrastructure listens on the bridge: it goes with the cluster (its data stays).
  [ ! -d "$K8S_DIR/infra" ] || cmd_infra down
  delete_workloads
  stop_component kube-proxy
  # Its iptables rules (KUBE-SERVICES, KUBE-NODEPORTS, ...); it leaves the kubelet's chains alone.
  kube-proxy --cleanup >>"$LOGS/kube-proxy.log" 2>&1 || true
  stop_component kubelet 30
  remove_containers
  stop_component containerd
  # What containerd could not end: pod processes (found by cgroup) and the shims of our containerd.
  local p exe
  for p in $(pod_processes); do kill -KILL "$p" 2>/dev/null && say "killed leftover pod process $p"; done
  for p in $(our_processes); do
    [ "$(exe_of "$p")" = "$BIN/containerd-shim-runc-v2" ] || continue
    kill -KILL "$p" 2>/dev/null && say "killed leftover shim $p"
  done
  stop_component kube-scheduler
  stop_component kube-controller-manager
  stop_component kube-apiserver 30
  stop_component etcd
  # Anything of ours without a pid file (a crashed `up` or `down`), then wait until all are gone.
  for p in $(our_processes); do
    exe=$(exe_of "$p" || echo "process $p")
    kill -KILL "$p" 2>/dev/null && say "killed leftover $exe ($p)"
  done
  for p in $(our_processes) $(pod_processes); do while alive "$p"; do sleep 0.1; done; done
  undo_host
  if [ "${1:-}" = --purge ]; then
    rm -rf "$PKI" "$IMAGES" "$STATE/containerd" "$STATE"/*.kubeconfig
    say "purged the cached PKI, images and containerd's image store"
  fi
  leftovers || die "cluster:down left the above behind"
  # The record of the machine before `up`, no longer needed once it is as it was.
  rm -f "$STATE/netns.before" "$STATE/sysctl.saved"
  say "cluster down: no process, mount, network namespace, chain, cgroup or changed sysctl left"
}

# ---------------------------------------------------------------- the project's images

# Podman's images into the node's containerd: the named ones, or every localhost/shop-<service> image
# podman has. Those not on the node yet (or changed since: their podman id is kept) go in one
# `podman save -m` docker archive, so layers the images share are written and imported once, then
# `ctr images import`. A second load with nothing changed takes a second.
cmd_load_images() {
  running containerd || die "the cluster is not up (npm run cluster:up)"
  mkdir -p "$IMAGES"
  local refs=("$@") load=() ids=() ref id archive t=$SECONDS i current=0 listed
  # Listings are read whole, then searched: `ctr ... | grep -q` fails under pipefail whenever grep
  # exits at its match before ctr has written the rest (SIGPIPE), which made a present image "missing".
  listed=$(ctr_ images ls -q 2>/dev/null)
  if ((${#refs[@]} == 0)); then
    mapfile -t refs < <(podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^localhost/shop-[a-z-]+:' | sort -u)
    ((${#refs[@]} > 0)) || die "podman has no localhost/shop-* image: build them with npm run images"
  fi
  for ref in "${refs[@]}"; do
    id=$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null) || die "podman has no image $ref"
    if [ "$(cat "$(image_stamp "$ref")" 2>/dev/null)" = "$id" ] && grep -qxF "$ref" <<<"$listed"; then
      current=$((current + 1))
    else
      load+=("$ref")
      ids+=("$id")
    fi
  done
  ((current == 0)) || say "$current image(s) already on the node"
  ((${#load[@]} > 0)) || return 0
  archive=$(mktemp "$IMAGES/load.XXXXXX.tar")
  podman save -m --format docker-archive -o "$archive" "${load[@]}" >/dev/null 2>>"$LOGS/images.log" ||
    { rm -f "$archive"; die_log images "podman save ${load[*]} failed"; }
  ctr_ images import --platform linux/amd64 "$archive" >>"$LOGS/images.log" 2>&1 ||
    { rm -f "$archive"; die_log images "ctr images import of ${load[*]} failed"; }
  rm -f "$archive"
  local present j
  present=$(ctr_ images ls -q 2>/dev/null)
  for i in "${!load[@]}"; do
    # An archive holds one name per image: another name of the same image is tagged from it.
    if ! grep -qxF "${load[$i]}" <<<"$present"; then
      for j in "${refs[@]}"; do
        if [ "$j" != "${load[$i]}" ] && grep -qxF "$j" <<<"$present" &&
          [ "$(podman image inspect --format '{{.Id}}' "$j" 2>/dev/null)" = "${ids[$i]}" ]; then
          ctr_ images tag --force "$j" "${load[$i]}" >>"$LOGS/images.log" 2>&1 && break
        fi
      done
    fi
    grep -qxF "${load[$i]}" <<<"$(ctr_ images ls -q 2>/dev/null)" || die "${load[$i]} is not in containerd after the import"
    echo "${ids[$i]}" >"$(image_stamp "${load[$i]}")"
  done
  say "loaded ${#load[@]} image(s) in $((SECONDS - t)) s: ${load[*]}"
}
image_stamp() { echo "$IMAGES/.podman.$(echo "$1" | tr '/:' '__')"; }

# ---------------------------------------------------------------- the cluster's infrastructure

# scripts/infra.sh's Postgres, Redis and Kafka for the pods, as managed services outside the cluster:
# a stack of its own (its folder and ports, so the machine's default stack on loopback is untouched)
# that also listens on the bridge address. ci/cluster-values.yaml names these ports.
INFRA_ENV=(INFRA_DIR="$K8S_DIR/infra" PGPORT=15432 REDIS_PORT=16379 KAFKA_PORT=19092
  KAFKA_CONTROLLER_PORT=19093 KAFKA_EXTRA_PORT=19094 INFRA_EXTRA_ADDRESS="$NODE_IP" INFRA_EXTRA_CLIENTS="$POD_CIDR")
cmd_infra() { # up | down | status | env
  case "${1:-}" in
    up) ip link show "$BRIDGE" >/dev/null 2>&1 || die "the cluster is not up (npm run cluster:up): its bridge is missing" ;;
    down | status | env) ;;
    *) die "usage: scripts/k8s/cluster.sh infra up|down|status|env" ;;
  esac
  env "${INFRA_ENV[@]}" bash "$ROOT/scripts/infra.sh" "$1"
}

# ---------------------------------------------------------------- status, env

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

cmd_status() {
  local name pid kib total=0 down=0 shims=0 nshims=0 pods=0 npods=0 p exe
  printf '%-26s %8s %9s\n' component pid 'RSS MiB'
  for name in $COMPONENTS; do
    if running "$name"; then
      pid=$(pid_of "$name")
      kib=$(rss_kib "$pid")
      total=$((total + kib))
      printf '%-26s %8s %9.1f\n' "$name" "$pid" "$(echo "$kib / 1024" | bc -l)"
    else
      printf '%-26s %8s %9s\n' "$name" - down
      down=1
    fi
  done
  for p in $(our_processes); do
    exe=$(exe_of "$p") || continue
    [ "$exe" = "$BIN/containerd-shim-runc-v2" ] || continue
    shims=$((shims + $(rss_kib "$p")))
    nshims=$((nshims + 1))
  done
  for p in $(pod_processes); do
    pods=$((pods + $(rss_kib "$p")))
    npods=$((npods + 1))
  done
  printf '%-26s %8s %9.1f\n' "containerd shims ($nshims)" - "$(echo "$shims / 1024" | bc -l)"
  printf '%-26s %8s %9.1f\n' "pod processes ($npods)" - "$(echo "$pods / 1024" | bc -l)"
  printf '%-26s %8s %9.1f\n' 'node total' - "$(echo "($total + $shims + $pods) / 1024" | bc -l)"
  if ((down)); then return 3; fi
  kubectl get nodes -o wide
  kubectl get pods -A -o wide
}

cmd_env() {
  echo "export KUBECONFIG=$KUBECONFIG"
  echo "export PATH=$BIN:$ROOT/.local/tools/bin:\$PATH"
  echo "export CONTAINERD_ADDRESS=$CONTAINERD_SOCK CONTAINERD_NAMESPACE=k8s.io"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  load-images) shift && cmd_load_images "$@" ;;
  infra) cmd_infra "${2:-}" ;;
  smoke) bash "$ROOT/scripts/k8s/cluster-smoke.sh" ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
