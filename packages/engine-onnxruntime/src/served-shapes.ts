import type { InputSpec, TensorMap, TensorSpec } from '@ovms/core';

/** An input as served: its spec now, the graph input it feeds, and the axes that follow requests. */
export interface ServedInput {
  readonly spec: InputSpec;
  readonly feedName: string;
  readonly tracked: readonly number[];
}

/** An output dim: a size, -1, or the current size of axis `axis` of input `input`. */
export type OutputDim = number | { readonly input: number; readonly axis: number };

export interface OutputTemplate {
  readonly name: string;
  readonly dtype: TensorSpec['dtype'];
  readonly dims: readonly OutputDim[];
}

/**
 * The shapes a model reports (the servable checks requests against them). With `auto` dims ORT takes any size
 * (they are symbols in the graph), so nothing reloads; what changes is what the model reports:
 * as in OVMS, the shape of the last request that ran, and the output dims that follow it.
 */
export class ServedShapes {
  #inputs: readonly InputSpec[];
  #outputs: readonly TensorSpec[];
  readonly #served: readonly ServedInput[];
  readonly #templates: readonly OutputTemplate[];
  /** Client name → graph input, for inputs a layout renamed; undefined when none was. */
  readonly feedNames: ReadonlyMap<string, string> | undefined;

  constructor(served: readonly ServedInput[], outputs: readonly OutputTemplate[]) {
    this.#served = served;
    this.#templates = outputs;
    this.#inputs = served.map((input) => input.spec);
    this.#outputs = this.#resolveOutputs();
    const renamed = served.filter((input) => input.feedName !== input.spec.name);
    this.feedNames =
      renamed.length === 0
        ? undefined
        : new Map(renamed.map((input) => [input.spec.name, input.feedName]));
  }

  get inputs(): readonly InputSpec[] {
    return this.#inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.#outputs;
  }

  /** After a request ran: report its sizes on the followed axes. */
  follow(request: TensorMap): void {
    let changed = false;
    const inputs = this.#served.map(({ spec, tracked }, index) => {
      const current = this.#inputs[index] ?? spec;
      const shape = request.get(spec.name)?.shape;
      if (shape === undefined || tracked.every((axis) => shape[axis] === current.shape[axis])) {
        return current;
      }
      changed = true;
      const next = current.shape.map((dim, axis) =>
        tracked.includes(axis) ? (shape[axis] ?? dim) : dim,
      );
      return { ...current, shape: next };
    });
    if (!changed) return;
    this.#inputs = inputs;
    this.#outputs = this.#resolveOutputs();
  }

  #resolveOutputs(): TensorSpec[] {
    return this.#templates.map(({ name, dtype, dims }) => ({
      name,
      dtype,
      shape: dims.map((dim) =>
        typeof dim === 'number' ? dim : (this.#inputs[dim.input]?.shape[dim.axis] ?? -1),
      ),
    }));
  }
}
