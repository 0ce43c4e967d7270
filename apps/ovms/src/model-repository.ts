import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelOverride } from '@ovms/config';
import type { ModelRepositorySettings } from '@ovms/config';
import { ServingError, StatusCode } from '@ovms/core';
import type { Logger, ModelControl, StatisticsRecorder } from '@ovms/core';
import { checkModelName, createModelControl } from '@ovms/lifecycle';
import type { ControlledManager, ModelDefinition } from '@ovms/lifecycle';
import { toModelDefinition } from './manager-config.js';
import type { ManagerConfigOptions } from './manager-config.js';

/** Triton's model repository (`--model_repository_path`): every subfolder is a model. */
export interface ModelRepositoryFolder {
  /** The folder names that are valid model names, sorted. */
  list(): Promise<string[]>;
  /** The model of folder `name`, with an OVMS model config override (JSON text) applied. */
  define(name: string, config: string | undefined): ModelDefinition;
}

/** A repository that is not a folder stops the start (PATH_INVALID), as a bad config file does. */
export async function checkRepositoryFolder(path: string): Promise<void> {
  const isFolder = await stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isFolder)
    throw new ServingError(
      StatusCode.PATH_INVALID,
      `--model_repository_path ${path} is not a folder`,
    );
}

export function createModelRepositoryFolder(
  settings: ModelRepositorySettings,
  options: ManagerConfigOptions & { readonly logger: Logger },
): ModelRepositoryFolder {
  const valid = (name: string): boolean => {
    try {
      checkModelName(name);
      return !name.startsWith('.');
    } catch {
      return false;
    }
  };
  return {
    async list() {
      const entries = await readdir(settings.path, { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory() && valid(entry.name))
        .map((entry) => entry.name)
        .sort();
    },
    define(name, config) {
      const model = parseModelOverride({ name, basePath: join(settings.path, name) }, config);
      return toModelDefinition(model, options);
    },
  };
}

export interface ServedModelControlOptions {
  readonly manager: ControlledManager;
  readonly repository: ModelRepositoryFolder | undefined;
  readonly settings: ModelRepositorySettings | undefined;
  readonly statistics: StatisticsRecorder;
}

/**
 * The ModelControl the transports serve: over the repository folder when there is one; without
 * it the index still lists the served models and statistics still answer (mode `none`).
 */
export function createServedModelControl(options: ServedModelControlOptions): ModelControl {
  const { repository } = options;
  return createModelControl({
    manager: options.manager,
    mode: options.settings?.controlMode ?? 'none',
    listRepository: () => repository?.list() ?? Promise.resolve([]),
    defineModel: (name, config) => {
      if (repository === undefined) throw new Error('no model repository');
      return repository.define(name, config);
    },
    statistics: options.statistics,
  });
}
