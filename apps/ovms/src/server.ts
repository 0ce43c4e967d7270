import { startGrpcLoops, startGrpcServer } from '@ovms/api-grpc';
import type { RunningGrpcServer } from '@ovms/api-grpc';
import { startRestLoops, startRestServer } from '@ovms/api-rest';
import { DASHBOARD_PATH } from '@ovms/dashboard';
import type { RestServer } from '@ovms/api-rest';
import { readConfigFile } from '@ovms/config';
import type { ServerConfig, ServerOptions } from '@ovms/config';
import type { Engine, Logger } from '@ovms/core';
import { toChannelOptions } from './grpc-options.js';
import { resolveMetricsSettings } from './metrics.js';
import type { StorageOptions } from './repository.js';
import { createServingStack } from './serving-stack.js';
import { readTransportSecurity } from './transport-security.js';

/** Grace given to requests in flight when the server stops, before connections are cut. */
export const DEFAULT_DRAIN_MS = 5_000;

export interface StartServerOptions {
  /** Settings and model source, as `parseServerArgs` returns them. */
  readonly options: ServerOptions;
  /** Version reported by KServe ServerMetadata and `GET /v2`. */
  readonly version: string;
  readonly logger: Logger;
  /** The project root (OpenVINO's `.cache/python` lives there). */
  readonly projectRoot: string;
  /** Environment for the OpenVINO lookup (OPENVINO_LIB_DIR, PYTHONPATH). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Engines to serve with instead of the default choice (benches pin one); plugins add theirs. */
  readonly engines?: readonly Engine[];
  /** Cloud storage settings (main.ts passes the environment); absent: none. */
  readonly storage?: StorageOptions;
  /**
   * Ports to bind instead of `--port` / `--rest_port` (0 = any free port); a transport the
   * flags turned off (port 0) stays off. Tests and benches use it to run on ephemeral ports.
   */
  readonly bindPorts?: { readonly grpc?: number; readonly rest?: number };
  /** How long stop() lets requests in flight finish; DEFAULT_DRAIN_MS when absent. */
  readonly drainMs?: number;
}

export interface RunningServer {
  /** The bound gRPC port; undefined when gRPC is off. */
  readonly grpcPort: number | undefined;
  /** The bound REST port; undefined when REST is off. */
  readonly restPort: number | undefined;
  /**
   * Settles when the initial model load is over: resolved when the server is ready (failed
   * versions included, as OVMS), rejected when the config cannot be read.
   */
  readonly loaded: Promise<void>;
  /** Stops accepting, drains requests in flight (bounded), unloads every model. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the server in OVMS's order: metrics, the model manager created, gRPC and REST
 * listening (live, not ready), then the models load in the background (`loaded`). Rejects,
 * with nothing left running, when the config file is invalid, a metric name is unknown or a
 * port cannot be bound.
 */
export async function startServer(start: StartServerOptions): Promise<RunningServer> {
  const { settings } = start.options;
  const logger = start.logger;
  const grpcPort = settings.port === 0 ? undefined : (start.bindPorts?.grpc ?? settings.port);
  const restPort =
    settings.restPort === 0 ? undefined : (start.bindPorts?.rest ?? settings.restPort);
  const security = await readTransportSecurity(settings);
  const initialConfig = await readInitialConfig(start.options);
  const models = start.options.models;
  const stack = await createServingStack({
    config: initialConfig,
    ...(models.kind === 'config-file' && { configPath: models.configPath }),
    ...(start.options.modelRepository !== undefined && {
      modelRepository: start.options.modelRepository,
    }),
    ...(settings.cacheDir !== undefined && { cacheDir: settings.cacheDir }),
    // Plugins load before anything listens, so one that fails stops the start (docs/plugins.md).
    plugins: settings.plugins,
    metrics: resolveMetricsSettings(settings, initialConfig),
    restEnabled: restPort !== undefined,
    pollIntervalMs: settings.fileSystemPollWaitSeconds * 1000,
    env: start.env,
    projectRoot: start.projectRoot,
    logger,
    version: start.version,
    limits: settings.limits,
    ...(start.engines !== undefined && { engines: start.engines }),
    ...(start.storage !== undefined && { storage: start.storage }),
    access: {
      cors: {
        allowedOrigins: settings.allowedOrigins,
        allowedMethods: settings.allowedMethods,
        allowedHeaders: settings.allowedHeaders,
        allowCredentials: settings.allowCredentials,
      },
      ...(security.apiKey !== undefined && { apiKey: security.apiKey }),
    },
  });
  logger.info(
    {
      tls: security.tls !== undefined,
      mutualTls: security.tls?.clientCa !== undefined,
      apiKey: security.apiKey !== undefined,
    },
    'Transport security',
  );

  let grpc: RunningGrpcServer | undefined;
  let rest: RestServer | undefined;
  try {
    if (grpcPort !== undefined) {
      const grpcOptions = {
        services: stack.grpcServices,
        host: settings.grpcBindAddress,
        port: grpcPort,
        channelOptions: toChannelOptions(settings.grpcChannelArguments),
        maxMessageBytes: settings.limits.maxMessageBytes,
        memoryBudget: stack.memoryBudget,
        ...security,
        logger,
      };
      // One loop: this thread serves, as before. More: transport loops in worker threads, the
      // models still loaded once, here (docs/performance.md "Transport loops").
      const loops = settings.grpcWorkers;
      grpc =
        loops > 1
          ? await startGrpcLoops({ ...grpcOptions, loops })
          : await startGrpcServer(grpcOptions);
      logger.info(
        { address: settings.grpcBindAddress, port: grpc.port, loops },
        'gRPC server listening',
      );
    }
    if (restPort !== undefined) {
      const restOptions = {
        app: stack.restApp,
        host: settings.restBindAddress,
        port: restPort,
        timeouts: {
          headersMs: settings.limits.restHeadersTimeoutSeconds * 1000,
          requestMs: settings.limits.restRequestTimeoutSeconds * 1000,
          keepAliveMs: settings.limits.restKeepAliveTimeoutSeconds * 1000,
        },
        ...(security.tls !== undefined && { tls: security.tls }),
      };
      // As gRPC's: absent or 1, this thread serves; more, transport loops hand it requests.
      const restLoops = settings.restWorkers ?? 1;
      rest =
        restLoops > 1
          ? await startRestLoops({
              ...restOptions,
              loops: restLoops,
              maxBodyBytes: settings.limits.maxMessageBytes,
              memoryBudget: stack.memoryBudget,
              logger,
            })
          : await startRestServer(restOptions);
      // The dashboard's URL goes with it: `npm start` prints it next to the ports.
      logger.info(
        {
          address: settings.restBindAddress,
          port: rest.port,
          loops: restLoops,
          tls: security.tls !== undefined,
          dashboard: DASHBOARD_PATH,
        },
        'REST server listening',
      );
    }
  } catch (error) {
    await Promise.all([grpc?.close(0), rest?.close(0)]);
    await stack.close();
    throw error;
  }

  const loaded = stack.start().then(() => logger.info({}, 'Server ready'));
  // The caller reads `loaded`; this keeps an unobserved rejection from crashing the process.
  loaded.catch(() => {});
  const drainMs = start.drainMs ?? DEFAULT_DRAIN_MS;
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    logger.info({ drainMs }, 'Shutting down: no new requests, draining requests in flight');
    await Promise.all([grpc?.close(drainMs), rest?.close(drainMs)]);
    await stack.close();
    logger.info({}, 'Server stopped');
  };
  return {
    grpcPort: grpc?.port,
    restPort: rest?.port,
    loaded,
    stop: () => (stopping ??= stop()),
  };
}

async function readInitialConfig(options: ServerOptions): Promise<ServerConfig> {
  // Read once up front: monitoring settings are needed before the manager exists, and a broken
  // file must stop the start before anything listens (OVMS exits on an invalid config).
  switch (options.models.kind) {
    case 'single-model':
      return options.models.config;
    case 'repository':
      // Only `--model_repository_path`: its models are the manager's, not a config's.
      return { models: [], pipelines: [], customNodeLibraries: [] };
    case 'config-file':
      return (await readConfigFile(options.models.configPath)).config;
  }
}
