import type { CustomNodeLibraryConfig, PipelineConfig } from '@ovms/config';
import type { BinaryInputDecoder, Logger, ServableProvider } from '@ovms/core';
import { CustomNodeRegistry, createPipelineServable, validatePipeline } from '@ovms/dag';
import type { ModuleImporter } from '@ovms/dag';
import type { PipelineBuild, PipelineFactory, PipelineModelUse } from '@ovms/lifecycle';

/**
 * What the app registers with lifecycle for each pipeline, and what this factory builds from
 * (lifecycle's `PipelineFactory<ServedPipeline>`; opaque to lifecycle). Every pipeline carries the
 * whole library list: `CustomNodeRegistry.load` applies a complete list (libraries left out are
 * unloaded), and a changed library then rebuilds the pipelines, as OVMS reloads them.
 */
export interface ServedPipeline {
  readonly pipeline: PipelineConfig;
  readonly libraries: readonly CustomNodeLibraryConfig[];
}

export interface DagPipelineFactoryOptions {
  /** Where model nodes lease their models: the manager, created after this factory. */
  readonly provider: () => ServableProvider;
  readonly logger: Logger;
  /** How custom node modules are imported (default `import()`). */
  readonly importer?: ModuleImporter;
  /** Decodes images sent to the numeric inputs of a pipeline's first DL nodes. */
  readonly decodeBinaryInputs?: BinaryInputDecoder;
}

export interface DagPipelineFactory extends PipelineFactory<ServedPipeline> {
  /** The definition of every pipeline built so far, the latest one per name (the dashboard draws them). */
  definitions(): readonly PipelineConfig[];
  /** Deinitializes every custom node and unloads the libraries; after the manager stopped. */
  close(): Promise<void>;
}

/**
 * The PipelineFactory of the server, over @ovms/dag: loads the config's custom node libraries,
 * initializes the pipeline's nodes, validates it against the models the manager serves now
 * and serves it with model nodes leasing from the manager. `@ovms/config`'s pipeline shapes are
 * the ones @ovms/dag takes, so definitions pass through unchanged.
 *
 * Custom node libraries given as `.ts` files need a TypeScript loader in the server process
 * (`node --import tsx`); `.js`/`.mjs` modules and C `.so` libraries load under plain node.
 */
export function createDagPipelineFactory(options: DagPipelineFactoryOptions): DagPipelineFactory {
  const logger = options.logger.child({ module: 'pipelines' });
  const registry = new CustomNodeRegistry({
    logger,
    ...(options.importer !== undefined && { importer: options.importer }),
  });
  // Looked up on each request so the manager can be created after the factory.
  const built = new Map<string, PipelineConfig>();
  const provider: ServableProvider = {
    acquire: (name, version) => options.provider().acquire(name, version),
    status: (name, version) => options.provider().status(name, version),
    isReady: () => options.provider().isReady(),
  };
  return {
    async build({ pipeline, libraries }, models): Promise<PipelineBuild> {
      built.set(pipeline.name, pipeline);
      // A library that fails to load is reported by the catalog of the nodes that use it.
      await registry.load(libraries);
      const nodes = await registry.instantiate(pipeline);
      const dispose = (): Promise<void> => nodes.dispose();
      const validation = validatePipeline(pipeline, { models, customNodes: nodes.catalog });
      if (!validation.ok) return { ok: false, error: validation.error, dispose };
      const servable = createPipelineServable(validation.pipeline, {
        provider,
        customNodes: nodes,
        logger,
        ...(options.decodeBinaryInputs !== undefined && {
          decodeBinaryInputs: options.decodeBinaryInputs,
        }),
      });
      return { ok: true, servable, uses: modelUses(pipeline), dispose };
    },
    definitions: () => [...built.values()],
    close: () => registry.close(),
  };
}

function modelUses(pipeline: PipelineConfig): PipelineModelUse[] {
  return pipeline.nodes.flatMap((node) =>
    node.kind === 'model'
      ? [
          {
            model: node.modelName,
            ...(node.version !== undefined && { version: node.version }),
          },
        ]
      : [],
  );
}
