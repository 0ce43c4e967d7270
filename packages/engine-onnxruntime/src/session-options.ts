import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import { ServingError, StatusCode, type ModelLoadOptions } from '@ovms/core';

type PluginConfig = NonNullable<ModelLoadOptions['pluginConfig']>;
type PluginValue = PluginConfig[string];

const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'layout', 'all'] as const;
const EXECUTION_MODES = ['sequential', 'parallel'] as const;

/**
 * `plugin_config` keys the onnxruntime engine understands. `INFERENCE_NUM_THREADS` is the
 * OpenVINO spelling, accepted so one config serves both engines; the rest are ORT's own
 * SessionOptions names.
 */
export const SUPPORTED_PLUGIN_CONFIG_KEYS = [
  'INFERENCE_NUM_THREADS',
  'intraOpNumThreads',
  'interOpNumThreads',
  'graphOptimizationLevel',
  'executionMode',
] as const;

function invalid(detail: string): ServingError {
  return new ServingError(StatusCode.PLUGIN_CONFIG_WRONG_FORMAT, detail);
}

/** OVMS configs often carry numbers as strings ("4"); both spellings are accepted. */
function threadCount(key: string, value: PluginValue): number {
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw invalid(
      `plugin_config ${key} must be a non-negative integer; actual: ${JSON.stringify(value)}`,
    );
  }
  return count;
}

function oneOf<T extends string>(key: string, value: PluginValue, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw invalid(
    `plugin_config ${key} must be one of ${allowed.join(', ')}; actual: ${JSON.stringify(value)}`,
  );
}

/**
 * ORT SessionOptions from an OVMS `plugin_config`. Unknown keys are refused at load with the
 * list of supported ones, so a config written for OpenVINO (e.g. PERFORMANCE_HINT) fails
 * loudly instead of being silently ignored.
 */
export function sessionOptionsFromPluginConfig(
  pluginConfig: PluginConfig = {},
): InferenceSession.SessionOptions {
  const options: {
    -readonly [K in keyof InferenceSession.SessionOptions]: InferenceSession.SessionOptions[K];
  } = {
    executionProviders: ['cpu'],
    // ORT would print run failures straight to stderr; they reach callers as ServingErrors.
    logSeverityLevel: 4,
  };
  for (const [key, value] of Object.entries(pluginConfig)) {
    switch (key) {
      case 'INFERENCE_NUM_THREADS':
      case 'intraOpNumThreads': {
        const count = threadCount(key, value);
        if (options.intraOpNumThreads !== undefined && options.intraOpNumThreads !== count) {
          throw invalid(
            `plugin_config INFERENCE_NUM_THREADS and intraOpNumThreads disagree: ${options.intraOpNumThreads} vs ${count}`,
          );
        }
        options.intraOpNumThreads = count;
        break;
      }
      case 'interOpNumThreads':
        options.interOpNumThreads = threadCount(key, value);
        break;
      case 'graphOptimizationLevel':
        options.graphOptimizationLevel = oneOf(key, value, OPTIMIZATION_LEVELS);
        break;
      case 'executionMode':
        options.executionMode = oneOf(key, value, EXECUTION_MODES);
        break;
      default:
        throw invalid(
          `plugin_config key ${key} is not supported by onnxruntime engine; supported keys: ${SUPPORTED_PLUGIN_CONFIG_KEYS.join(', ')}`,
        );
    }
  }
  return options;
}

/**
 * `options` with the cores shared between a model's `sessions` (its nireq worker threads, each
 * running one session at a time) where plugin_config leaves the intra-op threads to ORT. ORT's
 * own default gives every session a pool of one thread per core that spins between runs, so 4
 * sessions on 2 cores ran 8 threads: the heavy MLP at 4 in flight spent 6,100–9,000 µs of CPU
 * per request against 3,000–3,500 with one thread per session, at 0.4–0.7× the throughput.
 */
export function shareCores(
  options: InferenceSession.SessionOptions,
  sessions: number,
  cores: number = availableParallelism(),
): InferenceSession.SessionOptions {
  if (options.intraOpNumThreads !== undefined) return options;
  return { ...options, intraOpNumThreads: Math.max(1, Math.floor(cores / Math.max(sessions, 1))) };
}
