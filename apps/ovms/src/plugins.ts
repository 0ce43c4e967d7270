import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Registry } from '@ovms/core';
import type { Engine, Logger, PluginApi, StorageBackend } from '@ovms/core';
import type { StorageRegistry } from '@ovms/storage';

export interface LoadPluginsOptions {
  /** Absolute module paths, in load order (`--plugins` first, then config.json `plugins`). */
  readonly paths: readonly string[];
  /** The registry plugins add storage backends to (built-in schemes already in it). */
  readonly storage: StorageRegistry;
  /** The built-in engines, in preference order. */
  readonly engines: readonly Engine[];
  readonly logger: Logger;
}

/**
 * Imports each plugin module in turn and calls its default export with a PluginApi. Returns
 * the engines in the order the selector tries them: preferred plugin engines, the built-in
 * ones, then the other plugin engines. Rejects with a message naming the module when a file
 * is missing, cannot be imported, has no default export function, throws, or registers
 * something already registered (a URI scheme, an engine name); main.ts then exits 1.
 */
export async function loadPlugins(options: LoadPluginsOptions): Promise<Engine[]> {
  const names = new Registry<string, Engine>('engine');
  for (const engine of options.engines) names.register(engine.name, engine);
  const preferred: Engine[] = [];
  const fallback: Engine[] = [];
  for (const path of new Set(options.paths)) {
    const plugin = await importPlugin(path);
    const logger = options.logger.child({ plugin: path });
    let open = true;
    const whileOpen = (what: string) => {
      if (!open)
        throw new Error(`plugin ${path}: ${what} after the plugin finished loading is refused`);
    };
    const api: PluginApi = {
      logger,
      registerStorageBackend(backend: StorageBackend) {
        whileOpen('registerStorageBackend');
        checkBackend(backend);
        options.storage.register(backend);
        logger.info({ schemes: backend.schemes }, 'Plugin storage backend registered');
      },
      registerEngine(engine: Engine, { preferred: first = false } = {}) {
        whileOpen('registerEngine');
        checkEngine(engine);
        names.register(engine.name, engine);
        (first ? preferred : fallback).push(engine);
        logger.info({ engine: engine.name, preferred: first }, 'Plugin engine registered');
      },
    };
    try {
      await plugin(api);
    } catch (error) {
      throw new Error(`plugin ${path} failed while registering: ${messageOf(error)}`, {
        cause: error,
      });
    } finally {
      open = false;
    }
  }
  return [...preferred, ...options.engines, ...fallback];
}

async function importPlugin(path: string): Promise<(api: PluginApi) => unknown> {
  const found = await stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
  if (!found) throw new Error(`cannot load plugin ${path}: no such file`);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new Error(`cannot load plugin ${path}: ${messageOf(error)}`, { cause: error });
  }
  if (typeof module.default !== 'function')
    throw new Error(
      `plugin ${path} has no default export function - expected \`export default (api) => {…}\`; got ${describe(module.default)}`,
    );
  return module.default as (api: PluginApi) => unknown;
}

const BACKEND_METHODS = ['list', 'exists', 'readText', 'download'] as const;

function checkBackend(backend: StorageBackend): void {
  const schemes: unknown = (backend as Partial<StorageBackend> | undefined)?.schemes;
  if (!Array.isArray(schemes) || !schemes.every((scheme) => typeof scheme === 'string'))
    throw new Error(`a storage backend needs a schemes array of strings; got ${describe(schemes)}`);
  const missing = BACKEND_METHODS.filter((name) => typeof backend[name] !== 'function');
  if (missing.length > 0)
    throw new Error(`storage backend for ${schemes.join(', ')} lacks ${missing.join(', ')}`);
}

function checkEngine(engine: Engine): void {
  const name: unknown = (engine as Partial<Engine> | undefined)?.name;
  if (typeof name !== 'string' || name === '')
    throw new Error(`an engine needs a non-empty name; got ${describe(name)}`);
  const missing = (['canLoad', 'load'] as const).filter((key) => typeof engine[key] !== 'function');
  if (missing.length > 0) throw new Error(`engine ${name} lacks ${missing.join(', ')}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  return JSON.stringify(value) ?? typeof value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
