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
}

const UINT32_MAX = 4294967295;

const server = (name: string, kind: FlagKind, help: string, max?: number): FlagSpec => ({
  name,
  kind,
  group: 'server',
  help,
  ...(max !== undefined && { max }),
});
const single = (name: string, kind: FlagKind, help: string): FlagSpec => ({
  name,
  kind,
  group: 'single model',
  help,
});

export const FLAGS: readonly FlagSpec[] = [
  server('help', 'bool', 'Show this help message and exit'),
  server('version', 'bool', 'Show binary version'),
  server('port', 'uint', 'gRPC server port (default 0: gRPC off)'),
  server(
    'grpc_bind_address',
    'string',
    'Network interface address for the gRPC API (default 0.0.0.0)',
  ),
  server('rest_port', 'uint', 'REST server port (default 0: REST off)'),
  server(
    'rest_bind_address',
    'string',
    'Network interface address for the REST API (default 0.0.0.0)',
  ),
  server('grpc_workers', 'uint', 'Number of gRPC servers (default 1)'),
  server('grpc_max_threads', 'uint', 'Maximum number of gRPC server threads (default: by CPUs)'),
  server(
    'grpc_memory_quota',
    'uint',
    'gRPC server buffer memory quota in bytes (default 2GB)',
    Number.MAX_SAFE_INTEGER,
  ),
  server(
    'grpc_channel_arguments',
    'string',
    'Comma separated gRPC server arguments, e.g. grpc.max_connection_age_ms=2000',
  ),
  server('rest_workers', 'uint', 'Number of REST worker threads (default: by CPUs)'),
  server('log_level', 'string', 'One of TRACE, DEBUG, INFO, WARNING, ERROR (default INFO)'),
  server('log_path', 'string', 'Optional path to the log file'),
  server(
    'file_system_poll_wait_seconds',
    'uint',
    'Seconds between config and model version checks (default 1; 0: off)',
  ),
  server(
    'sequence_cleaner_poll_wait_minutes',
    'uint',
    'Minutes between idle sequence cleanups (default 5; 0: off)',
  ),
  server(
    'custom_node_resources_cleaner_interval_seconds',
    'uint',
    'Seconds between custom node resource cleanups (default 300)',
  ),
  server('cache_dir', 'string', 'Model cache directory'),
  server('cpu_extension', 'string', 'Shared library with custom CPU layers'),
  server('metrics_enable', 'bool', 'Enable the metrics endpoint on rest_port (default false)'),
  server('metrics_list', 'string', 'Comma separated list of metrics to enable'),
  server('allowed_origins', 'string', 'Comma separated CORS origins (default *)'),
  server('allowed_methods', 'string', 'Comma separated CORS methods (default *)'),
  server('allowed_headers', 'string', 'Comma separated CORS headers (default *)'),
  server('allow_credentials', 'bool', 'Allow CORS credentials (default false)'),
  {
    name: 'config_path',
    kind: 'string',
    group: 'multi model',
    help: 'Path to the config.json file (or its directory)',
  },
  single('model_name', 'string', 'Name of the model'),
  single('model_path', 'string', 'Folder with model versions, or a single model file'),
  single('batch_size', 'string', 'Model batch size: a number or auto; ignored when shape is set'),
  single('shape', 'string', 'Model shape: (1,3,224,224), auto, or JSON {"input":"(1,3)"}'),
  single('layout', 'string', 'Model layout: NHWC:NCHW, or JSON per tensor'),
  single('model_version_policy', 'string', 'JSON, e.g. {"latest":{"num_versions":2}}'),
  single('nireq', 'uint', 'Size of the infer request pool (0: engine default)'),
  single('target_device', 'string', 'CPU, GPU, NPU, AUTO, HETERO:…, MULTI:… (default CPU)'),
  single('plugin_config', 'string', 'JSON, e.g. {"PERFORMANCE_HINT":"LATENCY"}'),
  single('stateful', 'bool', 'The model is stateful'),
  single(
    'idle_sequence_cleanup',
    'bool',
    'Stateful: subject to idle sequence cleanup (default true)',
  ),
  single('low_latency_transformation', 'bool', 'Stateful: apply the low latency transformation'),
  single('max_sequence_number', 'uint', 'Stateful: maximum concurrent sequences'),
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
