import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import type {
  ModelReadyRequest,
  ModelReadyResponse,
  ServerLiveRequest,
  ServerLiveResponse,
  ServerMetadataRequest,
  ServerMetadataResponse,
  ServerReadyRequest,
  ServerReadyResponse,
} from '@ovms/proto';
import { KSERVE_EXTENSIONS, chooseVersionStatus } from '@ovms/core';
import { answerModelCall, answerServerCall } from './answer.js';
import type { HandlerContext } from './handler-context.js';
import { parseKServeVersion } from './model-spec.js';

const MODEL_READY = { api: 'KServe', method: 'ModelReady' } as const;

/** KServe `ServerLive`: answering at all means live (the gRPC server runs only while live). */
export function createServerLiveHandler(
  ctx: HandlerContext,
): handleUnaryCall<ServerLiveRequest, ServerLiveResponse> {
  return (_call, callback) => answerServerCall(ctx, 'ServerLive', callback, () => ({ live: true }));
}

/** KServe `ServerReady`: true once every configured servable finished its initial load. */
export function createServerReadyHandler(
  ctx: HandlerContext,
): handleUnaryCall<ServerReadyRequest, ServerReadyResponse> {
  return (_call, callback) =>
    answerServerCall(ctx, 'ServerReady', callback, () => ({ ready: ctx.provider.isReady() }));
}

/** KServe `ServerMetadata`: the project name and version, and the extensions served. */
export function createServerMetadataHandler(
  ctx: HandlerContext,
): handleUnaryCall<ServerMetadataRequest, ServerMetadataResponse> {
  return (_call, callback) =>
    answerServerCall(ctx, 'ServerMetadata', callback, () => ({
      name: ctx.serverName,
      version: ctx.serverVersion,
      extensions: [...KSERVE_EXTENSIONS],
    }));
}

/**
 * KServe `ModelReady`: whether the named (or default) version is AVAILABLE. An unknown model is
 * MODEL_NAME_MISSING, a malformed version string is refused, a version the model does not have
 * (or no default) is MODEL_VERSION_MISSING, in that order, as OVMS `getModelReady` checks.
 */
export function createModelReadyHandler(
  ctx: HandlerContext,
): handleUnaryCall<ModelReadyRequest, ModelReadyResponse> {
  return (call: ServerUnaryCall<ModelReadyRequest, ModelReadyResponse>, callback) => {
    answerModelCall(ctx, MODEL_READY, callback, (subject) => {
      const { name, version } = call.request;
      subject.name = name;
      const statuses = ctx.provider.status(name);
      const chosen = chooseVersionStatus(statuses, parseKServeVersion(version));
      subject.version = chosen.version;
      return Promise.resolve({ ready: chosen.state === 'AVAILABLE' });
    });
  };
}
