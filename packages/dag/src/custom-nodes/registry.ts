import { ServingError, silentLogger } from '@ovms/core';
import type { Logger } from '@ovms/core';
import type {
  CustomNodeDefinition,
  CustomNodeLibraryDefinition,
  PipelineDefinition,
} from '../definition.js';
import { pipelineError } from '../pipeline-status.js';
import type { ModuleImporter } from './js-library.js';
import { loadCustomNodeLibrary } from './library-loader.js';
import { PipelineCustomNodes } from './pipeline-custom-nodes.js';
import type { LibraryHandle } from './pipeline-custom-nodes.js';

export interface CustomNodeRegistryOptions {
  readonly logger?: Logger;
  /** How JavaScript modules are imported; the default is `import()`. */
  readonly importer?: ModuleImporter;
}

interface Entry {
  readonly definition: CustomNodeLibraryDefinition;
  readonly handle?: LibraryHandle;
  readonly error?: ServingError;
}

/**
 * The custom node libraries of `custom_node_library_config_list` (OVMS's
 * CustomNodeLibraryManager): each loaded once, kept while its base_path stays the same, and
 * unloaded when it leaves the config or changes — after the last pipeline node using it was
 * deinitialized. `instantiate` initializes one pipeline's nodes.
 */
export class CustomNodeRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #live = new Set<PipelineCustomNodes>();
  readonly #logger: Logger;
  readonly #importer: ModuleImporter | undefined;

  constructor(options: CustomNodeRegistryOptions = {}) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'custom-nodes' });
    this.#importer = options.importer;
  }

  /**
   * Applies the config's library list. A library that fails to load is reported here (by
   * name) and makes the pipelines using it invalid; the others load normally.
   */
  async load(
    definitions: readonly CustomNodeLibraryDefinition[],
  ): Promise<ReadonlyMap<string, ServingError>> {
    const wanted = new Map(definitions.map((definition) => [definition.name, definition]));
    for (const [name, entry] of this.#entries) {
      if (wanted.get(name)?.basePath !== entry.definition.basePath) {
        this.#retire(entry);
        this.#entries.delete(name);
      }
    }
    const errors = new Map<string, ServingError>();
    for (const definition of wanted.values()) {
      const known = this.#entries.get(definition.name);
      if (known !== undefined) {
        if (known.error !== undefined) errors.set(definition.name, known.error);
        continue;
      }
      try {
        const library = await loadCustomNodeLibrary(definition, this.#importer);
        this.#entries.set(definition.name, {
          definition,
          handle: { library, instances: 0, retired: false },
        });
        this.#logger.info({ library: definition.name, basePath: definition.basePath }, 'loaded');
      } catch (cause) {
        const error =
          cause instanceof ServingError
            ? cause
            : pipelineError(
                'NODE_LIBRARY_LOAD_FAILED_OPEN',
                `${definition.basePath}: ${String(cause)}`,
              );
        this.#entries.set(definition.name, { definition, error });
        errors.set(definition.name, error);
        this.#logger.error({ library: definition.name, error: error.message }, 'load failed');
      }
    }
    return errors;
  }

  /**
   * Initializes every custom node of `pipeline` with its params and reads its metadata.
   * Failures are not thrown: they surface when the pipeline is validated with the result's
   * `catalog`. Dispose the result when the pipeline is retired.
   */
  async instantiate(pipeline: PipelineDefinition): Promise<PipelineCustomNodes> {
    const nodes = pipeline.nodes.filter(
      (node): node is CustomNodeDefinition => node.kind === 'custom',
    );
    const set: PipelineCustomNodes = await PipelineCustomNodes.create(
      nodes,
      (name) => {
        const entry = this.#entries.get(name);
        return {
          ...(entry?.handle === undefined ? {} : { handle: entry.handle }),
          ...(entry?.error === undefined ? {} : { error: entry.error }),
        };
      },
      this.#logger.child({ pipeline: pipeline.name }),
      () => this.#live.delete(set),
    );
    this.#live.add(set);
    return set;
  }

  /** Deinitializes every node still initialized and unloads every library. */
  async close(): Promise<void> {
    for (const set of [...this.#live]) await set.dispose();
    for (const entry of this.#entries.values()) this.#retire(entry);
    this.#entries.clear();
  }

  #retire(entry: Entry): void {
    const handle = entry.handle;
    if (handle === undefined || handle.retired) return;
    handle.retired = true;
    if (handle.instances === 0) handle.library.close();
  }
}
