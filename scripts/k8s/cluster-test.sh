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
#   6. helm upgrade with a new supergraph (Query.categories removed): the running router serves it
#      through the mounted ConfigMap, same pod, no restart, router_supergraph_reloads_total grew;
#   7. helm rollback to revision 1: every Deployment back on :dev, the first supergraph served;
#   8. the orders pod deleted: a new one Ready, and an order placed afterwards is CONFIRMED;
#   9. the router's HorizontalPodAutoscaler (CPU from metrics-server): more than one router pod under the
#      load loop, back to one after it;
#  10. charts broken on purpose (orders' readiness probe on a wrong port, its DATABASE_URL missing, its pod
#      running as root), each applied as an upgrade: the rollout check fails naming deployment/orders and
#      the cause (the probe's warning, the container's last log lines, Pod Security's refusal); rolled back;
#  11. helm uninstall: no object of the release is left; the namespace is deleted.
# A rollout check fails as soon as a pod cannot start (a container exiting or not created, a pod refused
# by admission) and otherwise after its bound, naming each Deployment not rolled out.
# The cluster stays up (npm test stops one it started; npm run cluster:down); KEEP=1 keeps the release.
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
STATE_DIR=$(mktemp -d)
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
# Deployments of the release not rolled out yet: a line each, with its counts.
not_rolled_out() {
  kubectl -n "$NS" get deployments -l app.kubernetes.io/instance=$RELEASE -o json | jq -r '
    .items[] | .spec.replicas as $want | .status as $s
    | select(($s.observedGeneration // 0) < .metadata.generation or ($s.updatedReplicas // 0) < $want
             or ($s.readyReplicas // 0) < $want or ($s.replicas // 0) > ($s.updatedReplicas // 0))
    | "deployment/\(.metadata.name) (\($s.updatedReplicas // 0) of \($want) updated, \($s.readyReplicas // 0) ready)"'
}
# Warning events of the namespace since $1 (RFC 3339) whose object's name starts with $2.
warnings_since() { # since prefix
  kubectl -n "$NS" get events --field-selector type=Warning -o json | jq -r --arg since "$1" --arg prefix "$2" '
    [.items[] | select((.lastTimestamp // .eventTime // .metadata.creationTimestamp) >= $since)
     | select(.involvedObject.name | startswith($prefix))
     | "\(.involvedObject.kind | ascii_downcase)/\(.involvedObject.name): \(.reason): \(.message | gsub("\n"; " "))"]
    | unique | .[-3:] | join("; ")'
}
# Why a pod of the release cannot start, naming its Deployment: a pod Pod Security admission refused (its
# ReplicaSet's FailedCreate; other FailedCreate reasons may pass, the timeout names them), a container
# that cannot be created or keeps exiting (with its last words: the chart sets terminationMessagePolicy
# FallbackToLogsOnError). Only each Deployment's current ReplicaSet counts (a rollback's old pods are going),
# and nothing until the controller has seen every Deployment's latest change.
start_failures() { # since
  local objects=$STATE_DIR/objects.json
  kubectl -n "$NS" get deployments,replicasets,pods -l app.kubernetes.io/instance=$RELEASE -o json >"$objects"
  jq -e '[.items[] | select(.kind == "Deployment" and (.status.observedGeneration // 0) < .metadata.generation)] | length == 0' \
    "$objects" >/dev/null || return 0
  kubectl -n "$NS" get events --field-selector type=Warning,reason=FailedCreate -o json |
    jq -r --arg since "$1" --slurpfile objectsfile "$objects" '$objectsfile[0] as $objects |
    def rev: .metadata.annotations["deployment.kubernetes.io/revision"];
    ([$objects.items[] | select(.kind == "Deployment") | {key: .metadata.name, value: rev}] | from_entries) as $revision
    | ([$objects.items[] | select(.kind == "ReplicaSet") | . as $rs | ($rs.metadata.ownerReferences[]? | select(.kind == "Deployment") | .name) as $d
        | select($revision[$d] == ($rs | rev)) | {key: $rs.metadata.name, value: $d}] | from_entries) as $current
    | ($objects.items[] | select(.kind == "Pod" and .metadata.deletionTimestamp == null) | . as $pod
       | ($current[$pod.metadata.ownerReferences[0].name // ""] // empty) as $d | $pod.status.containerStatuses[]?
       | select(.restartCount > 0 or ((.state.waiting.reason // "") | test("CrashLoopBackOff|CreateContainer|ErrImage|ImagePull|InvalidImageName|RunContainerError")))
       | "deployment/\($d): pod/\($pod.metadata.name): \(.state.waiting.reason // .state.terminated.reason // "restarted"), \(.restartCount) restart(s): \((.lastState.terminated.message // .state.terminated.message // .state.waiting.message // "") | gsub("\n"; " ") | .[-600:])"),
      ([.items[] | select((.lastTimestamp // .eventTime // .metadata.creationTimestamp) >= $since)
        | select(.involvedObject.kind == "ReplicaSet" and (.message | test("violates PodSecurity")))
        | ($current[.involvedObject.name] // empty) as $d
        | "deployment/\($d): replicaset/\(.involvedObject.name): FailedCreate: \(.message)"] | unique | .[])'
}
# Waits up to $1 s for every Deployment of the release to roll out; fails at once when a pod cannot start,
# and on timeout names each Deployment not rolled out with its pods' latest warnings (a failing probe).
rollout() { # seconds what
  local since end=$((SECONDS + $1)) problem pending d
  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  while :; do
    problem=$(start_failures "$since")
    [ -z "$problem" ] || fail "$2: $(head -3 <<<"$problem" | tr '\n' ' ')"
    pending=$(not_rolled_out)
    [ -n "$pending" ] || return 0
    if ((SECONDS >= end)); then
      problem=
      for d in $(sed 's|^deployment/\([^ ]*\).*|\1|' <<<"$pending"); do
        problem+="deployment/$d: $(warnings_since "$since" "$d-") "
      done
      fail "$2: not rolled out within $1 s: $(tr '\n' ' ' <<<"$pending")-- $problem"
    fi
    sleep 2
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

# 6. A new supergraph through the ConfigMap reaches the running router: no new pod, no restart.
router_pod() {
  kubectl -n "$NS" get pods -l app.kubernetes.io/name=router -o json | jq -r '[.items[] | select(.metadata.deletionTimestamp == null)
    | "\(.metadata.name) restarts=\([.status.containerStatuses[]?.restartCount] | add // 0)"] | join(",")'
}
categories_answer() {
  curl -sS -m 10 -H 'content-type: application/json' --data '{"query":"{ categories { id } }"}' "$ROUTER_URL" |
    jq -r 'if .errors then (.errors[0].extensions.code // "error") else "data" end'
}
reloads_applied() {
  curl -sS -m 10 "${ROUTER_URL%/graphql}/metrics" |
    awk '/^router_supergraph_reloads_total\{.*outcome="applied"/ { n += $2 } END { print n + 0 }'
}
supergraph=$(mktemp --suffix=.graphql)
# The same supergraph without Query.categories (its description and field).
perl -0pe 's/\n  """Every category, by name."""\n  categories: \[Category!\]! \@join__field\(graph: PRODUCTS\)\n/\n/' \
  helm/ecommerce-platform/files/supergraph.graphql >"$supergraph"
! cmp -s "$supergraph" helm/ecommerce-platform/files/supergraph.graphql || fail "the test's supergraph edit no longer applies"
pod_before=$(router_pod)
applied_before=$(reloads_applied)
[ "$(categories_answer)" = data ] || fail "supergraph reload: categories did not answer before the change"
changed=$SECONDS
helm upgrade "$RELEASE" helm/ecommerce-platform -n "$NS" --reuse-values --set-file router.supergraph.sdl="$supergraph" >/dev/null ||
  fail "helm upgrade with a new supergraph refused"
# The kubelet refreshes a mounted ConfigMap on its pod sync (about a minute); the router polls the file every 5 s.
end=$((SECONDS + 150))
until [ "$(categories_answer)" = GRAPHQL_VALIDATION_FAILED ] || ((SECONDS >= end)); do sleep 2; done
[ "$(categories_answer)" = GRAPHQL_VALIDATION_FAILED ] ||
  fail "supergraph reload: the router still serves Query.categories 150 s after the ConfigMap changed (reloads applied: $(reloads_applied))"
[ "$(router_pod)" = "$pod_before" ] || fail "supergraph reload: the router pod changed or restarted: $pod_before -> $(router_pod)"
[ "$(reloads_applied)" -gt "$applied_before" ] || fail "supergraph reload: router_supergraph_reloads_total{outcome=\"applied\"} did not grow"
ok "a supergraph without Query.categories reached the running router in $((SECONDS - changed)) s ($pod_before, reloads applied $applied_before -> $(reloads_applied))"

# 7. helm rollback.
helm rollback "$RELEASE" 1 -n "$NS" >/dev/null || fail "helm rollback failed"
rollout "$ROLLOUT_SECS" "helm rollback"
[ "$(image_tags | grep -vc '=dev$')" = 0 ] || fail "helm rollback: not every Deployment is back on :dev: $(image_tags | tr '\n' ' ')"
[ "$(categories_answer)" = data ] || fail "helm rollback: the router does not serve revision 1's supergraph (categories: $(categories_answer))"
ok "helm rollback to revision 1: every Deployment back on :dev, the first supergraph served again"

# 8. A subgraph's pod killed.
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

# 9. The router's HorizontalPodAutoscaler on metrics-server's CPU: out under load, back in after it.
hpa_values=$(mktemp --suffix=.yaml)
cat >"$hpa_values" <<'EOF'
autoscaling:
  enabled: true
  targetCPUUtilizationPercentage: 50
  targetMemoryUtilizationPercentage: 90
  scaleDownStabilizationSeconds: 15
defaults:
  autoscaling: { minReplicas: 1, maxReplicas: 1 }
router:
  autoscaling: { minReplicas: 1, maxReplicas: 3 }
  resources:
    requests: { cpu: 50m, memory: 384Mi }
    limits: { cpu: '1', memory: 512Mi }
EOF
helm upgrade "$RELEASE" helm/ecommerce-platform -n "$NS" -f "$VALUES" -f "$overrides" -f "$hpa_values" >/dev/null ||
  fail "helm upgrade with autoscaling refused"
rollout "$ROLLOUT_SECS" "helm upgrade with autoscaling"
router_ready() { kubectl -n "$NS" get deployment router -o jsonpath='{.status.readyReplicas}'; }
router_wanted() { kubectl -n "$NS" get deployment router -o jsonpath='{.spec.replicas}'; }
hpa_state() {
  kubectl -n "$NS" get hpa router -o json | jq -r '"\(.status.currentReplicas) of \(.status.desiredReplicas) wanted, cpu \([.status.currentMetrics[]? | select(.resource.name == "cpu") | .resource.current.averageUtilization] | first // "unknown")% of requests"'
}
stop=$(mktemp -u)
tsx scripts/k8s/cluster-journey.ts load "$stop" >"$loadlog" 2>&1 &
loader=$!
loaded=$SECONDS
end=$((SECONDS + 180))
until [ "$(router_ready)" -ge 2 ] 2>/dev/null || ((SECONDS >= end)); do sleep 3; done
out_secs=$((SECONDS - loaded))
peak="$(router_ready) Ready, $(hpa_state)"
touch "$stop"
wait "$loader" || fail "requests failed while the router scaled out: $(cat "$loadlog")"
[ "$(router_ready)" -ge 2 ] 2>/dev/null || fail "hpa/router did not scale the router out within 180 s under load: $peak"
idle=$SECONDS
end=$((SECONDS + 240))
until [ "$(router_wanted)" = 1 ] || ((SECONDS >= end)); do sleep 3; done
[ "$(router_wanted)" = 1 ] || fail "hpa/router did not scale the router back in within 240 s after the load: $(hpa_state)"
ok "hpa/router scaled out $out_secs s into the load ($peak) and back to 1 replica $((SECONDS - idle)) s after it; load: $(cat "$loadlog")"

# 10. Charts broken on purpose fail the rollout check, naming the object: each a copy of the chart with
# one defect in the orders Deployment, applied as an upgrade (the old pod keeps serving), then rolled back.
good=$(helm status "$RELEASE" -n "$NS" -o json | jq -r .version)
broken=$(mktemp -d)
break_chart() { # case: a copy of the chart at $broken/<case> with one defect in orders' pods
  local dir=$broken/$1 file
  cp -r helm/ecommerce-platform "$dir"
  file=$dir/templates/_helpers.tpl
  case $1 in
    probe-port) # the readiness probe on a port nothing listens on
      perl -0pi -e 's|(readinessProbe:\n  httpGet:\n    path: /health/ready\n    port: )http|${1}{{ if eq .name "orders" }}9{{ else }}http{{ end }}|' "$file" ;;
    missing-env) # no DATABASE_URL: the service finds no Postgres and exits
      perl -0pi -e 's|(\{\{- else \}\}\n)(- name: DATABASE_URL\n  valueFrom:\n    secretKeyRef:\n.*\n.*\n)|${1}{{- if ne .name "orders" }}\n${2}{{- end }}\n|' "$file" ;;
    root) # the pod runs as root
      perl -0pi -e 's|(define "ecommerce.(?:pod\|container)SecurityContext" -\}\}\n)runAsNonRoot: true\nrunAsUser: 10001|${1}runAsNonRoot: {{ ne .name "orders" }}\nrunAsUser: {{ if eq .name "orders" }}0{{ else }}10001{{ end }}|g' "$file" ;;
  esac
  ! cmp -s "$file" helm/ecommerce-platform/templates/_helpers.tpl || fail "broken chart $1: the edit no longer applies"
}
expect_broken() { # case bound-seconds expected-text
  local out status=0
  break_chart "$1"
  helm upgrade "$RELEASE" "$broken/$1" -n "$NS" --reuse-values >/dev/null || fail "broken chart $1: helm upgrade refused it"
  out=$(rollout "$2" "broken chart $1" 2>&1) || status=$?
  [ "$status" != 0 ] || fail "broken chart $1: the rollout check passed"
  grep -q "deployment/orders" <<<"$out" || fail "broken chart $1: the failure does not name deployment/orders: $out"
  grep -q "$3" <<<"$out" || fail "broken chart $1: the failure does not say '$3': $out"
  printf '     %s\n' "$(cut -c1-500 <<<"$out")"
  helm rollback "$RELEASE" "$good" -n "$NS" >/dev/null || fail "broken chart $1: helm rollback failed"
  rollout "$ROLLOUT_SECS" "rollback after broken chart $1"
  ok "broken chart $1: the rollout check failed naming deployment/orders ('$3'), rolled back"
}
expect_broken probe-port 60 "Readiness probe failed"
expect_broken missing-env 120 "ECONNREFUSED 127.0.0.1:5432"
expect_broken root 60 "violates PodSecurity"

# 11. helm uninstall leaves nothing of the release.
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
rm -rf "$overrides" "$loadlog" "$supergraph" "$hpa_values" "$broken" "$STATE_DIR"
echo "CLUSTER TEST OK in $((SECONDS - T0)) s"
