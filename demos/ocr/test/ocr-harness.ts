import { parseConfigText } from '@ovms/config';
import type { Engine, Servable } from '@ovms/core';
import { CustomNodeRegistry, createPipelineServable, validatePipeline } from '@ovms/dag';
import type { PipelineCustomNodes } from '@ovms/dag';
import { ocrPipelineConfig } from '../src/index.js';
import { ModelProvider } from './model-provider.js';

/** The OCR demo's config fragment, parsed and served by @ovms/dag over one engine. */
export interface OcrHarness {
  readonly provider: ModelProvider;
  readonly pipelines: ReadonlyMap<string, Servable>;
  close(): Promise<void>;
}

/**
 * Serves every pipeline of `ocrPipelineConfig()` the way the server will: the fragment goes
 * through @ovms/config's parser (so the test also proves it is a valid config.json), the
 * libraries through the CustomNodeRegistry, each pipeline through validatePipeline.
 */
export async function startOcr(engine: Engine): Promise<OcrHarness> {
  const config = parseConfigText(JSON.stringify(ocrPipelineConfig()), {
    configPath: '/etc/ovms/config.json',
  });
  const provider = await ModelProvider.load(
    engine,
    new Map(config.models.map((model) => [model.name, model.basePath])),
  );
  const registry = new CustomNodeRegistry();
  const instances: PipelineCustomNodes[] = [];
  const close = async (): Promise<void> => {
    for (const instance of instances) await instance.dispose();
    await registry.close();
    await provider.close();
  };
  try {
    const errors = await registry.load(config.customNodeLibraries);
    for (const error of errors.values()) throw error;
    const pipelines = new Map<string, Servable>();
    for (const definition of config.pipelines) {
      const customNodes = await registry.instantiate(definition);
      instances.push(customNodes);
      const result = validatePipeline(definition, {
        models: provider.catalog,
        customNodes: customNodes.catalog,
      });
      if (!result.ok) throw result.error;
      pipelines.set(
        definition.name,
        createPipelineServable(result.pipeline, { provider, customNodes }),
      );
    }
    return { provider, pipelines, close };
  } catch (error) {
    await close();
    throw error;
  }
}
