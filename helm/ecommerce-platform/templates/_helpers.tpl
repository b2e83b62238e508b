{{/*
Names and labels. A service's objects are named after the service (`orders`, `router`): the
supergraph.yaml key, the Deployment, Service, ServiceAccount, app.kubernetes.io/name and the metrics
`service` label are one word (DESIGN.md). Objects that belong to the release as a whole carry the
release name.
*/}}

{{- define "ecommerce.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object: the common ones plus name and component. Args: root, name, component, [versionTag]. */}}
{{- define "ecommerce.labels" -}}
{{- $root := .root -}}
helm.sh/chart: {{ include "ecommerce.chart" $root }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/version: {{ .versionTag | default (include "ecommerce.imageTag" (dict "root" $root "image" (dict))) | quote }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: ecommerce-platform
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
{{- with $root.Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The selector of a service's pods (stable across upgrades). Args: root, name. */}}
{{- define "ecommerce.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* metadata.name + namespace + labels. Args: root, name, component, [objectName]. */}}
{{- define "ecommerce.metadata" -}}
name: {{ .objectName | default .name }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "ecommerce.labels" . | nindent 2 }}
{{- end }}

{{/* The image tag: the service's, else the global one, else the chart's appVersion. Args: root, image. */}}
{{- define "ecommerce.imageTag" -}}
{{- .image.tag | default .root.Values.global.image.tag | default .root.Chart.AppVersion -}}
{{- end }}

{{/* repository:tag (or repository@digest) of a service's image. Args: root, name, image. */}}
{{- define "ecommerce.image" -}}
{{- $global := .root.Values.global.image -}}
{{- $repository := .image.repository | default (printf "%s/%s%s" $global.registry $global.namePrefix .name) -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (include "ecommerce.imageTag" .) -}}
{{- end -}}
{{- end }}

{{- define "ecommerce.pullPolicy" -}}
{{- .image.pullPolicy | default .root.Values.global.image.pullPolicy -}}
{{- end }}

{{/*
A service's settings as YAML: every key of `defaults`, the service's own value where it sets the key
(replacing the default as a whole, so `false`, `0` and `{}` override too). Args: root, svc.
*/}}
{{- define "ecommerce.settings" -}}
{{- $settings := dict -}}
{{- range $key, $default := .root.Values.defaults -}}
{{- $_ := set $settings $key (ternary (get $.svc $key) $default (hasKey $.svc $key)) -}}
{{- end -}}
{{- toYaml $settings -}}
{{- end }}

{{/* The in-cluster /graphql URL of a subgraph. Args: root, name. */}}
{{- define "ecommerce.subgraphUrl" -}}
{{- $svc := get .root.Values.subgraphs .name -}}
{{- printf "http://%s:%d/graphql" .name (int $svc.port) -}}
{{- end }}

{{/* Restricted pod securityContext (Pod Security "restricted"): non-root numeric user 10001. */}}
{{- define "ecommerce.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "ecommerce.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Whether KEDA scales a subgraph (keda.enabled and the subgraph consumes Kafka). Args: root, svc. */}}
{{- define "ecommerce.kedaScaled" -}}
{{- if and .root.Values.keda.enabled .svc.kafka .svc.kafka.consumes -}}true{{- end -}}
{{- end }}

{{/* KAFKA_BROKERS: the Strimzi bootstrap Service, or the external servers. */}}
{{- define "ecommerce.kafkaBrokers" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{- printf "%s-kafka-bootstrap:9092" .Values.kafka.strimzi.name -}}
{{- else -}}
{{- required "kafka.external.bootstrapServers is required when kafka.strimzi.enabled is false" .Values.kafka.external.bootstrapServers -}}
{{- end -}}
{{- end }}

{{/* A physical topic or group name: KAFKA_NAMESPACE + the logical name. Args: root, name. */}}
{{- define "ecommerce.kafkaName" -}}
{{- printf "%s%s" .root.Values.global.kafkaNamespace .name -}}
{{- end }}

{{/* The environment every subgraph shares: database, Redis, Kafka, tokens. Args: root, name, svc. */}}
{{- define "ecommerce.subgraphEnv" -}}
{{- $root := .root -}}
{{- $pg := $root.Values.postgres -}}
{{- if $pg.cnpg.enabled }}
{{- $secret := printf "%s-app" $pg.cnpg.name }}
- name: PGUSER
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: username
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: password
{{- $host := ternary (printf "%s-pooler-rw" $pg.cnpg.name) (printf "%s-rw" $pg.cnpg.name) $pg.cnpg.pooler.enabled }}
# CloudNativePG's generated passwords are alphanumeric, so they need no escaping in the URL.
- name: DATABASE_URL
  value: {{ printf "postgres://$(PGUSER):$(PGPASSWORD)@%s:5432/postgres" $host | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "postgres.external.existingSecret is required when postgres.cnpg.enabled is false" $pg.external.existingSecret }}
      key: {{ $pg.external.existingSecretKey }}
{{- end }}
{{- if .svc.redis }}
{{- include "ecommerce.redisEnv" $root }}
{{- end }}
- name: KAFKA_BROKERS
  value: {{ include "ecommerce.kafkaBrokers" $root | quote }}
- name: KAFKA_NAMESPACE
  value: {{ $root.Values.global.kafkaNamespace | quote }}
{{- if ne .name $root.Values.jwks.subgraph }}
- name: AUTH_JWKS_URL
  value: {{ printf "http://%s:%d%s" $root.Values.jwks.subgraph (int (get $root.Values.subgraphs $root.Values.jwks.subgraph).port) $root.Values.jwks.path | quote }}
{{- end }}
{{- range $callee := .svc.entityCalls }}
- name: {{ printf "%s_URL" (upper $callee) }}
  value: {{ include "ecommerce.subgraphUrl" (dict "root" $root "name" $callee) | quote }}
{{- end }}
{{- end }}

{{/* REDIS_URL: the chart's Redis (with REDIS_PASSWORD when auth is on) or the external one. */}}
{{- define "ecommerce.redisEnv" -}}
{{- $redis := .Values.redis -}}
{{- if $redis.enabled }}
{{- if $redis.auth.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.auth.existingSecret }}
      key: {{ $redis.auth.existingSecretKey }}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:6379" $redis.name | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "redis://%s:6379" $redis.name | quote }}
{{- end }}
{{- else if $redis.external.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $redis.external.existingSecret }}
      key: {{ $redis.external.existingSecretKey }}
{{- else }}
- name: REDIS_URL
  value: {{ required "redis.external.url or redis.external.existingSecret is required when redis.enabled is false" $redis.external.url | quote }}
{{- end }}
{{- end }}

{{/* Plain `env` (sorted) and `secretEnv` of a service. Args: svc. */}}
{{- define "ecommerce.extraEnv" -}}
{{- range $name, $value := .svc.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- range $name, $ref := .svc.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secretName }}
      key: {{ $ref.key }}
{{- end }}
{{- end }}

{{/* topologySpreadConstraints of a service's pods. Args: root, name. */}}
{{- define "ecommerce.topologySpread" -}}
{{- $spread := .root.Values.topologySpread -}}
{{- if $spread.enabled }}
topologySpreadConstraints:
{{- range $key := $spread.topologyKeys }}
  - maxSkew: {{ $spread.maxSkew }}
    topologyKey: {{ $key }}
    whenUnsatisfiable: {{ $spread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "ecommerce.selectorLabels" $ | nindent 8 }}
    matchLabelKeys:
      - pod-template-hash
{{- end }}
{{- end }}
{{- end }}

{{/* The three probes on a port. Args: root. */}}
{{- define "ecommerce.probes" -}}
{{- $p := .root.Values.probes -}}
startupProbe:
  httpGet:
    path: /health/live
    port: http
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
livenessProbe:
  httpGet:
    path: /health/live
    port: http
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
readinessProbe:
  httpGet:
    path: /health/ready
    port: http
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
{{- end }}

{{/*
Whether a service runs canary pods: canary.enabled and the service is in canary.services (which
needs istio.enabled: only the VirtualServices split traffic by weight). Args: root, name.
*/}}
{{- define "ecommerce.canary" -}}
{{- $canary := .root.Values.canary -}}
{{- if $canary.enabled -}}
{{- if not .root.Values.istio.enabled -}}
{{- fail "canary.enabled needs istio.enabled (the VirtualServices split the traffic)" -}}
{{- end -}}
{{- if has .name $canary.services -}}true{{- end -}}
{{- end -}}
{{- end }}

{{/* A service's in-cluster host name. Args: root, name. */}}
{{- define "ecommerce.host" -}}
{{- printf "%s.%s.svc.cluster.local" .name .root.Release.Namespace -}}
{{- end }}

{{/* An Istio principal of a service account. Args: root, namespace, serviceAccount. */}}
{{- define "ecommerce.principal" -}}
{{- printf "%s/ns/%s/sa/%s" .root.Values.istio.trustDomain .namespace .serviceAccount -}}
{{- end }}
