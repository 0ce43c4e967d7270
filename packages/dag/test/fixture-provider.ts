import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError, StatusCode, createModelServable } from '@ovms/core';
import type { LoadedModel, Servable, ServableLease, ServableProvider, TensorMap } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { writeFixtureModel } from '@ovms/testing';
import type { ModelFixtureName } from '@ovms/testing';
import type { ModelCatalog } from '../src/index.js';

/** One model call as the provider saw it, stamped with a logical clock (no wall time). */
export interface CallRecord {
  readonly model: string;
  readonly start: number;
  end?: number;
}

/**
 * A small ServableProvider over real onnxruntime models (the model manager is wired later):
 * serves fixture models under chosen names, counts leases, records calls, and can hold a
 * model's calls at a gate to make a node be in flight when another fails.
 */
export class FixtureProvider implements ServableProvider {
  readonly calls: CallRecord[] = [];
  acquired = 0;
  released = 0;
  #clock = 0;
  readonly #models = new Map<string, LoadedModel>();
  readonly #gates = new Map<string, Gate>();
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async create(models: Record<string, ModelFixtureName>): Promise<FixtureProvider> {
    const provider = new FixtureProvider(await mkdtemp(join(tmpdir(), 'dag-models-')));
    const engine = createOnnxRuntimeEngine();
    for (const [name, fixture] of Object.entries(models)) {
      const dir = join(provider.#dir, name, '1');
      await writeFixtureModel(fixture, 'onnx', dir);
      provider.#models.set(name, await engine.load(dir, {}));
    }
    return provider;
  }

  get held(): number {
    return this.acquired - this.released;
  }

  tick(): number {
    this.#clock += 1;
    return this.#clock;
  }

  /** Holds calls to `model` until the returned function is called. */
  gate(model: string): () => void {
    const gate = new Gate();
    this.#gates.set(model, gate);
    return () => {
      this.#gates.delete(model);
      gate.open();
    };
  }

  /** Resolves once a call to `model` waits at its gate (set by `gate(model)` before). */
  reached(model: string): Promise<void> {
    const gate = this.#gates.get(model);
    if (gate === undefined) return Promise.reject(new Error(`no gate on ${model}`));
    return gate.reached;
  }

  readonly catalog: ModelCatalog = (name, version) => {
    const model = this.#models.get(name);
    if (model === undefined || (version !== undefined && version !== 1)) return 'missing';
    return { inputs: model.inputs, outputs: model.outputs };
  };

  acquire(name: string, version?: number): Promise<ServableLease> {
    const model = this.#models.get(name);
    if (model === undefined || (version !== undefined && version !== 1)) {
      return Promise.reject(new ServingError(StatusCode.MODEL_NAME_MISSING));
    }
    this.acquired += 1;
    let released = false;
    const servable = this.#servable(name, model);
    return Promise.resolve({
      servable,
      [Symbol.asyncDispose]: () => {
        if (!released) this.released += 1;
        released = true;
        return Promise.resolve();
      },
    });
  }

  /** Core's model servable over a model that records its calls and waits at its gate. */
  #servable(name: string, model: LoadedModel): Servable {
    const recorded: LoadedModel = {
      inputs: model.inputs,
      outputs: model.outputs,
      infer: async (inputs, signal): Promise<TensorMap> => {
        const call: CallRecord = { model: name, start: this.tick() };
        this.calls.push(call);
        try {
          const gate = this.#gates.get(name);
          if (gate !== undefined) await abortable(gate.pass(), signal);
          return await model.infer(inputs, signal);
        } finally {
          call.end = this.tick();
        }
      },
      close: () => model.close(),
    };
    return createModelServable({ name, version: 1, loaded: recorded });
  }

  status() {
    return [];
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    for (const model of this.#models.values()) await model.close();
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** A closed door for model calls that tells when the first call arrived at it. */
class Gate {
  readonly opened: Promise<void>;
  readonly reached: Promise<void>;
  open: () => void = () => undefined;
  #arrive: () => void = () => undefined;

  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
    this.reached = new Promise((resolve) => (this.#arrive = resolve));
  }

  pass(): Promise<void> {
    this.#arrive();
    return this.opened;
  }
}

function abortable(gate: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return gate;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void gate.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
