/**
 * The composition root: the only module reading process.argv, process.env and the package
 * version. Parses flags, creates the logger, starts the server and stops it on SIGTERM/SIGINT.
 * Run it built (`node apps/ovms/bin/ovms.js …`) or from source during development:
 * `node --conditions=@ovms/source --import tsx apps/ovms/src/main.ts …`.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseModelUri } from '@ovms/storage';
import { mirrorBucketConfig } from './bucket-config.js';
import type { BucketConfigMirror } from './bucket-config.js';
import { readCommandLine } from './cli.js';
import { tuneGarbageCollector } from './gc-tuning.js';
import { createServerLogger } from './logger.js';
import { packageVersion } from './package-version.js';
import { createStorageRegistry } from './repository.js';
import { startServer } from './server.js';
import type { RunningServer } from './server.js';

// src/main.ts and dist/main.js both sit two levels under the project root.
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** A stop that takes longer than this (a model load that will not end) exits 1 instead. */
const SHUTDOWN_TIMEOUT_MS = 60_000;

async function main(): Promise<number> {
  const gcTuning = tuneGarbageCollector(process.execArgv);
  const version = packageVersion();
  const argv = process.argv.slice(2);
  // Cloud settings come from the environment, as OVMS reads them (SPEC "Cloud storage").
  const storage = { env: process.env };
  // The flags are parsed against the local mirror of a config that lives in a bucket.
  const bucketConfig = bucketConfigArg(argv);
  const mirror =
    bucketConfig === undefined
      ? undefined
      : await openBucketConfig(bucketConfig.value, createStorageRegistry(storage));
  if (mirror === null) return 1;
  if (mirror !== undefined && bucketConfig !== undefined)
    argv.splice(bucketConfig.index, 1, ...bucketConfig.replace(mirror.path));
  const outcome = readCommandLine(argv, {
    cwd: process.cwd(),
    cpuCount: availableParallelism(),
    version,
  });
  if (outcome.kind === 'exit') {
    if (outcome.stdout !== undefined) process.stdout.write(outcome.stdout);
    if (outcome.stderr !== undefined) process.stderr.write(outcome.stderr);
    return outcome.code;
  }

  const { settings } = outcome.options;
  const { logger, flush } = createServerLogger({
    level: settings.logLevel,
    ...(settings.logPath !== undefined && { path: settings.logPath }),
  });
  logger.info(
    {
      version,
      pid: process.pid,
      uvThreadpoolSize: process.env['UV_THREADPOOL_SIZE'],
      heapGrowingPercent: gcTuning.heapGrowingPercent,
      allocationSitePretenuring: gcTuning.pretenuring,
    },
    'Starting OpenVINO Model Server (ovms-ts)',
  );
  mirror?.poll(settings.fileSystemPollWaitSeconds * 1000, logger);
  // Last line of defence: a promise some request path forgot to handle is a bug to log, not a
  // reason to drop every model and client (Node's default is to exit). Handlers answer their
  // own failures; this only catches what escapes them.
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error(
      { err: reason instanceof Error ? reason : messageOf(reason) },
      'Unhandled promise rejection; serving goes on',
    );
  });

  let server: RunningServer;
  try {
    server = await startServer({
      options: outcome.options,
      version,
      logger,
      projectRoot,
      env: process.env,
      storage: { ...storage, logger },
    });
  } catch (error) {
    logger.error({ error: messageOf(error) }, 'The server could not start');
    process.stderr.write(`ovms: ${messageOf(error)}\n`);
    flush();
    return 1;
  }

  const stopped = new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        logger.warn({ signal }, 'Second signal: exiting without waiting');
        resolve(1);
        return;
      }
      signalled = true;
      logger.info({ signal }, 'Signal received');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'Shutdown timed out');
        resolve(1);
      }, SHUTDOWN_TIMEOUT_MS);
      server.stop().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          logger.error({ error: messageOf(error) }, 'Shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  // A config that cannot be read at start stops the server, as OVMS does.
  const failed = server.loaded.then(
    () => new Promise<number>(() => {}),
    async (error: unknown) => {
      logger.error({ error: messageOf(error) }, 'Loading the configuration failed');
      await server.stop();
      return 1;
    },
  );
  const code = await Promise.race([stopped, failed]);
  await mirror?.close();
  flush();
  return code;
}

/** `--config_path` when it names a bucket: its argv index and how to put a local path there. */
function bucketConfigArg(
  argv: readonly string[],
): { value: string; index: number; replace: (path: string) => string[] } | undefined {
  const index = argv.findLastIndex(
    (arg) => arg === '--config_path' || arg.startsWith('--config_path='),
  );
  const arg = argv[index];
  if (arg === undefined) return undefined;
  const inline = arg.startsWith('--config_path=');
  const value = inline ? arg.slice('--config_path='.length) : argv[index + 1];
  if (value === undefined || parseModelUri(value).scheme === '') return undefined;
  return inline
    ? { value, index, replace: (path) => [`--config_path=${path}`] }
    : { value, index: index + 1, replace: (path) => [path] };
}

/** The mirror of a bucket config, or null (reported) when it cannot be read at start. */
async function openBucketConfig(
  uri: string,
  registry: ReturnType<typeof createStorageRegistry>,
): Promise<BucketConfigMirror | null> {
  try {
    return await mirrorBucketConfig(uri, registry);
  } catch (error) {
    process.stderr.write(`ovms: cannot read the configuration ${uri}: ${messageOf(error)}\n`);
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Exit explicitly: engine worker threads and native handles may otherwise keep the process up.
process.exit(await main());
