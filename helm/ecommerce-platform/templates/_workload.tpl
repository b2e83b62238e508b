{{/*
The objects every service has (a subgraph or the router), each a function of
(root, name, svc, component): Deployment, Service, ServiceAccount, PodDisruptionBudget,
HorizontalPodAutoscaler and ServiceMonitor. templates/subgraphs/ ranges them over
.Values.subgraphs; templates/router/ renders them once for the router.
*/}}

{{/*
Deployment. Extra args: env (YAML list text of the service's own variables), volumes and
volumeMounts (YAML list text, besides /tmp), scaled (true when an HPA or KEDA owns replicas),
preStop (sleep preStopSleepSeconds before SIGTERM), canary (true: the Deployment <name>-canary of
canary.replicas pods labelled version=canary on canary.image.tag, selected by that label too; the
stable pods are labelled version=stable, and the Service selects both).
*/}}
{{- define "ecommerce.deployment" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $s := include "ecommerce.settings" . | fromYaml -}}
{{- $image := $svc.image | default dict -}}
{{- $version := "stable" -}}
{{- if .canary }}
{{- $version = "canary" -}}
{{- $_ := set $s "replicas" $root.Values.canary.replicas -}}
{{- $image = dict "repository" $image.repository "pullPolicy" $image.pullPolicy "tag" (required "canary.image.tag is required when canary.enabled is true" $root.Values.canary.image.tag) -}}
{{- $_ := set . "objectName" (printf "%s-canary" .name) -}}
{{- $_ := set . "versionTag" $image.tag -}}
{{- end }}
{{- $imageArgs := dict "root" $root "name" .name "image" $image -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "ecommerce.metadata" . | nindent 2 }}
spec:
  {{- if not .scaled }}
  replicas: {{ $s.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "ecommerce.selectorLabels" . | nindent 6 }}
      {{- if .canary }}
      version: canary
      {{- end }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # Never below the wanted count, one new pod at a time (also one start-up migration at a time).
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "ecommerce.labels" . | nindent 8 }}
        {{- with $s.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        # The DestinationRules' subsets (stable, canary) select by it.
        version: {{ $version }}
      {{- with $s.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ .name }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $s.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "ecommerce.podSecurityContext" . | nindent 8 }}
      {{- with $root.Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      {{- with $s.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $s.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $s.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $s.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- include "ecommerce.topologySpread" . | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: {{ include "ecommerce.image" $imageArgs | quote }}
          imagePullPolicy: {{ include "ecommerce.pullPolicy" $imageArgs }}
          # A container that exits before writing /dev/termination-log leaves its last log lines as its
          # termination message (kubectl describe pod, the pod's lastState).
          terminationMessagePolicy: FallbackToLogsOnError
          # No command: the image's own (node dist/<service>/main.mjs), so SIGTERM reaches Node.
          ports:
            - name: http
              containerPort: {{ $svc.port }}
              protocol: TCP
          env:
            - name: NODE_ENV
              value: {{ $root.Values.global.nodeEnv | quote }}
            - name: LOG_LEVEL
              value: {{ $root.Values.global.logLevel | quote }}
            - name: HOST
              value: "0.0.0.0"
            - name: PORT
              value: {{ $svc.port | quote }}
            - name: JWT_ISSUER
              value: {{ $root.Values.global.jwt.issuer | quote }}
            - name: JWT_AUDIENCE
              value: {{ $root.Values.global.jwt.audience | quote }}
            {{- .env | nindent 12 }}
            {{- include "ecommerce.extraEnv" . | nindent 12 }}
          {{- include "ecommerce.probes" . | nindent 10 }}
          {{- if .preStop }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $root.Values.preStopSleepSeconds }}
          {{- end }}
          resources:
            {{- toYaml $s.resources | nindent 12 }}
          securityContext:
            {{- include "ecommerce.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        # The root filesystem is read-only; /tmp is the only writable place.
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
{{- end }}

{{- define "ecommerce.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "ecommerce.metadata" . | nindent 2 }}
spec:
  type: ClusterIP
  selector:
    {{- include "ecommerce.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .svc.port }}
      targetPort: http
      protocol: TCP
      appProtocol: http
{{- end }}

{{- define "ecommerce.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "ecommerce.metadata" . | nindent 2 }}
# The services never call the Kubernetes API.
automountServiceAccountToken: false
{{- end }}

{{- define "ecommerce.podDisruptionBudget" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "ecommerce.metadata" . | nindent 2 }}
spec:
  maxUnavailable: {{ .root.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "ecommerce.selectorLabels" . | nindent 6 }}
{{- end }}

{{- define "ecommerce.horizontalPodAutoscaler" -}}
{{- $range := (include "ecommerce.settings" . | fromYaml).autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "ecommerce.metadata" . | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $range.minReplicas }}
  maxReplicas: {{ $range.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .root.Values.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .root.Values.autoscaling.targetMemoryUtilizationPercentage }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {{ .root.Values.autoscaling.scaleDownStabilizationSeconds }}
{{- end }}

{{- define "ecommerce.serviceMonitor" -}}
{{- $sm := .root.Values.serviceMonitor -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "ecommerce.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "ecommerce.selectorLabels" . | nindent 6 }}
  endpoints:
    # Prometheus Operator labels targets with service=<Service name>, which is the service's name.
    - port: http
      path: /metrics
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
      {{- with .root.Values.istio }}
      {{- if .enabled }}
      # Under STRICT mTLS Prometheus scrapes with the workload certificate its sidecar writes
      # (the certificate names no host, so the name is not verified; the chain is).
      scheme: https
      tlsConfig:
        caFile: {{ .prometheus.certDir }}/root-cert.pem
        certFile: {{ .prometheus.certDir }}/cert-chain.pem
        keyFile: {{ .prometheus.certDir }}/key.pem
        insecureSkipVerify: true
      {{- end }}
      {{- end }}
{{- end }}
