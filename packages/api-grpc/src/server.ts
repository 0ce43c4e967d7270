import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ChannelOptions, UntypedServiceImplementation } from '@grpc/grpc-js';
import { createMemoryBudget, silentLogger } from '@ovms/core';
import type { Logger, MemoryBudget, ServerTls } from '@ovms/core';
import { admissionInterceptor, measuredDefinition } from './admission.js';
import type { MessageSizes } from './admission.js';
import { createApiKeyInterceptor } from './api-key-interceptor.js';
import { serviceBindings } from './services.js';
import type { GrpcServiceBinding } from './services.js';
import type { GrpcServices } from './services.js';

/**
 * Largest message accepted or sent by default: 1 GiB, as OVMS raises gRPC's 4 MiB default so
 * that image batches fit in one Predict.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;

/**
 * HTTP/2 limits set explicitly rather than left to grpc-js, whose defaults are unlimited
 * (docs/security.md "Limits"); `--grpc_channel_arguments` overrides each, as in OVMS.
 * - max_concurrent_streams: calls one connection may have open; more wait in the client.
 * - keepalive: ping a silent client every 2 h (gRPC core's default) and drop it if it does not
 *   answer in 20 s, so dead peers do not hold connections.
 * - max_connection_idle_ms: a connection with no call for 30 min is closed with GOAWAY;
 *   clients reconnect on their next call.
 * - enable_channelz 0: grpc-js's channelz bookkeeping (per-call counters and socket traces)
 *   feeds a channelz service this server does not serve; it cost a tiny model's request
 *   6–10 µs of the event loop's CPU (docs/performance.md "Hot path").
 */
export const DEFAULT_GRPC_CHANNEL_OPTIONS: Readonly<ChannelOptions> = {
  'grpc.max_concurrent_streams': 256,
  'grpc.keepalive_time_ms': 7_200_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.max_connection_idle_ms': 1_800_000,
  'grpc.enable_channelz': 0,
};

export interface GrpcServerOptions {
  readonly services: GrpcServices;
  /** Address to bind, e.g. "0.0.0.0" (OVMS `--grpc_bind_address`) or "::". */
  readonly host: string;
  /** Port to bind; 0 picks a free one (see `RunningGrpcServer.port`). */
  readonly port: number;
  /** grpc-js server options (OVMS `--grpc_channel_arguments`); they win over the defaults. */
  readonly channelOptions?: ChannelOptions;
  /** Receive and send message limit; DEFAULT_MAX_MESSAGE_BYTES when absent. */
  readonly maxMessageBytes?: number;
  /**
   * The server-wide budget of bytes in flight, shared with REST: a request message it cannot
   * hold is answered RESOURCE_EXHAUSTED. Default: one of its own with no cap.
   */
  readonly memoryBudget?: MemoryBudget;
  /** Serve TLS only (mutual TLS with `clientCa`); absent: insecure, as OVMS. */
  readonly tls?: ServerTls;
  /** Every call but OPEN_GRPC_CALLS wants `authorization: Bearer <apiKey>`; absent: open. */
  readonly apiKey?: string;
  /** Where refused calls are logged (debug). */
  readonly logger?: Logger;
}

export interface RunningGrpcServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /**
   * Stops accepting calls, lets calls in flight finish for up to `graceMs`, then cancels what
   * is left. Resolves once the server has stopped.
   */
  close(graceMs: number): Promise<void>;
}

function address(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** ServerCredentials for `tls`: insecure when absent, as OVMS. */
export function credentials(tls: ServerTls | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const keyPair = { private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) };
  const clientCa = tls.clientCa === undefined ? null : Buffer.from(tls.clientCa);
  return ServerCredentials.createSsl(clientCa, [keyPair], clientCa !== null);
}

/** What a grpc-js Server serving OVMS's services is built from (one per event loop). */
export interface ServingServerOptions {
  readonly bindings: readonly GrpcServiceBinding<UntypedServiceImplementation>[];
  readonly channelOptions: ChannelOptions | undefined;
  readonly maxMessageBytes: number;
  readonly memoryBudget: MemoryBudget;
  readonly apiKey: string | undefined;
  readonly logger: Logger;
}

/**
 * A grpc-js Server with OVMS's limits, the API key check and memory-budget admission in front
 * of `bindings`; not bound to any port yet.
 */
export function createServingServer(options: ServingServerOptions): Server {
  const maxBytes = options.maxMessageBytes;
  const sizes: MessageSizes = new WeakMap();
  const server = new Server({
    ...DEFAULT_GRPC_CHANNEL_OPTIONS,
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    ...options.channelOptions,
    // The key is checked first: a call without it is refused before its message is leased.
    interceptors: [
      ...(options.apiKey !== undefined
        ? [createApiKeyInterceptor({ apiKey: options.apiKey, logger: options.logger })]
        : []),
      admissionInterceptor(options.memoryBudget, sizes),
    ],
  });
  for (const service of options.bindings) {
    server.addService(measuredDefinition(service.definition, sizes), service.implementation);
  }
  return server;
}

/**
 * Starts a grpc-js server serving `services` on host:port: insecure as OVMS unless `tls` is
 * given, open unless `apiKey` is.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = createServingServer({
    bindings: serviceBindings(options.services),
    channelOptions: options.channelOptions,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    memoryBudget: options.memoryBudget ?? createMemoryBudget(0),
    apiKey: options.apiKey,
    logger: options.logger ?? silentLogger,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      address(options.host, options.port),
      credentials(options.tls),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });
  return {
    port,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        // NOT_SERVING to health watchers, whose streams end: they would hold the drain open.
        options.services.healthService.shutdown();
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
