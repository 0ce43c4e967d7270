import type { Engine } from './engine.js';
import type { Logger } from './logger.js';
import type { StorageBackend } from './storage-backend.js';

/** How a plugin engine ranks against the built-in ones (OpenVINO, onnxruntime). */
export interface RegisterEngineOptions {
  /**
   * Tried before the built-in engines when a model names no engine; otherwise after them, so
   * it only serves the files no built-in engine loads. A model's `engine` key names it either way.
   */
  readonly preferred?: boolean;
}

/**
 * What the server hands a plugin while it loads (`--plugins`, config.json `plugins`): the
 * registries of storage backends (by URI scheme) and engines (by name). A registration that
 * clashes with one already made (a scheme or an engine name) fails the start. Registering
 * after the plugin's function has settled is refused.
 */
export interface PluginApi {
  registerStorageBackend(backend: StorageBackend): void;
  registerEngine(engine: Engine, options?: RegisterEngineOptions): void;
  /** The server's logger, bound to the plugin's path. */
  readonly logger: Logger;
}

/** A plugin module's default export: registers what it brings, then returns (or resolves). */
export type Plugin = (api: PluginApi) => void | Promise<void>;
