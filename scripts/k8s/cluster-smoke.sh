#!/usr/bin/env bash
# The local cluster's smoke test (`bash scripts/k8s/cluster.sh smoke`, after `npm run cluster:up`). Each
# step fails the run when it fails:
#   1. a namespace enforcing Pod Security `restricted` refuses a pod that runs as root;
#   2. in it, a Deployment (the project's Node base image, localhost/shop-node:24, loaded from podman) is
#      Ready behind its readiness probe;
#   3. another pod resolves its Service by name through CoreDNS (short name and FQDN) to the Service's
#      ClusterIP and gets the server's answer, and reaches the API server through the `kubernetes` Service;
#   4. a packet a pod sends towards an address beyond the bridge is dropped by the guard (its counter
#      grows) and never answered.
# The namespace is deleted afterwards (KEEP=1 keeps it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER="bash $ROOT/scripts/k8s/cluster.sh"
eval "$($CLUSTER env)"
NS=shop-cluster-smoke
IMAGE=localhost/shop-node:24
GUARD_TABLE=shop_cluster_guard
T0=$(date +%s%N)
elapsed() { echo "$((($(date +%s%N) - T0) / 1000000)) ms"; }
ok() { printf 'ok   %s (%s)\n' "$*" "$(elapsed)"; }
fail() {
  printf 'FAIL %s\n' "$*" >&2
  exit 1
}
in_client() { kubectl -n "$NS" exec client -- node -e "$1"; }

kubectl get --raw /readyz >/dev/null 2>&1 || fail "the cluster is not up: npm run cluster:up"
podman image exists "$IMAGE" || fail "$IMAGE is missing: npm run images builds it"
$CLUSTER load-images "$IMAGE"
ok "$IMAGE on the node"

kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$NS" >/dev/null
kubectl label namespace "$NS" pod-security.kubernetes.io/enforce=restricted \
  pod-security.kubernetes.io/enforce-version=latest >/dev/null
[ "${KEEP:-0}" = 1 ] || trap 'kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1 || true' EXIT

# 1. Pod Security admission in the API server refuses a root pod.
if refusal=$(kubectl -n "$NS" run root --image="$IMAGE" --image-pull-policy=Never --restart=Never \
  --overrides='{"spec":{"securityContext":{"runAsUser":0}}}' -- sleep 1 2>&1); then
  fail "a pod running as root was admitted into a restricted namespace"
fi
grep -q 'violates PodSecurity "restricted:latest"' <<<"$refusal" || fail "the root pod was refused, but not by Pod Security: $refusal"
ok "root pod refused: $(grep -o 'violates PodSecurity.*' <<<"$refusal" | cut -c1-150)"

# 2. The Deployment turns Ready through its readiness probe.
kubectl -n "$NS" apply -f "$ROOT/scripts/k8s/manifests/smoke.yaml" >/dev/null
applied=$(date +%s%N)
kubectl -n "$NS" rollout status deployment/hello --timeout=120s >/dev/null || fail "deployment/hello not Ready in 120 s"
ok "deployment/hello Ready $((($(date +%s%N) - applied) / 1000000)) ms after apply"
kubectl -n "$NS" wait --for=condition=Ready pod/client --timeout=120s >/dev/null || fail "pod/client not Ready"

# 3. By name through CoreDNS, from another pod.
cluster_ip=$(kubectl -n "$NS" get service hello -o jsonpath='{.spec.clusterIP}')
for name in hello "hello.$NS.svc.cluster.local"; do
  resolved=$(in_client "require('node:dns').promises.lookup('$name').then((a) => console.log(a.address))") ||
    fail "$name does not resolve in pod/client"
  [ "$resolved" = "$cluster_ip" ] || fail "$name resolved to $resolved, not the Service's ClusterIP $cluster_ip"
  answer=$(in_client "fetch('http://$name/').then((r) => r.text()).then((t) => process.stdout.write(t))") ||
    fail "http://$name/ did not answer pod/client"
  grep -q '^hello from hello-' <<<"$answer" || fail "http://$name/ answered: $answer"
  ok "pod/client -> http://$name/ ($resolved by CoreDNS): $answer"
done
readyz=$(in_client "
  const fs = require('node:fs'), dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  require('node:https').get('https://kubernetes.default.svc/readyz', {
    ca: fs.readFileSync(dir + '/ca.crt'),
    headers: { authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8') },
  }, (res) => { res.setEncoding('utf8'); res.on('data', (d) => process.stdout.write(res.statusCode + ' ' + d)); });
") || fail "pod/client cannot reach the API server through the kubernetes Service"
[ "$readyz" = "200 ok" ] || fail "https://kubernetes.default.svc/readyz answered: $readyz"
ok "pod/client -> https://kubernetes.default.svc/readyz: $readyz"

# 4. Nothing leaves the bridge: 10.96.0.250 is in the Service range (the pods' only route beyond their
# subnet, via the node) but no Service has it, so the node would forward it towards its default route.
counter() { nft list chain inet "$GUARD_TABLE" forward_guard | awk '/from a pod/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }
before=$(counter)
outcome=$(in_client "
  const s = require('node:net').connect({ host: '10.96.0.250', port: 80 });
  s.setTimeout(2000, () => { console.log('no answer'); process.exit(0); });
  s.on('connect', () => { console.log('connected'); process.exit(0); });
  s.on('error', (e) => { console.log(e.code); process.exit(0); });
")
after=$(counter)
[ "$outcome" = 'no answer' ] || fail "a connection beyond the bridge got: $outcome"
((after > before)) || fail "the guard's counter did not move ($before -> $after)"
ok "pod/client -> 10.96.0.250:80 beyond the bridge: $outcome, guard dropped $((after - before)) packets ($before -> $after)"
echo "SMOKE OK in $(elapsed)"
