import type { Engine } from '@ovms/core';
import type { EngineSelector } from './types.js';

/**
 * Picks from engines in preference order: the one named by the model's `engine` key, else the
 * first whose `canLoad` accepts the directory (the app lists OpenVINO before onnxruntime).
 */
export function createEngineSelector(engines: readonly Engine[]): EngineSelector {
  return {
    async select(localDir: string, engineName?: string): Promise<Engine> {
      if (engineName !== undefined) {
        const named = engines.find((engine) => engine.name === engineName);
        if (named === undefined) {
          const known = engines.map((engine) => engine.name).join(', ');
          throw new Error(`Engine ${engineName} is not registered (registered: ${known})`);
        }
        return named;
      }
      for (const engine of engines) {
        if (await engine.canLoad(localDir)) return engine;
      }
      throw new Error(`No registered engine can load the model files in ${localDir}`);
    },
  };
}
