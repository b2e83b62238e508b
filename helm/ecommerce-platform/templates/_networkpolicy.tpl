{{/* Peers and ports the NetworkPolicies share. */}}

{{/* The pods of one service of this release, as a NetworkPolicyPeer. Args: root, name. */}}
{{- define "ecommerce.peer" -}}
- podSelector:
    matchLabels:
      {{- include "ecommerce.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* Egress of a pod's Istio sidecar to istiod (xDS, certificates), when istio.enabled. */}}
{{- define "ecommerce.meshEgress" -}}
{{- if .Values.istio.enabled }}
- to:
    {{- toYaml .Values.istio.controlPlane | nindent 4 }}
  ports:
    - protocol: TCP
      port: 15012
{{- end }}
{{- end }}

{{/* Egress to the cluster DNS. */}}
{{- define "ecommerce.dnsEgress" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}

{{/*
Egress to an external service: its peers on its port, or any address on that port when no peers
are given (an egress rule without `to` matches every destination). Args: external.
*/}}
{{- define "ecommerce.externalEgress" -}}
- ports:
    - protocol: TCP
      port: {{ .port }}
  {{- with .peers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* Egress of a subgraph to Postgres, Kafka and (when it uses it) Redis. Args: root, svc. */}}
{{- define "ecommerce.infrastructureEgress" -}}
{{- $v := .root.Values -}}
{{- if $v.postgres.cnpg.enabled }}
- to:
    - podSelector:
        matchLabels:
          cnpg.io/cluster: {{ $v.postgres.cnpg.name }}
    {{- if $v.postgres.cnpg.pooler.enabled }}
    - podSelector:
        matchLabels:
          cnpg.io/poolerName: {{ printf "%s-pooler-rw" $v.postgres.cnpg.name }}
    {{- end }}
  ports:
    - protocol: TCP
      port: 5432
{{- else }}
{{- include "ecommerce.externalEgress" $v.postgres.external | nindent 0 }}
{{- end }}
{{- if $v.kafka.strimzi.enabled }}
- to:
    - podSelector:
        matchLabels:
          strimzi.io/cluster: {{ $v.kafka.strimzi.name }}
          strimzi.io/kind: Kafka
  ports:
    - protocol: TCP
      port: 9092
{{- else }}
{{- include "ecommerce.externalEgress" $v.kafka.external | nindent 0 }}
{{- end }}
{{- if .svc.redis }}
{{- if $v.redis.enabled }}
- to:
    {{- include "ecommerce.peer" (dict "root" .root "name" $v.redis.name) | nindent 4 }}
  ports:
    - protocol: TCP
      port: 6379
{{- else }}
{{- include "ecommerce.externalEgress" $v.redis.external | nindent 0 }}
{{- end }}
{{- end }}
{{- end }}

{{/* Ingress of /metrics scrapes on a service's port, when ServiceMonitors are rendered. Args: root, svc. */}}
{{- define "ecommerce.metricsIngress" -}}
{{- if .root.Values.serviceMonitor.enabled }}
- from:
    {{- toYaml .root.Values.networkPolicy.metricsFrom | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ .svc.port }}
{{- end }}
{{- end }}
