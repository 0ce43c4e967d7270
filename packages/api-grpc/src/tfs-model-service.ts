import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { VersionState } from '@ovms/core';
import type { VersionStatus } from '@ovms/core';
import type {
  GetModelStatusRequest,
  GetModelStatusResponse,
  ModelVersionStatus,
  ReloadConfigRequest,
  ReloadConfigResponse,
} from '@ovms/proto';
import { answerModelCall, answerServerCall } from './answer.js';
import type { HandlerContext } from './handler-context.js';
import { requestedServable } from './model-spec.js';

const GET_MODEL_STATUS = { api: 'TensorFlowServing', method: 'GetModelStatus' } as const;

function modelVersionStatus(status: VersionStatus): ModelVersionStatus {
  return {
    version: BigInt(status.version),
    state: VersionState[status.state],
    status: { errorCode: status.errorCode, errorMessage: status.errorMessage },
  };
}

/**
 * TF Serving `GetModelStatus`: every version of the model, or the one asked for (version 0
 * counts as none), with its state and last error as the provider reports them. An unknown name
 * or version is the provider's MODEL_NAME_MISSING / MODEL_VERSION_MISSING (src/model_service.cpp).
 */
export function createGetModelStatusHandler(
  ctx: HandlerContext,
): handleUnaryCall<GetModelStatusRequest, GetModelStatusResponse> {
  return (call: ServerUnaryCall<GetModelStatusRequest, GetModelStatusResponse>, callback) => {
    answerModelCall(ctx, GET_MODEL_STATUS, callback, (subject) => {
      const { name, version } = requestedServable(call.request.modelSpec);
      subject.name = name;
      subject.version = version;
      const statuses = ctx.provider.status(name, version);
      return Promise.resolve({ modelVersionStatus: statuses.map(modelVersionStatus) });
    });
  };
}

/**
 * TF Serving `HandleReloadConfigRequest`. OVMS never applies the `config` carried in the
 * request: it answers OK because its own poller re-reads the config file
 * (src/model_service.cpp). ovms-ts keeps that contract (the request's config is ignored, the
 * answer is an empty ReloadConfigResponse) and re-reads the config file right away, so the
 * call also works with `--file_system_poll_wait_seconds 0`; a config file that cannot be
 * applied is answered with its error, and the models in force keep serving.
 */
export function createReloadConfigHandler(
  ctx: HandlerContext,
): handleUnaryCall<ReloadConfigRequest, ReloadConfigResponse> {
  return (call: ServerUnaryCall<ReloadConfigRequest, ReloadConfigResponse>, callback) => {
    answerServerCall(ctx, 'HandleReloadConfigRequest', callback, async () => {
      if (call.request.config !== undefined) {
        ctx.logger.info({}, 'HandleReloadConfigRequest: the config in the request is ignored');
      }
      const changed = await ctx.admin.reloadConfig();
      ctx.logger.info({ changed }, 'config reloaded on HandleReloadConfigRequest');
      return { status: undefined, metric: [] };
    });
  };
}
