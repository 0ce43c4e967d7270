import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Logger } from '@ovms/core';
import { parseModelUri } from '@ovms/storage';
import type { StorageRegistry } from '@ovms/storage';

/** A local copy of a config.json that lives in a bucket, kept in step by polling. */
export interface BucketConfigMirror {
  /** The local file the server reads and watches as `--config_path`. */
  readonly path: string;
  /** Re-reads the bucket every `intervalMs` (0 = never); a failed read keeps the last copy. */
  poll(intervalMs: number, logger: Logger): void;
  close(): Promise<void>;
}

/**
 * `--config_path s3://…` (gs://, az://, azfs://): @ovms/config reads local files only, so the
 * app reads the bucket through the registry and writes a local mirror the server reads and
 * watches like any config file. Relative `base_path`s are resolved against the bucket prefix
 * of the config (OVMS resolves them against the config's directory), so the mirror's own
 * location never matters. The first read must succeed: a config that cannot be read at start
 * stops the server, as OVMS does.
 */
export async function mirrorBucketConfig(
  uri: string,
  registry: StorageRegistry,
): Promise<BucketConfigMirror> {
  const configUri = uri.endsWith('.json') ? uri : `${uri.replace(/\/+$/, '')}/config.json`;
  const backend = registry.resolve(configUri);
  const dir = await mkdtemp(join(tmpdir(), 'ovms-config-'));
  const path = join(dir, 'config.json');
  let last: string | undefined;
  const sync = async (): Promise<void> => {
    const text = rebaseConfigText(await backend.readText(configUri), configUri);
    if (text === last) return;
    // A rename replaces the file whole: the watcher never reads half of it.
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
    last = text;
  };
  try {
    await sync();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  return {
    path,
    poll(intervalMs, logger) {
      logger.info(
        { configPath: configUri, mirror: path },
        'Serving the configuration from a bucket',
      );
      if (intervalMs <= 0 || timer !== undefined) return;
      timer = setInterval(() => {
        running ??= sync()
          .catch((error: unknown) =>
            logger.warn(
              { configPath: configUri, error: error instanceof Error ? error.message : error },
              'Reading the configuration from the bucket failed; keeping the last one',
            ),
          )
          .finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      await running;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The config text with each relative `base_path` made a URI under the config's bucket prefix.
 * Text that is not a JSON object is returned as it is, for the server to report as invalid.
 */
export function rebaseConfigText(text: string, configUri: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return text;
  }
  const list = (json as { model_config_list?: unknown } | null)?.model_config_list;
  if (!Array.isArray(list)) return text;
  const { scheme, path } = parseModelUri(configUri);
  for (const entry of list as unknown[]) {
    const config = (entry as { config?: { base_path?: unknown } } | null)?.config;
    if (config === undefined || config === null) continue;
    const basePath = config.base_path;
    if (typeof basePath !== 'string' || basePath === '') continue;
    if (parseModelUri(basePath).scheme !== '' || posix.isAbsolute(basePath)) continue;
    config.base_path = `${scheme}://${posix.join(posix.dirname(path), basePath)}`;
  }
  return JSON.stringify(json, null, 1);
}
