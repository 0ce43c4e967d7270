import { resolve } from 'node:path';
import { FLAG_BY_NAME, flagMax, helpText } from './cli-flags.js';
import type { FlagSpec } from './cli-flags.js';
import { checkModeFlags, checkSettings } from './cli-validate.js';
import type { FlagValues } from './cli-validate.js';
import { parseDynamicBatching } from './dynamic-batching.js';
import { TEXT_GENERATION_TASK, toModelConfig } from './model-config-schema.js';
import type { RawModelConfig } from './model-config-schema.js';
import { parseBatchSize, parsePluginConfig, parseVersionPolicy } from './model-settings.js';
import { resolveBasePath } from './parse-config.js';
import type { ServerConfig } from './server-config.js';
import { ArgsError, LOG_LEVELS } from './server-options.js';
import type { CliCommand, LogLevel, ModelSource, ServerSettings } from './server-options.js';
import { readLimitSettings } from './limit-settings.js';
import type { SettingResult } from './setting-result.js';
import { parseLayoutSetting, parseShapeSetting } from './shape-layout.js';

export interface ParseServerArgsOptions {
  /** Directory that relative --model_path / --config_path resolve against; absent: kept as written. */
  readonly cwd?: string;
  /** CPU core count, the upper bound of --grpc_workers (OVMS); absent: only >= 1 is checked. */
  readonly cpuCount?: number;
  /** Program name shown in the help text. */
  readonly program?: string;
}

/**
 * Parses `ovms` flags (`--flag value` and `--flag=value`; booleans also bare) into one command:
 * help, version, or serve with settings and a model source. Throws ArgsError naming the flag for
 * unknown flags, missing or malformed values and OVMS's mode/setting rules. No argument at all
 * asks for help, as OVMS does. Reads nothing from the process: argv and cwd are parameters.
 */
export function parseServerArgs(
  argv: readonly string[],
  options: ParseServerArgsOptions = {},
): CliCommand {
  const values = tokenize(argv);
  if (values.get('version') === true) return { kind: 'version' };
  if (argv.length === 0 || values.get('help') === true)
    return { kind: 'help', text: helpText(options.program) };
  checkModeFlags(values);
  const settings = buildSettings(values, options.cwd);
  const models = buildModelSource(values, options.cwd);
  checkSettings(settings, values, options.cpuCount);
  const repositoryPath = str(values, 'model_repository_path');
  const modelRepository =
    repositoryPath === undefined
      ? undefined
      : ({
          path: options.cwd === undefined ? repositoryPath : resolve(options.cwd, repositoryPath),
          controlMode: str(values, 'model_control_mode') === 'explicit' ? 'explicit' : 'none',
        } as const);
  return {
    kind: 'serve',
    options: { settings, models, ...(modelRepository !== undefined && { modelRepository }) },
  };
}

function tokenize(argv: readonly string[]): Map<string, string | number | boolean> {
  const values = new Map<string, string | number | boolean>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '-h') {
      values.set('help', true);
      continue;
    }
    if (!arg.startsWith('--') || arg.length === 2)
      throw new ArgsError(`unexpected argument ${JSON.stringify(arg)} - flags start with --`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = FLAG_BY_NAME.get(name);
    if (spec === undefined) throw new ArgsError(`unknown flag --${name}`, name);
    let text = eq === -1 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    if (spec.kind === 'bool') {
      // cxxopts only takes `--flag` or `--flag=v`; a following true/false is unambiguous too.
      if (text === undefined && (next === 'true' || next === 'false')) {
        text = next;
        i += 1;
      }
      values.set(name, parseBool(spec, text));
      continue;
    }
    if (text === undefined) {
      if (next === undefined || next.startsWith('--'))
        throw new ArgsError(`--${name}: missing value`, name);
      text = next;
      i += 1;
    }
    // The last occurrence wins, as with cxxopts.
    values.set(name, spec.kind === 'uint' ? parseUint(spec, text) : text);
  }
  return values;
}

function parseBool(spec: FlagSpec, text: string | undefined): boolean {
  if (text === undefined || text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new ArgsError(
    `--${spec.name}: expected true or false; got ${JSON.stringify(text)}`,
    spec.name,
  );
}

function parseUint(spec: FlagSpec, text: string): number {
  const max = flagMax(spec);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value <= max))
    throw new ArgsError(
      `--${spec.name}: expected an integer from 0 to ${max}; got ${JSON.stringify(text)}`,
      spec.name,
    );
  return value;
}

const str = (values: FlagValues, name: string) => {
  const value = values.get(name);
  return typeof value === 'string' ? value : undefined;
};
const num = (values: FlagValues, name: string) => {
  const value = values.get(name);
  return typeof value === 'number' ? value : undefined;
};
const list = (text: string | undefined) =>
  text
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function buildSettings(values: FlagValues, cwd: string | undefined): ServerSettings {
  const logLevel = str(values, 'log_level') ?? 'INFO';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ArgsError(`log_level should be one of: ${LOG_LEVELS.join(', ')}`, 'log_level');
  const metricsList = list(str(values, 'metrics_list'));
  const optional = {
    grpcMaxThreads: num(values, 'grpc_max_threads'),
    grpcMemoryQuota: num(values, 'grpc_memory_quota'),
    restWorkers: num(values, 'rest_workers'),
    logPath: str(values, 'log_path'),
    cacheDir: str(values, 'cache_dir'),
    cpuExtension: str(values, 'cpu_extension') || undefined,
    metricsList: metricsList?.length ? metricsList : undefined,
    ...securityFiles(values, cwd),
  };
  return {
    port: num(values, 'port') ?? 0,
    restPort: num(values, 'rest_port') ?? 0,
    grpcBindAddress: str(values, 'grpc_bind_address') ?? '0.0.0.0',
    restBindAddress: str(values, 'rest_bind_address') ?? '0.0.0.0',
    grpcWorkers: num(values, 'grpc_workers') ?? 1,
    grpcChannelArguments: parseChannelArguments(str(values, 'grpc_channel_arguments')),
    logLevel: logLevel as LogLevel,
    fileSystemPollWaitSeconds: num(values, 'file_system_poll_wait_seconds') ?? 1,
    sequenceCleanerPollWaitMinutes: num(values, 'sequence_cleaner_poll_wait_minutes') ?? 5,
    customNodeResourcesCleanerIntervalSeconds:
      num(values, 'custom_node_resources_cleaner_interval_seconds') ?? 300,
    metricsEnable: values.get('metrics_enable') === true,
    allowedOrigins: list(str(values, 'allowed_origins')) ?? ['*'],
    allowedMethods: list(str(values, 'allowed_methods')) ?? ['*'],
    allowedHeaders: list(str(values, 'allowed_headers')) ?? ['*'],
    allowCredentials: values.get('allow_credentials') === true,
    plugins: (list(str(values, 'plugins')) ?? []).map((path) =>
      cwd === undefined ? path : resolve(cwd, path),
    ),
    limits: readLimitSettings(values),
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, value]) => value !== undefined),
    ) as Partial<ServerSettings>),
  };
}

/** The TLS and API key file flags, as paths resolved against `cwd`. */
function securityFiles(values: FlagValues, cwd: string | undefined) {
  const path = (flag: string): string | undefined => {
    const text = str(values, flag);
    if (text === undefined) return undefined;
    if (text.trim() === '') throw new ArgsError(`--${flag}: expected a file path`, flag);
    return cwd === undefined ? text : resolve(cwd, text);
  };
  return {
    tlsCert: path('tls_cert'),
    tlsKey: path('tls_key'),
    tlsClientCa: path('tls_client_ca'),
    apiKeyFile: path('api_key_file'),
  };
}

function parseChannelArguments(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of list(text) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new ArgsError(
        `--grpc_channel_arguments: expected key=value pairs separated by commas; got ${JSON.stringify(pair)}`,
        'grpc_channel_arguments',
      );
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function task(values: FlagValues): typeof TEXT_GENERATION_TASK | undefined {
  const value = str(values, 'task');
  if (value === undefined || value === TEXT_GENERATION_TASK) return value;
  throw new ArgsError(
    `--task: expected ${TEXT_GENERATION_TASK} (the only task ovms-ts serves); got ${value}`,
    'task',
  );
}

function buildModelSource(values: FlagValues, cwd: string | undefined): ModelSource {
  const configPath = str(values, 'config_path');
  if (configPath !== undefined)
    return {
      kind: 'config-file',
      configPath: cwd === undefined ? configPath : resolve(cwd, configPath),
    };
  if (!values.has('model_name') && values.has('model_repository_path'))
    return { kind: 'repository' };
  const setting = <T>(name: string, parse: (value: unknown) => SettingResult<T>): T | undefined => {
    const text = str(values, name);
    if (text === undefined) return undefined;
    const result = parse(text);
    if (!result.ok) throw new ArgsError(`--${name}: ${result.message}`, name);
    return result.value;
  };
  const flag = (name: string) => {
    const value = values.get(name);
    return typeof value === 'boolean' ? value : undefined;
  };
  const raw: RawModelConfig = {
    name: str(values, 'model_name') ?? '',
    base_path: str(values, 'model_path') ?? '',
    batch_size: setting('batch_size', parseBatchSize),
    shape: setting('shape', parseShapeSetting),
    layout: setting('layout', parseLayoutSetting),
    model_version_policy: setting('model_version_policy', parseVersionPolicy),
    nireq: num(values, 'nireq'),
    target_device: str(values, 'target_device'),
    plugin_config: setting('plugin_config', parsePluginConfig),
    stateful: flag('stateful'),
    idle_sequence_cleanup: flag('idle_sequence_cleanup'),
    low_latency_transformation: flag('low_latency_transformation'),
    max_sequence_number: num(values, 'max_sequence_number'),
    dynamic_batching: setting('dynamic_batching', parseDynamicBatching),
    task: task(values),
    max_num_seqs: num(values, 'max_num_seqs'),
    max_num_batched_tokens: num(values, 'max_num_batched_tokens'),
    cache_size: num(values, 'cache_size'),
    enable_prefix_caching: flag('enable_prefix_caching'),
  };
  const resolvePath = (path: string) => (cwd === undefined ? path : resolveBasePath(path, cwd));
  const config: ServerConfig = {
    models: [toModelConfig(raw, resolvePath)],
    pipelines: [],
    customNodeLibraries: [],
  };
  return { kind: 'single-model', config };
}
