import { ServingError, StatusCode } from '@ovms/core';
import type { ModelControl, ModelVersionStatistics } from '@ovms/core';

/** The statistics every RecordingModelControl answers: `add` version 2 after some traffic. */
export const RECORDED_STATISTICS: ModelVersionStatistics = {
  name: 'add',
  version: 2,
  lastInference: 1_700_000_000_123,
  inferenceCount: 3,
  executionCount: 2,
  success: { count: 3, ns: 3000 },
  fail: { count: 1, ns: 100 },
  queue: { count: 2, ns: 20 },
  computeInput: { count: 0, ns: 0 },
  computeInfer: { count: 2, ns: 2000 },
  computeOutput: { count: 0, ns: 0 },
};

/**
 * A ModelControl for transport tests: records each call as `[method, ...arguments]`, answers
 * one READY `add` version 2 and RECORDED_STATISTICS, and fails the load of `bad` with
 * MODEL_LOAD_FAILED. What the lifecycle does with the calls is tested in @ovms/lifecycle.
 */
export class RecordingModelControl implements ModelControl {
  readonly mode = 'explicit';
  readonly calls: unknown[][] = [];

  index(options?: { readonly ready?: boolean }) {
    this.calls.push(['index', options]);
    return Promise.resolve([{ name: 'add', version: '2', state: 'READY', reason: '' }] as const);
  }

  load(name: string, options?: { readonly config?: string }): Promise<void> {
    this.calls.push(['load', name, options]);
    if (name === 'bad') return Promise.reject(new ServingError(StatusCode.MODEL_LOAD_FAILED));
    return Promise.resolve();
  }

  unload(name: string): Promise<void> {
    this.calls.push(['unload', name]);
    return Promise.resolve();
  }

  statistics(name?: string, version?: number): readonly ModelVersionStatistics[] {
    this.calls.push(['statistics', name, version]);
    return [RECORDED_STATISTICS];
  }
}
