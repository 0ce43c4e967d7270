import type { handleUnaryCall } from '@grpc/grpc-js';
import { ServingError, StatusCode, readControlParameters } from '@ovms/core';
import type {
  ModelControl,
  ModelControlParameter,
  ModelVersionStatistics,
  StatisticDuration as Duration,
} from '@ovms/core';
import type {
  ModelRepositoryParameter,
  ModelStatistics,
  ModelStatisticsRequest,
  ModelStatisticsResponse,
  RepositoryIndexRequest,
  RepositoryIndexResponse,
  RepositoryModelLoadRequest,
  RepositoryModelLoadResponse,
  RepositoryModelUnloadRequest,
  RepositoryModelUnloadResponse,
  StatisticDuration,
} from '@ovms/proto';
import { answerServerCall } from './answer.js';
import type { HandlerContext } from './handler-context.js';
import { parseKServeVersion } from './model-spec.js';

/*
 * Triton's repository and statistics extensions on GRPCInferenceService (its
 * grpc_service.proto). None of these names a model being served, so none is counted in the
 * OVMS request metrics.
 */

function control(ctx: HandlerContext): ModelControl {
  if (ctx.modelControl === undefined)
    throw new ServingError(StatusCode.NOT_IMPLEMENTED, 'model control is not served here');
  return ctx.modelControl;
}

/** ovms-ts has one repository; Triton answers a name it does not serve the same way. */
function checkRepositoryName(name: string): void {
  if (name !== '')
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      "'repository_name' specification is not supported",
    );
}

function parameterEntries(parameters: {
  readonly [key: string]: ModelRepositoryParameter;
}): [string, ModelControlParameter][] {
  return Object.entries(parameters).flatMap(
    ([key, { parameterChoice }]): [string, ModelControlParameter][] => {
      if (parameterChoice === undefined) return [];
      switch (parameterChoice.$case) {
        case 'boolParam':
          return [[key, parameterChoice.boolParam]];
        case 'int64Param':
          return [[key, parameterChoice.int64Param]];
        case 'stringParam':
          return [[key, parameterChoice.stringParam]];
        case 'bytesParam':
          return [[key, parameterChoice.bytesParam]];
      }
    },
  );
}

export function createRepositoryIndexHandler(
  ctx: HandlerContext,
): handleUnaryCall<RepositoryIndexRequest, RepositoryIndexResponse> {
  return (call, callback) =>
    answerServerCall(ctx, 'RepositoryIndex', callback, async () => {
      const modelControl = control(ctx);
      checkRepositoryName(call.request.repositoryName);
      return { models: [...(await modelControl.index({ ready: call.request.ready }))] };
    });
}

export function createRepositoryModelLoadHandler(
  ctx: HandlerContext,
): handleUnaryCall<RepositoryModelLoadRequest, RepositoryModelLoadResponse> {
  return (call, callback) =>
    answerServerCall(ctx, 'RepositoryModelLoad', callback, async () => {
      const modelControl = control(ctx);
      checkRepositoryName(call.request.repositoryName);
      const parameters = parameterEntries(call.request.parameters);
      await modelControl.load(call.request.modelName, readControlParameters('load', parameters));
      return {};
    });
}

export function createRepositoryModelUnloadHandler(
  ctx: HandlerContext,
): handleUnaryCall<RepositoryModelUnloadRequest, RepositoryModelUnloadResponse> {
  return (call, callback) =>
    answerServerCall(ctx, 'RepositoryModelUnload', callback, async () => {
      const modelControl = control(ctx);
      checkRepositoryName(call.request.repositoryName);
      readControlParameters('unload', parameterEntries(call.request.parameters));
      await modelControl.unload(call.request.modelName);
      return {};
    });
}

export function createModelStatisticsHandler(
  ctx: HandlerContext,
): handleUnaryCall<ModelStatisticsRequest, ModelStatisticsResponse> {
  return (call, callback) =>
    answerServerCall(ctx, 'ModelStatistics', callback, () => {
      const modelControl = control(ctx);
      const { name, version } = call.request;
      // Empty name: every model (Triton); a version without a name names nothing.
      const stats =
        name === ''
          ? modelControl.statistics()
          : modelControl.statistics(name, parseKServeVersion(version));
      return { modelStats: stats.map(toModelStatistics) };
    });
}

const duration = (value: Duration): StatisticDuration => ({
  count: BigInt(value.count),
  ns: BigInt(value.ns),
});
const none = (): StatisticDuration => ({ count: 0n, ns: 0n });

function toModelStatistics(stats: ModelVersionStatistics): ModelStatistics {
  return {
    name: stats.name,
    version: String(stats.version),
    lastInference: BigInt(stats.lastInference),
    inferenceCount: BigInt(stats.inferenceCount),
    executionCount: BigInt(stats.executionCount),
    inferenceStats: {
      success: duration(stats.success),
      fail: duration(stats.fail),
      queue: duration(stats.queue),
      computeInput: duration(stats.computeInput),
      computeInfer: duration(stats.computeInfer),
      computeOutput: duration(stats.computeOutput),
      cacheHit: none(),
      cacheMiss: none(),
    },
    batchStats: [],
    memoryUsage: [],
    responseStats: {},
  };
}
