import { isIP } from 'node:net';
import { STATEFUL_ONLY_MESSAGE } from './model-config-schema.js';
import { ArgsError } from './server-options.js';
import type { ServerSettings } from './server-options.js';

export type FlagValues = ReadonlyMap<string, string | number | boolean>;

const MAX_PORT = 65535;
const HOSTNAME =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** Flags that only make sense for one model given on the command line. */
export const SINGLE_MODEL_FLAGS = [
  'batch_size',
  'shape',
  'layout',
  'model_version_policy',
  'nireq',
  'target_device',
  'plugin_config',
  'stateful',
  'idle_sequence_cleanup',
  'low_latency_transformation',
  'max_sequence_number',
  'dynamic_batching',
  'task',
  'max_num_seqs',
  'max_num_batched_tokens',
  'cache_size',
  'enable_prefix_caching',
] as const;

/**
 * OVMS's mode rules (Config::validate), with its messages: a config file or a model name and
 * path, never both; model parameters only without a config file. OVMS lets layout and the
 * stateful flags slip through silently with a config file; we refuse them too.
 */
export function checkModeFlags(values: FlagValues): void {
  const has = (name: string) => values.has(name);
  if (has('config_path') && (has('model_name') || has('model_path')))
    throw new ArgsError('Use either config_path or model_path with model_name', 'config_path');
  checkRepositoryFlags(values);
  if (
    !has('config_path') &&
    !has('model_repository_path') &&
    !(has('model_name') && has('model_path'))
  )
    throw new ArgsError(
      'Use config_path or model_path with model_name',
      has('model_name') ? 'model_path' : 'model_name',
    );
  const clash = has('config_path') ? SINGLE_MODEL_FLAGS.find(has) : undefined;
  if (clash !== undefined)
    throw new ArgsError(
      `Model parameters in CLI are exclusive with the config file - --${clash} applies to single-model mode only`,
      clash,
    );
}

/** `--model_repository_path` stands beside a config file, not a single model; the mode needs it. */
function checkRepositoryFlags(values: FlagValues): void {
  const has = (name: string) => values.has(name);
  if (has('model_repository_path') && (has('model_name') || has('model_path')))
    throw new ArgsError(
      'Use either model_repository_path or model_path with model_name',
      'model_repository_path',
    );
  if (has('model_control_mode') && !has('model_repository_path'))
    throw new ArgsError(
      'model_control_mode needs model_repository_path: the models it loads are its folders',
      'model_control_mode',
    );
  const mode = values.get('model_control_mode');
  if (mode !== undefined && mode !== 'none' && mode !== 'explicit')
    throw new ArgsError(
      `--model_control_mode: expected none or explicit; got ${JSON.stringify(mode)}`,
      'model_control_mode',
    );
}

/** OVMS's server setting rules (Config::validate), in its order and wording. */
export function checkSettings(
  settings: ServerSettings,
  values: FlagValues,
  cpuCount: number | undefined,
): void {
  const { port, restPort } = settings;
  if (settings.grpcWorkers < 1 || (cpuCount !== undefined && settings.grpcWorkers > cpuCount))
    throw new ArgsError(
      `grpc_workers count should be from 1 to CPU core count${cpuCount === undefined ? '' : ` : ${cpuCount}`}`,
      'grpc_workers',
    );
  if (settings.metricsEnable && restPort === 0)
    throw new ArgsError(
      'rest_port setting is missing, metrics are enabled on rest port',
      'rest_port',
    );
  if (!settings.metricsEnable && settings.metricsList !== undefined)
    throw new ArgsError(
      'metrics_enable setting is missing, required when metrics_list is provided',
      'metrics_enable',
    );
  if (port === 0 && restPort === 0)
    throw new ArgsError('port and rest_port cannot both be unset', 'port');
  if (settings.restWorkers !== undefined && settings.restWorkers < 2)
    throw new ArgsError('rest_workers count should be at least 2', 'rest_workers');
  if (settings.restWorkers !== undefined && restPort === 0)
    throw new ArgsError(
      'rest_workers is set but rest_port is not set. rest_port is required to start rest servers',
      'rest_workers',
    );
  if (port > MAX_PORT)
    throw new ArgsError(`port number out of range from 0 to ${MAX_PORT}`, 'port');
  if (restPort > MAX_PORT)
    throw new ArgsError(`rest_port number out of range from 0 to ${MAX_PORT}`, 'rest_port');
  for (const flag of ['rest_bind_address', 'grpc_bind_address'] as const) {
    const address =
      flag === 'rest_bind_address' ? settings.restBindAddress : settings.grpcBindAddress;
    // IPv6 is accepted too (OVMS's check is IPv4/hostname only): Node binds "::" fine.
    if (isIP(address) === 0 && !HOSTNAME.test(address))
      throw new ArgsError(
        `${flag} has invalid format: proper hostname or IP address expected.`,
        flag,
      );
  }
  if (port === restPort && port !== 0)
    throw new ArgsError('port and rest_port cannot have the same values', 'rest_port');
  checkTlsFlags(settings);
  const statefulOnly = [
    'low_latency_transformation',
    'max_sequence_number',
    'idle_sequence_cleanup',
  ];
  if (statefulOnly.some((flag) => values.has(flag)) && values.get('stateful') !== true)
    throw new ArgsError(STATEFUL_ONLY_MESSAGE, 'stateful');
}

/** TLS takes a certificate and its key together; mutual TLS is TLS plus a client CA. */
function checkTlsFlags(settings: ServerSettings): void {
  const { tlsCert, tlsKey, tlsClientCa } = settings;
  if (tlsCert !== undefined && tlsKey === undefined)
    throw new ArgsError('tls_cert is set but tls_key is not: TLS needs both', 'tls_key');
  if (tlsKey !== undefined && tlsCert === undefined)
    throw new ArgsError('tls_key is set but tls_cert is not: TLS needs both', 'tls_cert');
  if (tlsClientCa !== undefined && tlsCert === undefined)
    throw new ArgsError(
      'tls_client_ca needs tls_cert and tls_key: mutual TLS is served over TLS',
      'tls_client_ca',
    );
}
