import { ServingError, validateInputs } from '@ovms/core';
import type { Logger, TensorMap } from '@ovms/core';
import type { CustomNodeDefinition } from '../definition.js';
import type { CustomNodeExecutor } from '../execution/node-invoker.js';
import { pipelineError } from '../pipeline-status.js';
import type { PipelineStatusCode } from '../pipeline-status.js';
import type { CustomNodeCatalog, NodeSignature } from '../signature.js';
import type { CustomNodeLibrary } from './contract.js';

/** A library as the registry holds it: counted so it unloads after its last node. */
export interface LibraryHandle {
  readonly library: CustomNodeLibrary;
  instances: number;
  retired: boolean;
}

/** One pipeline node's initialized library state, or why it has none. */
interface NodeInstance {
  readonly definition: CustomNodeDefinition;
  readonly handle: LibraryHandle | undefined;
  readonly state: unknown;
  readonly initialized: boolean;
  readonly result: NodeSignature | 'missing' | ServingError;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asServingError(code: PipelineStatusCode, where: string, error: unknown): ServingError {
  return error instanceof ServingError
    ? error
    : pipelineError(code, `${where}: ${messageOf(error)}`, { cause: error });
}

async function createInstance(
  definition: CustomNodeDefinition,
  handle: LibraryHandle | undefined,
  loadError: ServingError | undefined,
): Promise<NodeInstance> {
  const base = { definition, handle, state: undefined, initialized: false };
  if (handle === undefined) {
    const result =
      loadError === undefined
        ? 'missing'
        : pipelineError(
            'PIPELINE_DEFINITION_INVALID_NODE_LIBRARY',
            `node: ${definition.name}; library: ${definition.libraryName}; ${loadError.message}`,
          );
    return { ...base, result };
  }
  const { node } = handle.library;
  const where = `node: ${definition.name}; library: ${definition.libraryName}`;
  let state: unknown;
  try {
    state = await node.initialize?.(definition.params);
  } catch (error) {
    return { ...base, result: asServingError('NODE_LIBRARY_INITIALIZE_FAILED', where, error) };
  }
  handle.instances += 1;
  try {
    const inputs = await node.getInputsInfo(definition.params, state);
    const outputs = await node.getOutputsInfo(definition.params, state);
    return { ...base, state, initialized: true, result: { inputs, outputs } };
  } catch (error) {
    return {
      ...base,
      state,
      initialized: true,
      result: asServingError('NODE_LIBRARY_METADATA_FAILED', where, error),
    };
  }
}

/**
 * The custom nodes of one pipeline, each initialized with its own params (OVMS initializes a
 * library once per pipeline node). Serves as the validation catalog and as the executor, and
 * deinitializes every node on dispose — after the pipeline's last request, as OVMS waits for
 * its requests before retiring a definition.
 */
export class PipelineCustomNodes implements CustomNodeExecutor, AsyncDisposable {
  readonly #instances: Map<string, NodeInstance>;
  readonly #logger: Logger;
  readonly #onDispose: () => void;
  #disposed = false;

  private constructor(instances: Map<string, NodeInstance>, logger: Logger, onDispose: () => void) {
    this.#instances = instances;
    this.#logger = logger;
    this.#onDispose = onDispose;
  }

  static async create(
    nodes: readonly CustomNodeDefinition[],
    libraries: (name: string) => { handle?: LibraryHandle; error?: ServingError },
    logger: Logger,
    onDispose: () => void,
  ): Promise<PipelineCustomNodes> {
    const instances = new Map<string, NodeInstance>();
    for (const definition of nodes) {
      const { handle, error } = libraries(definition.libraryName);
      instances.set(definition.name, await createInstance(definition, handle, error));
    }
    return new PipelineCustomNodes(instances, logger, onDispose);
  }

  /** The catalog `validatePipeline` reads for this pipeline's custom nodes. */
  readonly catalog: CustomNodeCatalog = (node) =>
    this.#instances.get(node.name)?.result ?? 'missing';

  async execute(nodeName: string, inputs: TensorMap, signal: AbortSignal): Promise<TensorMap> {
    const instance = this.#instances.get(nodeName);
    const result = instance?.result;
    if (instance?.handle === undefined || result === undefined || result === 'missing') {
      throw pipelineError('PIPELINE_DEFINITION_INVALID_NODE_LIBRARY', `node: ${nodeName}`);
    }
    if (result instanceof ServingError) throw result;
    validateInputs(result.inputs, inputs);
    const { definition, handle, state } = instance;
    let outputs: unknown;
    try {
      outputs = await handle.library.node.execute(inputs, definition.params, state, signal);
    } catch (error) {
      if (signal.aborted && error === signal.reason) throw error;
      throw asServingError(
        'NODE_LIBRARY_EXECUTION_FAILED',
        `library: ${definition.libraryName}`,
        error,
      );
    }
    if (!(outputs instanceof Map)) {
      throw pipelineError(
        'NODE_LIBRARY_OUTPUTS_CORRUPTED',
        'execute did not return a Map of tensors',
      );
    }
    return outputs as TensorMap;
  }

  /** Deinitializes every node; a library whose config entry went away unloads after its last node. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const instance of this.#instances.values()) {
      const handle = instance.handle;
      if (!instance.initialized || handle === undefined) continue;
      try {
        await handle.library.node.deinitialize?.(instance.state);
      } catch (error) {
        this.#logger.warn(
          { node: instance.definition.name, library: handle.library.name, error },
          'custom node deinitialize failed',
        );
      }
      handle.instances -= 1;
      if (handle.retired && handle.instances === 0) handle.library.close();
    }
    this.#onDispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
