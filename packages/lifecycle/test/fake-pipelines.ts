import { ServingError, StatusCode } from '@ovms/core';
import type { InferRequest, Servable, ServableProvider, TensorMap } from '@ovms/core';
import type {
  ModelLookup,
  PipelineBuild,
  PipelineFactory,
  PipelineRegistration,
} from '../src/index.js';

/** What the fake factory reads from a pipeline definition: models run one after another. */
export interface ChainDefinition {
  readonly name: string;
  readonly models: readonly string[];
}

/**
 * A PipelineFactory standing in for the app's DAG one: a pipeline is a chain of models, valid
 * when every model is available, and its requests lease each model from the manager in turn.
 * Counts builds and disposals so tests can see rebuilds and retirements.
 */
export class ChainFactory implements PipelineFactory<ChainDefinition> {
  readonly builds: string[] = [];
  readonly disposed: string[] = [];
  provider: ServableProvider | undefined;
  throwing = false;

  build(chain: ChainDefinition, models: ModelLookup): Promise<PipelineBuild> {
    if (this.throwing) return Promise.reject(new Error('factory bug'));
    this.builds.push(chain.name);
    const dispose = (): Promise<void> => {
      this.disposed.push(chain.name);
      return Promise.resolve();
    };
    for (const model of chain.models) {
      if (models(model) === 'missing') {
        const error = new ServingError(
          StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_MODEL,
          `pipeline ${chain.name} uses model ${model}, which is not available`,
        );
        return Promise.resolve({ ok: false, error, dispose });
      }
    }
    const servable = new ChainServable(chain, () => this.provider);
    return Promise.resolve({
      ok: true,
      servable,
      uses: chain.models.map((model) => ({ model })),
      dispose,
    });
  }
}

class ChainServable implements Servable {
  readonly kind = 'pipeline' as const;
  readonly version = 1;
  readonly name: string;
  readonly inputs = [{ name: 'x', dtype: 'FP32' as const, shape: [-1, 2] }];
  readonly outputs = [{ name: 'y', dtype: 'FP32' as const, shape: [-1, 2] }];
  readonly #chain: ChainDefinition;
  readonly #provider: () => ServableProvider | undefined;

  constructor(chain: ChainDefinition, provider: () => ServableProvider | undefined) {
    this.name = chain.name;
    this.#chain = chain;
    this.#provider = provider;
  }

  async infer(request: InferRequest): Promise<TensorMap> {
    let tensors = request.inputs;
    for (const model of this.#chain.models) {
      const provider = this.#provider();
      if (provider === undefined) throw new Error('no provider');
      await using lease = await provider.acquire(model);
      const out = await lease.servable.infer({ inputs: tensors });
      const y = [...out.values()][0];
      if (y === undefined) throw new Error('no output');
      tensors = new Map([['x', y]]);
    }
    const x = tensors.get('x');
    if (x === undefined) throw new Error('no output');
    return new Map([['y', x]]);
  }
}

/** A pipeline registration for the fake factory. */
export function chain(
  name: string,
  models: readonly string[],
): PipelineRegistration<ChainDefinition> {
  return { name, definition: { name, models } };
}
