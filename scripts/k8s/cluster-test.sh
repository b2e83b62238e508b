#!/usr/bin/env bash
# npm run test:cluster: the chart on the local single-node cluster, as an operator installs it. Linux,
# as root (elsewhere it prints why and exits 0). Each step fails the run, naming what failed:
#   1. the cluster (npm run cluster:up), its Postgres, Redis and Kafka on the bridge address
#      (cluster.sh infra), the images (npm run images, cached) loaded into containerd, and a second tag
#      of each (:next) for the upgrade;
#   2. helm install with ci/cluster-values.yaml into a namespace enforcing Pod Security `restricted`:
#      every Deployment rolled out and every pod Ready within ROLLOUT_SECS (default 180), no restart;
#   3. helm test (a pod queries the router Service by name);
#   4. through the router Service: sign up, order, orderStatusChanged to CONFIRMED and notificationAdded
#      over graphql-ws (scripts/k8s/cluster-journey.ts order);
#   5. helm upgrade to the :next images while 4 clients query and one subscription stays open: every
#      Deployment rolls, zero failed requests (cluster-journey.ts load);
#   6. helm rollback to revision 1: every Deployment back on :dev;
#   7. the orders pod deleted: a new one Ready, and an order placed afterwards is CONFIRMED;
#   8. helm uninstall: no object of the release is left; the namespace is deleted.
# The cluster stays up for the next run (npm run cluster:down stops it); KEEP=1 keeps the release.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$PATH"
CLUSTER="bash scripts/k8s/cluster.sh"
NS=shop-cluster-test
RELEASE=shop
VALUES=helm/ecommerce-platform/ci/cluster-values.yaml
ROLLOUT_SECS=${ROLLOUT_SECS:-180}
SERVICES="auth users products cart orders inventory payments notifications recommendations router"
ADMIN_EMAIL=admin@shop.local
ADMIN_PASSWORD=cluster-admin-password

if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
  echo "test:cluster skipped: the local cluster needs Linux and root (a bridge, iptables, cgroups, mounts)"
  exit 0
fi

T0=$SECONDS
ok() { printf 'ok   %s (%d s)\n' "$*" $((SECONDS - T0)); }
fail() {
  printf 'FAIL %s\n' "$*" >&2
  exit 1
}

# Every pod of the release Ready and never restarted; prints the offenders otherwise.
pods_ready_unrestarted() {
  kubectl -n "$NS" get pods -l app.kubernetes.io/instance=$RELEASE -o json | jq -r '
    .items[] | select(.metadata.deletionTimestamp == null)
    | select(([.status.conditions[]? | select(.type == "Ready" and .status == "True")] | length) == 0
             or ([.status.containerStatuses[]?.restartCount] | add // 0) > 0)
    | "\(.metadata.name): ready=\([.status.conditions[]? | select(.type == "Ready") | .status] | first // "unknown") restarts=\([.status.containerStatuses[]?.restartCount] | add // 0)"'
}
# Each Deployment's image tags, "name=tag" a line.
image_tags() {
  kubectl -n "$NS" get deployments -l app.kubernetes.io/instance=$RELEASE -o json |
    jq -r '.items[] | "\(.metadata.name)=\(.spec.template.spec.containers[0].image | split(":") | last)"' | sort
}
# Waits for every Deployment of the release; on timeout names the Deployments and pods that are not.
rollout() { # seconds what
  local d
  for d in $SERVICES; do
    kubectl -n "$NS" rollout status "deployment/$d" --timeout="${1}s" >/dev/null 2>&1 ||
      fail "$2: deployment/$d not rolled out within $1 s: $(kubectl -n "$NS" get pods -l "app.kubernetes.io/name=$d" --no-headers 2>&1 | tr '\n' ';') $(kubectl -n "$NS" get events --field-selector type=Warning --no-headers 2>/dev/null | grep " pod/$d-\| replicaset/$d-" | tail -3 | tr -s ' ' | tr '\n' ';')"
  done
}

# 1. Cluster, infrastructure, images (each step installs what it needs: apt packages, Go builds, helm).
bash scripts/deploy/tools.sh helm
$CLUSTER up >/dev/null 2>&1 || $CLUSTER up
eval "$($CLUSTER env)"
$CLUSTER infra up >/dev/null
npm run --silent images >/dev/null
for s in $SERVICES; do podman tag "localhost/shop-$s:dev" "localhost/shop-$s:next"; done
$CLUSTER load-images >/dev/null
ok "cluster, its infrastructure on $(kubectl get node -o jsonpath='{.items[0].status.addresses[0].address}') and the images on the node"

# 2. Install into a restricted namespace.
kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$NS" >/dev/null
kubectl label namespace "$NS" pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest >/dev/null
[ "${KEEP:-0}" = 1 ] || trap 'kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1 || true' EXIT
kubectl -n "$NS" create secret generic shop-postgres \
  --from-literal=DATABASE_URL=postgres://postgres:postgres@10.244.0.1:15432/postgres >/dev/null
kubectl -n "$NS" create secret generic shop-admin \
  --from-literal=email=$ADMIN_EMAIL --from-literal=password=$ADMIN_PASSWORD >/dev/null
overrides=$(mktemp --suffix=.yaml)
cat >"$overrides" <<'EOF'
subgraphs:
  auth:
    secretEnv:
      ADMIN_EMAIL: { secretName: shop-admin, key: email }
      ADMIN_PASSWORD: { secretName: shop-admin, key: password }
EOF
installed=$SECONDS
helm install "$RELEASE" helm/ecommerce-platform -n "$NS" -f "$VALUES" -f "$overrides" >/dev/null ||
  fail "helm install refused the chart"
rollout "$ROLLOUT_SECS" "helm install"
not_ready=$(pods_ready_unrestarted)
[ -z "$not_ready" ] || fail "helm install: pods not Ready or restarted: $not_ready"
ok "helm install: every Deployment rolled out, $(kubectl -n "$NS" get pods --no-headers | wc -l) pods Ready, no restart, in $((SECONDS - installed)) s (bound $ROLLOUT_SECS s)"

# 3. helm test.
out=$(helm test "$RELEASE" -n "$NS" --logs 2>&1) || fail "helm test: $out"
ok "helm test: $(grep -o 'query through .*' <<<"$out")"

# 4. A storefront's journey through the router Service.
ROUTER_URL="http://$(kubectl -n "$NS" get service router -o jsonpath='{.spec.clusterIP}'):4000/graphql"
export ROUTER_URL ADMIN_EMAIL ADMIN_PASSWORD
out=$(tsx scripts/k8s/cluster-journey.ts order 2>&1) || fail "order journey: $out"
ok "order through $ROUTER_URL: $out"

# 5. helm upgrade under load.
stop=$(mktemp -u)
loadlog=$(mktemp)
tsx scripts/k8s/cluster-journey.ts load "$stop" >"$loadlog" 2>&1 &
loader=$!
sleep 3
upgraded=$SECONDS
helm upgrade "$RELEASE" helm/ecommerce-platform -n "$NS" -f "$VALUES" -f "$overrides" --set global.image.tag=next >/dev/null ||
  { touch "$stop"; fail "helm upgrade refused the chart"; }
rollout "$ROLLOUT_SECS" "helm upgrade"
upgrade_secs=$((SECONDS - upgraded))
sleep 3
touch "$stop"
wait "$loader" || fail "requests failed during helm upgrade: $(cat "$loadlog")"
[ "$(image_tags | grep -vc '=next$')" = 0 ] || fail "helm upgrade: not every Deployment runs :next: $(image_tags | tr '\n' ' ')"
ok "helm upgrade to :next rolled every Deployment in $upgrade_secs s under load, no failed request: $(cat "$loadlog")"

# 6. helm rollback.
helm rollback "$RELEASE" 1 -n "$NS" >/dev/null || fail "helm rollback failed"
rollout "$ROLLOUT_SECS" "helm rollback"
[ "$(image_tags | grep -vc '=dev$')" = 0 ] || fail "helm rollback: not every Deployment is back on :dev: $(image_tags | tr '\n' ' ')"
ok "helm rollback to revision 1: every Deployment back on :dev"

# 7. A subgraph's pod killed.
orders_pods() { kubectl -n "$NS" get pods -l app.kubernetes.io/name=orders -o json | jq -r "$1"; }
# The rollback's old pods finish terminating first, so the one deleted is the one serving.
end=$((SECONDS + 60))
while [ "$(orders_pods '.items | length')" != 1 ] && ((SECONDS < end)); do sleep 1; done
old=$(orders_pods '.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name')
if [ -z "$old" ] || [ "$(wc -l <<<"$old")" != 1 ]; then fail "expected one orders pod before deleting it: $old"; fi
kubectl -n "$NS" delete pod "$old" --wait=false >/dev/null
new=
end=$((SECONDS + 120))
until [ -n "$new" ] || ((SECONDS >= end)); do
  sleep 1
  new=$(orders_pods ".items[] | select(.metadata.name != \"$old\" and .metadata.deletionTimestamp == null)
    | select(any(.status.conditions[]?; .type == \"Ready\" and .status == \"True\")) | .metadata.name")
done
[ -n "$new" ] || fail "no new orders pod Ready within 120 s after deleting $old"
out=$(tsx scripts/k8s/cluster-journey.ts order 2>&1) || fail "order after deleting $old: $out"
ok "pod $old deleted: $new Ready in its place, an order placed then is CONFIRMED"

# 8. helm uninstall leaves nothing of the release.
[ "${KEEP:-0}" = 1 ] && { echo "KEEP=1: release $RELEASE left in namespace $NS"; exit 0; }
helm uninstall "$RELEASE" -n "$NS" --wait >/dev/null || fail "helm uninstall failed"
release_objects() {
  kubectl -n "$NS" get all,configmaps,secrets,serviceaccounts,networkpolicies,poddisruptionbudgets,horizontalpodautoscalers,roles,rolebindings \
    -l app.kubernetes.io/instance=$RELEASE -o name 2>&1
}
# The pods go after their ReplicaSets, each within its grace period.
end=$((SECONDS + 60))
while [ -n "$(release_objects)" ] && ((SECONDS < end)); do sleep 1; done
left=$(release_objects)
[ -z "$left" ] || fail "helm uninstall left: $left"
ok "helm uninstall: no object of the release left"
rm -f "$overrides" "$loadlog"
echo "CLUSTER TEST OK in $((SECONDS - T0)) s"
