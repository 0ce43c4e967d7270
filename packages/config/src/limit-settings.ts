import type { FlagValues } from './cli-validate.js';
import { ArgsError } from './server-options.js';

/**
 * How much one client may send and for how long: size limits, the memory budget and the REST
 * timeouts (docs/security.md "Limits"). gRPC's HTTP/2 limits take their defaults from api-grpc
 * and are changed with `--grpc_channel_arguments`, as in OVMS.
 */
export interface LimitSettings {
  /** Largest REST body or gRPC message, received or sent (`--max_message_bytes`). */
  readonly maxMessageBytes: number;
  /** Bytes of requests in flight before new ones are refused; 0 = no cap (`--memory_budget_bytes`). */
  readonly memoryBudgetBytes: number;
  /** Time allowed for a REST request's headers (`--rest_headers_timeout_seconds`); 0 = none. */
  readonly restHeadersTimeoutSeconds: number;
  /** Time allowed for a whole REST request, body included (`--rest_request_timeout_seconds`); 0 = none. */
  readonly restRequestTimeoutSeconds: number;
  /** How long an idle keep-alive REST connection stays open (`--rest_keep_alive_timeout_seconds`). */
  readonly restKeepAliveTimeoutSeconds: number;
}

const MIB = 1024 * 1024;

/**
 * 256 MiB per message and 1 GiB in flight. OVMS allows 1 GiB messages, but a Node process
 * has one heap (~2 GB by default on a 4 GB machine, ~4 GB at most) and holds request bytes
 * and the tensors decoded from them outside it, in the same RSS: four maximum-size requests
 * at once fit a container of a few GB, and a client cannot push one process into the OOM
 * killer by itself. Timeouts are Node's own defaults, set explicitly so they are documented.
 */
export const DEFAULT_LIMITS: LimitSettings = {
  maxMessageBytes: 256 * MIB,
  memoryBudgetBytes: 1024 * MIB,
  restHeadersTimeoutSeconds: 60,
  restRequestTimeoutSeconds: 300,
  restKeepAliveTimeoutSeconds: 5,
};

/** The limit flags over DEFAULT_LIMITS; refuses combinations Node would reject at start. */
export function readLimitSettings(values: FlagValues): LimitSettings {
  const num = (name: string, fallback: number): number => {
    const value = values.get(name);
    return typeof value === 'number' ? value : fallback;
  };
  const limits: LimitSettings = {
    maxMessageBytes: num('max_message_bytes', DEFAULT_LIMITS.maxMessageBytes),
    memoryBudgetBytes: num('memory_budget_bytes', DEFAULT_LIMITS.memoryBudgetBytes),
    restHeadersTimeoutSeconds: num(
      'rest_headers_timeout_seconds',
      DEFAULT_LIMITS.restHeadersTimeoutSeconds,
    ),
    restRequestTimeoutSeconds: num(
      'rest_request_timeout_seconds',
      DEFAULT_LIMITS.restRequestTimeoutSeconds,
    ),
    restKeepAliveTimeoutSeconds: num(
      'rest_keep_alive_timeout_seconds',
      DEFAULT_LIMITS.restKeepAliveTimeoutSeconds,
    ),
  };
  if (limits.maxMessageBytes === 0)
    throw new ArgsError(
      '--max_message_bytes: expected at least 1 byte; got 0',
      'max_message_bytes',
    );
  const { restHeadersTimeoutSeconds: headers, restRequestTimeoutSeconds: request } = limits;
  if (headers > 0 && request > 0 && headers > request)
    throw new ArgsError(
      `--rest_headers_timeout_seconds must not exceed --rest_request_timeout_seconds; got ${headers} > ${request}`,
      'rest_headers_timeout_seconds',
    );
  return limits;
}
