import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ChannelOptions } from '@grpc/grpc-js';
import { silentLogger } from '@ovms/core';
import type { Logger, ServerTls } from '@ovms/core';
import { createApiKeyInterceptor } from './api-key-interceptor.js';
import type { GrpcServices } from './services.js';

/**
 * Largest message accepted or sent by default: 1 GiB, as OVMS raises gRPC's 4 MiB default so
 * that image batches fit in one Predict.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;

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

function credentials(tls: ServerTls | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const keyPair = { private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) };
  const clientCa = tls.clientCa === undefined ? null : Buffer.from(tls.clientCa);
  return ServerCredentials.createSsl(clientCa, [keyPair], clientCa !== null);
}

/**
 * Starts a grpc-js server serving `services` on host:port: insecure as OVMS unless `tls` is
 * given, open unless `apiKey` is.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const server = new Server({
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    ...options.channelOptions,
    ...(options.apiKey !== undefined && {
      interceptors: [
        createApiKeyInterceptor({
          apiKey: options.apiKey,
          logger: options.logger ?? silentLogger,
        }),
      ],
    }),
  });
  const { predictionService, modelService, inferenceService } = options.services;
  server.addService(predictionService.definition, predictionService.implementation);
  server.addService(modelService.definition, modelService.implementation);
  server.addService(inferenceService.definition, inferenceService.implementation);
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
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
