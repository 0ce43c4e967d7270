{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "ovms.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, prefixed with the chart name unless it already holds it. */}}
{{- define "ovms.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ovms.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ovms.labels" -}}
helm.sh/chart: {{ include "ovms.chart" . }}
{{ include "ovms.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ovms.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ovms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ovms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ovms.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
How models are given: "config" (a ConfigMap the chart renders), "existing" (a ConfigMap the
user manages) or "single" (flags). Fails on none or more than one.
*/}}
{{- define "ovms.modelSource" -}}
{{- $m := .Values.models }}
{{- $sources := list }}
{{- if $m.config }}{{ $sources = append $sources "config" }}{{ end }}
{{- if $m.existingConfigMap }}{{ $sources = append $sources "existing" }}{{ end }}
{{- if $m.single.path }}{{ $sources = append $sources "single" }}{{ end }}
{{- if ne (len $sources) 1 }}
{{- fail (printf "models: set exactly one of models.config, models.existingConfigMap, models.single.path (found: %v); set models.config to null to use single-model flags or an existing ConfigMap" $sources) }}
{{- end }}
{{- if and (eq (first $sources) "single") (not $m.single.name) }}
{{- fail "models.single.name is required with models.single.path" }}
{{- end }}
{{- first $sources }}
{{- end }}

{{- define "ovms.configMapName" -}}
{{- if .Values.models.existingConfigMap }}
{{- .Values.models.existingConfigMap }}
{{- else }}
{{- include "ovms.fullname" . }}-config
{{- end }}
{{- end }}

{{/* The server's command line after the image's ENTRYPOINT, one flag per item. */}}
{{- define "ovms.args" -}}
{{- $source := include "ovms.modelSource" . -}}
- {{ printf "--port=%v" (.Values.ports.grpc) | quote }}
- {{ printf "--rest_port=%v" (.Values.ports.rest) | quote }}
{{- if eq $source "single" }}
{{- $s := .Values.models.single }}
- {{ printf "--model_name=%v" ($s.name) | quote }}
- {{ printf "--model_path=%v" ($s.path) | quote }}
{{- with $s.targetDevice }}
- {{ printf "--target_device=%v" (.) | quote }}
{{- end }}
{{- if ne (toString $s.nireq) "" }}
- {{ printf "--nireq=%v" ($s.nireq) | quote }}
{{- end }}
{{- if ne (toString $s.batchSize) "" }}
- {{ printf "--batch_size=%v" ($s.batchSize) | quote }}
{{- end }}
{{- with $s.shape }}
- {{ printf "--shape=%v" (.) | quote }}
{{- end }}
{{- with $s.layout }}
- {{ printf "--layout=%v" (.) | quote }}
{{- end }}
{{- with $s.modelVersionPolicy }}
- {{ printf "--model_version_policy=%v" (toJson .) | quote }}
{{- end }}
{{- with $s.pluginConfig }}
- {{ printf "--plugin_config=%v" (toJson .) | quote }}
{{- end }}
{{- else }}
- {{ printf "--config_path=/config/%v" (.Values.models.configKey) | quote }}
{{- end }}
- {{ printf "--file_system_poll_wait_seconds=%v" (.Values.server.fileSystemPollWaitSeconds) | quote }}
- {{ printf "--log_level=%v" (.Values.server.logLevel) | quote }}
{{- if .Values.modelCache.enabled }}
- {{ printf "--cache_dir=%v" (.Values.modelCache.mountPath) | quote }}
{{- end }}
{{- if .Values.server.metrics.enabled }}
- "--metrics_enable"
{{- with .Values.server.metrics.list }}
- {{ printf "--metrics_list=%v" (.) | quote }}
{{- end }}
{{- end }}
{{- if .Values.tls.existingSecret }}
- "--tls_cert=/etc/ovms/tls/tls.crt"
- "--tls_key=/etc/ovms/tls/tls.key"
{{- with .Values.tls.clientCa.existingSecret }}
- {{ printf "--tls_client_ca=/etc/ovms/client-ca/%v" ($.Values.tls.clientCa.key) | quote }}
{{- end }}
{{- end }}
{{- with .Values.apiKey.existingSecret }}
- {{ printf "--api_key_file=/etc/ovms/api-key/%v" ($.Values.apiKey.key) | quote }}
{{- end }}
{{- range .Values.server.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/*
How Kubernetes probes the server: "http" (/v2/health/live and /v2/health/ready on the REST port)
or "grpc" (grpc.health.v1 Check on the gRPC port; service "" is SERVING once the models' first
load is over). probes.protocol auto picks http while REST is on, grpc when it is off.
*/}}
{{- define "ovms.probeProtocol" -}}
{{- $restOn := ne (int .Values.ports.rest) 0 }}
{{- $grpcOn := ne (int .Values.ports.grpc) 0 }}
{{- if not (or $restOn $grpcOn) }}
{{- fail "ports: ports.grpc and ports.rest are both 0; the server needs one of them" }}
{{- end }}
{{- if and .Values.server.metrics.enabled (not $restOn) }}
{{- fail "server.metrics.enabled needs the REST port: /metrics is served there; set ports.rest or disable metrics" }}
{{- end }}
{{- $protocol := .Values.probes.protocol }}
{{- if eq $protocol "auto" }}
{{- $protocol = ternary "http" "grpc" $restOn }}
{{- end }}
{{- if and (eq $protocol "http") (not $restOn) }}
{{- fail "probes.protocol http needs the REST port (ports.rest is 0); use grpc or auto" }}
{{- else if and (eq $protocol "grpc") (not $grpcOn) }}
{{- fail "probes.protocol grpc needs the gRPC port (ports.grpc is 0); use http or auto" }}
{{- else if not (has $protocol (list "http" "grpc")) }}
{{- fail (printf "probes.protocol must be auto, http or grpc (got %v)" $protocol) }}
{{- end }}
{{- $protocol }}
{{- end }}

{{/*
Transport security of both ports: "" (plaintext), "tls" or "mtls". Fails on a client CA
without TLS, and on mutual TLS without the client certificate the probes need.
*/}}
{{- define "ovms.tlsMode" -}}
{{- $tls := .Values.tls }}
{{- if and $tls.clientCa.existingSecret (not $tls.existingSecret) }}
{{- fail "tls.clientCa needs tls.existingSecret: mutual TLS is served over TLS" }}
{{- end }}
{{- if and $tls.clientCa.existingSecret (not $tls.probeClientSecret) }}
{{- fail "tls.clientCa needs tls.probeClientSecret: with mutual TLS the kubelet's probes present no client certificate" }}
{{- end }}
{{- if $tls.clientCa.existingSecret }}mtls{{ else if $tls.existingSecret }}tls{{ end }}
{{- end }}

{{/*
How a probe asks the REST health path (dict "root" . "path" "/v2/health/…"): plain or HTTPS
httpGet (the kubelet skips certificate checks), or, with mutual TLS, a request from inside the
pod with the probe client certificate (the server's identity is not what a probe checks).
*/}}
{{- define "ovms.probeAction" -}}
{{- $mode := include "ovms.tlsMode" .root -}}
{{- if eq $mode "mtls" -}}
exec:
  command:
    - node
    - -e
    - >-
      const fs = require('fs'), dir = '/etc/ovms/probe-client/';
      require('https').get({ host: '127.0.0.1', port: process.env.HEALTH_PORT, path: process.argv[1],
      cert: fs.readFileSync(dir + 'tls.crt'), key: fs.readFileSync(dir + 'tls.key'),
      rejectUnauthorized: false, timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1))
      .on('error', () => process.exit(1)).on('timeout', () => process.exit(1));
    - {{ .path }}
{{- else -}}
httpGet:
  path: {{ .path }}
  port: http
  {{- if eq $mode "tls" }}
  scheme: HTTPS
  {{- end }}
{{- end }}
{{- end }}

{{/*
A probe's handler; the argument is (list $ "live"|"ready"). gRPC has one answer for both and
speaks plaintext only, so TLS keeps the probes on the REST port (HTTPS).
*/}}
{{- define "ovms.probeHandler" -}}
{{- $root := index . 0 }}
{{- if eq (include "ovms.probeProtocol" $root) "grpc" }}
{{- if include "ovms.tlsMode" $root }}
{{- fail "gRPC probes speak plaintext only: with TLS on, keep ports.rest on and probes.protocol http or auto" }}
{{- end }}
grpc:
  port: {{ $root.Values.ports.grpc }}
{{- else }}
{{- include "ovms.probeAction" (dict "root" $root "path" (printf "/v2/health/%s" (index . 1))) }}
{{- end }}
{{- end }}
