/**
 * Every `ovms` flag ovms-ts accepts, with OVMS's defaults (src/cli_parser.cpp) and help text.
 * HF pull, config management (`--add_to_config`…), MediaPipe and LLM flags are not accepted.
 */
export type FlagKind = 'string' | 'uint' | 'bool';
export type FlagGroup = 'server' | 'multi model' | 'single model';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly group: FlagGroup;
  readonly help: string;
  /** Upper bound for `uint` flags (uint32 unless stated). */
  readonly max?: number;
  /** Default as the reference shows it (docs/cli.md); absent: unset. Descriptive only. */
  readonly default?: string;
  /** What ovms-ts does with the flag, where the help line does not say it (docs/cli.md). */
  readonly notes?: string;
}

/** Descriptive fields for docs/cli.md (scripts/gen-cli-docs.ts); the parser ignores them. */
type FlagDocs = Pick<FlagSpec, 'default' | 'notes'>;

const UINT32_MAX = 4294967295;

const server = (
  name: string,
  kind: FlagKind,
  help: string,
  docs: FlagDocs = {},
  max?: number,
): FlagSpec => ({
  name,
  kind,
  group: 'server',
  help,
  ...docs,
  ...(max !== undefined && { max }),
});
const single = (name: string, kind: FlagKind, help: string, docs: FlagDocs = {}): FlagSpec => ({
  name,
  kind,
  group: 'single model',
  help,
  ...docs,
});

const NO_EFFECT = 'Accepted for compatibility; no effect in ovms-ts.';
const NOT_SERVED = 'Parsed and validated; stateful models are not served yet.';

export const FLAGS: readonly FlagSpec[] = [
  server('help', 'bool', 'Show this help message and exit'),
  server('version', 'bool', 'Show binary version'),
  server('port', 'uint', 'gRPC server port (default 0: gRPC off)', {
    default: '0 (off)',
    notes: 'TF Serving and KServe gRPC services. One of `--port` and `--rest_port` is required.',
  }),
  server(
    'grpc_bind_address',
    'string',
    'Network interface address for the gRPC API (default 0.0.0.0)',
    { default: '0.0.0.0', notes: 'IPv4, IPv6 or hostname.' },
  ),
  server('rest_port', 'uint', 'REST server port (default 0: REST off)', {
    default: '0 (off)',
    notes: 'TF Serving REST, KServe v2 REST, `/v1/config`, `/metrics`. Must differ from `--port`.',
  }),
  server(
    'rest_bind_address',
    'string',
    'Network interface address for the REST API (default 0.0.0.0)',
    { default: '0.0.0.0', notes: 'IPv4, IPv6 or hostname.' },
  ),
  server('grpc_workers', 'uint', 'Number of gRPC servers (default 1)', {
    default: '1',
    notes:
      '1 to the CPU count. 1: the main thread serves gRPC. More: that many transport loops (worker threads accepting on the port with SO_REUSEPORT) run HTTP/2, protobuf and tensor encoding; models stay loaded once, in the main thread (docs/performance.md "Transport loops").',
  }),
  server('grpc_max_threads', 'uint', 'Maximum number of gRPC server threads (default: by CPUs)', {
    notes: `${NO_EFFECT} grpc-js has no thread pool.`,
  }),
  server(
    'grpc_memory_quota',
    'uint',
    'gRPC server buffer memory quota in bytes (default 2GB)',
    { notes: `${NO_EFFECT} grpc-js has no memory quota.` },
    Number.MAX_SAFE_INTEGER,
  ),
  server(
    'grpc_channel_arguments',
    'string',
    'Comma separated gRPC server arguments, e.g. grpc.max_connection_age_ms=2000',
    {
      notes:
        '`key=value` pairs passed to the grpc-js server as channel options; integer values become numbers. They override the HTTP/2 limits ovms-ts sets (docs/security.md "Limits").',
    },
  ),
  server('rest_workers', 'uint', 'Number of REST transport loops (default: none)', {
    notes:
      'At least 2; needs `--rest_port`. Absent: the main thread serves REST (OVMS sizes its pool by CPUs; here loops measured slower on 2 CPUs). Set: that many transport loops (threads on the port, SO_REUSEPORT) run HTTP, TLS, body limits and the KServe infer / TF Serving predict decoding and encoding; the model call and every other route are answered by the main thread (docs/performance.md "Transport loops").',
  }),
  server('log_level', 'string', 'One of TRACE, DEBUG, INFO, WARNING, ERROR (default INFO)', {
    default: 'INFO',
  }),
  server('log_path', 'string', 'Optional path to the log file', {
    default: 'stdout',
    notes: 'The log is appended to the file; missing folders are created.',
  }),
  server(
    'file_system_poll_wait_seconds',
    'uint',
    'Seconds between config and model version checks (default 1; 0: off)',
    {
      default: '1',
      notes:
        'Both the config file and every model repository (local or bucket) are checked; 0 turns monitoring off.',
    },
  ),
  server(
    'sequence_cleaner_poll_wait_minutes',
    'uint',
    'Minutes between idle sequence cleanups (default 5; 0: off)',
    { default: '5', notes: NOT_SERVED },
  ),
  server(
    'custom_node_resources_cleaner_interval_seconds',
    'uint',
    'Seconds between custom node resource cleanups (default 300)',
    { default: '300', notes: NO_EFFECT },
  ),
  server('cache_dir', 'string', 'Model cache directory', {
    notes:
      "OpenVINO's compiled-model cache (`CACHE_DIR`); models with `shape` or `batch_size` `auto` skip it unless `allow_cache` is true. onnxruntime has no such cache.",
  }),
  server('cpu_extension', 'string', 'Shared library with custom CPU layers', { notes: NO_EFFECT }),
  server(
    'plugins',
    'string',
    'Comma separated ESM modules registering storage backends and engines',
    {
      notes:
        'Paths resolve against the working directory; loaded at start, before the config.json `plugins`. A module that cannot load stops the start. See docs/plugins.md.',
    },
  ),
  server('metrics_enable', 'bool', 'Enable the metrics endpoint on rest_port (default false)', {
    default: 'false',
    notes: '`GET /metrics` on the REST port; needs `--rest_port`. See docs/metrics.md.',
  }),
  server('metrics_list', 'string', 'Comma separated list of metrics to enable', {
    default: "OVMS's default set",
    notes: 'Needs `--metrics_enable`; an unknown name stops the start.',
  }),
  server('allowed_origins', 'string', 'Comma separated CORS origins (default *)', {
    default: '*',
    notes:
      'REST only. An origin not listed gets no `Access-Control-Allow-Origin`; with `--allow_credentials` the origin is echoed instead of `*`. See docs/security.md.',
  }),
  server('allowed_methods', 'string', 'Comma separated CORS methods (default *)', {
    default: '*',
    notes: 'Sent in preflight answers; `*` echoes the method the browser asks for.',
  }),
  server('allowed_headers', 'string', 'Comma separated CORS headers (default *)', {
    default: '*',
    notes:
      'Sent in preflight answers; `*` echoes the headers the browser asks for (a literal `*` would not cover `Authorization`).',
  }),
  server('allow_credentials', 'bool', 'Allow CORS credentials (default false)', {
    default: 'false',
    notes: 'Sends `Access-Control-Allow-Credentials: true`.',
  }),
  // Transport security (ovms-ts additions; OVMS offers only an NGINX sidecar): docs/security.md.
  server('tls_cert', 'string', 'PEM certificate (chain): gRPC and REST serve TLS only', {
    notes: 'Needs `--tls_key`. Plaintext connections to either port are refused.',
  }),
  server('tls_key', 'string', 'PEM private key of --tls_cert', {
    notes: 'Needs `--tls_cert`; must match its certificate.',
  }),
  server('tls_client_ca', 'string', 'PEM CA bundle: clients must present a certificate it signed', {
    notes: 'Mutual TLS on both ports; needs `--tls_cert` and `--tls_key`.',
  }),
  server('api_key_file', 'string', 'File holding the API key clients must send as a Bearer token', {
    notes:
      'REST `Authorization: Bearer <key>`, gRPC metadata `authorization: Bearer <key>`; else 401 / UNAUTHENTICATED. Health probes stay open. Surrounding whitespace is ignored; an empty file stops the start.',
  }),
  // Server limits (docs/security.md "Limits"): sizes, the memory budget, REST timeouts.
  server(
    'max_message_bytes',
    'uint',
    'Largest REST body or gRPC message in bytes, received or sent (default 268435456)',
    {
      default: '268435456 (256 MiB)',
      notes:
        'A larger REST body is refused with 413 before it is read (from `Content-Length`, else while it streams); a larger gRPC message with RESOURCE_EXHAUSTED. OVMS allows 1 GiB; see docs/security.md for why the default is lower.',
    },
    Number.MAX_SAFE_INTEGER,
  ),
  server(
    'memory_budget_bytes',
    'uint',
    'Bytes of requests in flight before new ones are refused (default 1073741824; 0: no cap)',
    {
      default: '1073741824 (1 GiB)',
      notes:
        'Shared by REST and gRPC: bodies being read and messages being inferred. A request that would pass it is refused at once with 503 / RESOURCE_EXHAUSTED, never queued.',
    },
    Number.MAX_SAFE_INTEGER,
  ),
  server(
    'rest_headers_timeout_seconds',
    'uint',
    'Seconds a REST client has to send its request headers (default 60; 0: none)',
    { default: '60', notes: 'A client still sending headers then gets 408 and is disconnected.' },
  ),
  server(
    'rest_request_timeout_seconds',
    'uint',
    'Seconds a REST client has to send a whole request, body included (default 300; 0: none)',
    {
      default: '300',
      notes:
        'A client that stalls its body then gets 408 and is disconnected; the time the model takes does not count. At least `--rest_headers_timeout_seconds`.',
    },
  ),
  server(
    'rest_keep_alive_timeout_seconds',
    'uint',
    'Seconds an idle keep-alive REST connection stays open (default 5)',
    { default: '5' },
  ),
  {
    name: 'config_path',
    kind: 'string',
    group: 'multi model',
    help: 'Path to the config.json file (or its directory)',
    notes:
      'A local path or a bucket URI (`s3://`, `gs://`, `az://`, `azfs://`); watched for changes. Exclusive with `--model_name` / `--model_path`. See docs/config-json.md.',
  },
  // Triton's model repository and control mode (ovms-ts additions): docs/model-control.md.
  {
    name: 'model_repository_path',
    kind: 'string',
    group: 'multi model',
    help: 'Folder whose subfolders are models of their names (OVMS version folders inside)',
    notes:
      "Local path. Served beside `--config_path`'s models (the config file wins a name) and listed by the repository index; exclusive with `--model_name` / `--model_path`. See docs/model-control.md.",
  },
  {
    name: 'model_control_mode',
    kind: 'string',
    group: 'multi model',
    help: 'none: load the repository at start; explicit: load and unload models by API',
    default: 'none',
    notes:
      "Needs `--model_repository_path`. In `explicit` mode nothing of the repository loads at start; Triton's load/unload requests do it. In `none` they are refused. See docs/model-control.md.",
  },
  single('model_name', 'string', 'Name of the model', {
    notes: 'Required with `--model_path`.',
  }),
  single('model_path', 'string', 'Folder with model versions, or a single model file', {
    notes: 'Local path or bucket URI. See docs/model-repository.md.',
  }),
  single('batch_size', 'string', 'Model batch size: a number or auto; ignored when shape is set'),
  single('shape', 'string', 'Model shape: (1,3,224,224), auto, or JSON {"input":"(1,3)"}'),
  single('layout', 'string', 'Model layout: NHWC:NCHW, or JSON per tensor'),
  single('model_version_policy', 'string', 'JSON, e.g. {"latest":{"num_versions":2}}', {
    default: '{"latest":{"num_versions":1}}',
  }),
  single('nireq', 'uint', 'Size of the infer request pool (0: engine default)', {
    default: '0 (engine default)',
  }),
  single('target_device', 'string', 'CPU, GPU, NPU, AUTO, HETERO:…, MULTI:… (default CPU)', {
    default: 'CPU',
  }),
  single('plugin_config', 'string', 'JSON, e.g. {"PERFORMANCE_HINT":"LATENCY"}'),
  single('stateful', 'bool', 'The model is stateful', { default: 'false', notes: NOT_SERVED }),
  single(
    'idle_sequence_cleanup',
    'bool',
    'Stateful: subject to idle sequence cleanup (default true)',
    { default: 'true', notes: NOT_SERVED },
  ),
  single('low_latency_transformation', 'bool', 'Stateful: apply the low latency transformation', {
    default: 'false',
    notes: NOT_SERVED,
  }),
  single('max_sequence_number', 'uint', 'Stateful: maximum concurrent sequences', {
    notes: NOT_SERVED,
  }),
  single(
    'dynamic_batching',
    'string',
    'JSON {"max_batch_size":N,"max_queue_delay_microseconds":D}',
    {
      notes: 'ovms-ts extension; docs/config-json.md.',
    },
  ),
  single('task', 'string', 'text_generation: serve an LLM on the OpenAI API (/v3)', {
    notes: 'The model path is a `.gguf` file or an OpenVINO GenAI folder. See docs/genai.md.',
  }),
  single('max_num_seqs', 'uint', 'Text generation: sequences in one continuous batch'),
  single('max_num_batched_tokens', 'uint', 'Text generation: tokens in one scheduler step'),
  single('cache_size', 'uint', 'Text generation: GB of KV cache (0: grow as needed)'),
  single(
    'enable_prefix_caching',
    'bool',
    'Text generation: reuse the KV cache of shared prompt prefixes',
  ),
];

export const FLAG_BY_NAME: ReadonlyMap<string, FlagSpec> = new Map(FLAGS.map((f) => [f.name, f]));

export function flagMax(spec: FlagSpec): number {
  return spec.max ?? UINT32_MAX;
}

/** The `--help` text, grouped as OVMS groups it. */
export function helpText(program = 'ovms'): string {
  const usage = [
    'Usage:',
    `  ${program} --config_path <CONFIG_PATH> [--port <PORT>] [--rest_port <REST_PORT>] [options]`,
    `  ${program} --model_name <NAME> --model_path <PATH> [--port <PORT>] [--rest_port <REST_PORT>] [options]`,
  ];
  const width = Math.max(...FLAGS.map((f) => flagUsage(f).length)) + 2;
  const groups: FlagGroup[] = ['server', 'multi model', 'single model'];
  const sections = groups.map((group) =>
    [
      `${group} options:`,
      ...FLAGS.filter((f) => f.group === group).map(
        (f) => `  ${flagUsage(f).padEnd(width)}${f.help}`,
      ),
    ].join('\n'),
  );
  return [usage.join('\n'), ...sections].join('\n\n') + '\n';
}

function flagUsage(spec: FlagSpec): string {
  return spec.kind === 'bool' ? `--${spec.name}` : `--${spec.name} ${spec.name.toUpperCase()}`;
}
