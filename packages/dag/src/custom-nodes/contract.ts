import type { TensorMap, TensorSpec } from '@ovms/core';

/** A node's `params` from config.json: string keys to string values, as in OVMS. */
export type CustomNodeParams = Readonly<Record<string, string>>;

/**
 * The custom node contract: the TypeScript counterpart of OVMS's C custom node API
 * (`custom_node_interface.h`). A library module exports one of these as its default export,
 * or exports the functions by name. `initialize` runs once per pipeline node with that node's
 * params and returns the node's state (OVMS's `customNodeLibraryInternalManager`), which
 * every other call receives; `deinitialize` runs when the pipeline node goes away.
 * Metadata uses -1 for dynamic dimensions. `execute` must not change its input tensors: they
 * may be views shared with other nodes. See docs/custom-nodes.md.
 */
export interface CustomNode<State = unknown> {
  initialize?(params: CustomNodeParams): State | Promise<State>;
  getInputsInfo(
    params: CustomNodeParams,
    state: State,
  ): readonly TensorSpec[] | Promise<readonly TensorSpec[]>;
  getOutputsInfo(
    params: CustomNodeParams,
    state: State,
  ): readonly TensorSpec[] | Promise<readonly TensorSpec[]>;
  execute(
    inputs: TensorMap,
    params: CustomNodeParams,
    state: State,
    signal?: AbortSignal,
  ): TensorMap | Promise<TensorMap>;
  deinitialize?(state: State): void | Promise<void>;
}

/** A loaded library: the contract, plus how to let go of the library itself. */
export interface CustomNodeLibrary {
  readonly name: string;
  readonly basePath: string;
  readonly node: CustomNode;
  /** Unloads native code; called once no node of the library is initialized any more. */
  close(): void;
}
