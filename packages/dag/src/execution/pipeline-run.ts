import { ServingError, StatusCode } from '@ovms/core';
import type { InferRequest, Tensor, TensorMap } from '@ovms/core';
import type { PlanConnection, PlanNode, PipelinePlan } from '../plan.js';
import { demultiply } from './demultiply.js';
import type { Split } from './demultiply.js';
import type { NodeInvoker } from './node-invoker.js';
import { stackTensors } from './shards.js';
import type { ShardTemplate } from './shards.js';

/** Position of a sub-request: one shard index per open demultiplexer, outermost first. */
type Context = readonly number[];

const keyOf = (node: PlanNode, context: Context): string => `${node.name}@${context.join('.')}`;

const EMPTY: ShardTemplate = { dtype: 'FP32', shape: [] };

/** Static dims of `a`, filled in from `b` where `a` is dynamic and `b` has the same rank. */
function mergeDims(a: readonly number[], b: readonly number[] | undefined): readonly number[] {
  if (b === undefined || b.length !== a.length) return a;
  return a.map((dim, i) => (dim >= 0 ? dim : (b[i] ?? dim)));
}

/**
 * One request through a pipeline. Work is pulled from the response: each node runs once per
 * sub-request context, as soon as all its inputs resolved, and independent branches and
 * sub-requests run concurrently. Tensors pass between nodes by reference. On the first
 * failure the run aborts the rest and waits for everything started, so that when it rejects
 * every node has finished and every lease is released.
 */
export class PipelineRun {
  readonly #plan: PipelinePlan;
  readonly #invoke: NodeInvoker;
  readonly #request: InferRequest;
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal;
  readonly #runs = new Map<string, Promise<TensorMap>>();
  readonly #splits = new Map<string, Promise<Split>>();
  readonly #started: Promise<unknown>[] = [];

  constructor(plan: PipelinePlan, invoke: NodeInvoker, request: InferRequest) {
    this.#plan = plan;
    this.#invoke = invoke;
    this.#request = request;
    this.#signal =
      request.signal === undefined
        ? this.#controller.signal
        : AbortSignal.any([request.signal, this.#controller.signal]);
  }

  /** The response: the named pipeline outputs (all when `names` is empty). */
  async outputs(names: readonly string[]): Promise<TensorMap> {
    const exit = this.#plan.exit;
    const wanted = names.length === 0 ? undefined : new Set(names);
    const connections = exit.connections.filter((c) => wanted?.has(c.input) ?? true);
    try {
      this.#request.signal?.throwIfAborted();
      const tensors = await Promise.all(connections.map((c) => this.#gather(exit, c, [])));
      const outputs: TensorMap = new Map();
      connections.forEach((c, i) => {
        const tensor = tensors[i];
        if (tensor !== undefined) outputs.set(c.input, tensor);
      });
      return outputs;
    } catch (error) {
      this.#controller.abort(error);
      await this.#settle();
      throw error;
    }
  }

  async #settle(): Promise<void> {
    // Nodes may start while earlier ones settle; they fail fast on the aborted signal.
    for (let settled = 0; settled < this.#started.length;) {
      const batch = this.#started.slice(settled);
      settled = this.#started.length;
      await Promise.allSettled(batch);
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    // Marked handled: a failure is reported once, by whoever awaits it first.
    promise.catch(() => undefined);
    this.#started.push(promise);
    return promise;
  }

  /** A node's outputs in one context (its own level), running it on first demand. */
  #run(node: PlanNode, context: Context): Promise<TensorMap> {
    const key = keyOf(node, context);
    let run = this.#runs.get(key);
    if (run === undefined) {
      run = this.#track(this.#execute(node, context));
      this.#runs.set(key, run);
    }
    return run;
  }

  async #execute(node: PlanNode, context: Context): Promise<TensorMap> {
    if (node.kind === 'entry') return this.#request.inputs;
    const tensors = await Promise.all(node.connections.map((c) => this.#gather(node, c, context)));
    const inputs: TensorMap = new Map();
    node.connections.forEach((c, i) => {
      const tensor = tensors[i];
      if (tensor !== undefined) inputs.set(c.input, tensor);
    });
    this.#signal.throwIfAborted();
    try {
      return await this.#invoke(node, inputs, this.#signal);
    } catch (error) {
      throw this.#attribute(node, error);
    }
  }

  #split(node: PlanNode, context: Context): Promise<Split> {
    const key = keyOf(node, context);
    let split = this.#splits.get(key);
    if (split === undefined) {
      split = this.#track(
        this.#run(node, context).then((outputs) => {
          try {
            return demultiply(node, outputs);
          } catch (error) {
            throw this.#attribute(node, error);
          }
        }),
      );
      this.#splits.set(key, split);
    }
    return split;
  }

  /** Feeds `connection` into `node` in `context`, gathering the levels the node closes. */
  async #gather(node: PlanNode, connection: PlanConnection, context: Context): Promise<Tensor> {
    const levels = node.inputLevel;
    if (context.length === levels.length) return this.#tensorAt(connection, context);
    const demultiplexer = this.#node(levels[context.length]);
    const split = await this.#split(demultiplexer, context);
    const parts: Promise<Tensor>[] = [];
    for (let i = 0; i < split.count; i++)
      parts.push(this.#gather(node, connection, [...context, i]));
    const template = split.count === 0 ? this.#template(node, connection, context, split) : EMPTY;
    return stackTensors(await Promise.all(parts), template);
  }

  async #tensorAt(connection: PlanConnection, context: Context): Promise<Tensor> {
    const source = this.#node(connection.source);
    const tensor =
      source.demultiplyCount === undefined
        ? (await this.#run(source, context)).get(connection.dataItem)
        : (await this.#split(source, context.slice(0, -1))).shards.get(connection.dataItem)?.[
            context[context.length - 1] ?? 0
          ];
    if (tensor === undefined) {
      throw new ServingError(
        StatusCode.INVALID_MISSING_INPUT,
        `Required input: ${connection.dataItem}; node: ${source.name}`,
      );
    }
    return tensor;
  }

  /**
   * The shape a gather of zero shards takes: the inner levels count 0, then one shard, its
   * dims taken from the split tensor itself when the source is the demultiplexer, else from
   * the source's and the consumer's declared specs (dynamic dims become 0).
   */
  #template(node: PlanNode, connection: PlanConnection, context: Context, split: Split) {
    const source = this.#node(connection.source);
    const depth = node.inputLevel.length - context.length;
    const inner = new Array<number>(depth - 1).fill(0);
    const splitTensor = split.sources.get(connection.dataItem);
    if (depth === 1 && splitTensor !== undefined && source.demultiplyCount !== undefined) {
      return { dtype: splitTensor.dtype, shape: splitTensor.shape.slice(1) };
    }
    const declared = node.inputSpecs.get(connection.input);
    const wanted = declared?.shape.slice(node.inputLevel.length - node.level.length);
    const spec = source.shardSpecs.get(connection.dataItem);
    if (spec !== undefined) {
      return { dtype: spec.dtype, shape: [...inner, ...mergeDims(spec.shape, wanted)] };
    }
    // A request input passed through: its own tensor tells the shard's shape.
    const tensor = this.#request.inputs.get(connection.dataItem);
    const shape = tensor?.shape ?? [];
    const shard = source.demultiplyCount === undefined ? shape : shape.slice(1);
    return { dtype: tensor?.dtype ?? 'FP32', shape: [...inner, ...shard] };
  }

  #node(name: string | undefined): PlanNode {
    const node = name === undefined ? undefined : this.#plan.nodes.get(name);
    if (node === undefined) throw new ServingError(StatusCode.INTERNAL_ERROR, `no node ${name}`);
    return node;
  }

  /** Names the failing node in the error; an abort of the request stays what it was. */
  #attribute(node: PlanNode, error: unknown): unknown {
    if (this.#request.signal?.aborted === true && error === this.#request.signal.reason) {
      return error;
    }
    if (error instanceof ServingError) {
      const detail = error.detail === undefined ? '' : `${error.detail}; `;
      return new ServingError(error.code, `${detail}node: ${node.name}`, { cause: error });
    }
    return new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, `node: ${node.name}`, {
      cause: error,
    });
  }
}
