import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { KSERVE_PLATFORM, chooseVersionStatus, metadataVersions } from '@ovms/core';
import type { TensorSpec } from '@ovms/core';
import type {
  ModelMetadataRequest,
  ModelMetadataResponse,
  ModelMetadataResponse_TensorMetadata,
} from '@ovms/proto';
import { answerModelCall } from './answer.js';
import { acquireServable } from './handler-context.js';
import type { HandlerContext } from './handler-context.js';
import { parseKServeVersion } from './model-spec.js';

const MODEL_METADATA = { api: 'KServe', method: 'ModelMetadata' } as const;

function tensorMetadata(specs: readonly TensorSpec[]): ModelMetadataResponse_TensorMetadata[] {
  // Dynamic dimensions stay -1, as OVMS's DYNAMIC_DIMENSION.
  return specs.map((spec) => ({
    name: spec.name,
    datatype: spec.dtype,
    shape: spec.shape.map((size) => BigInt(size)),
  }));
}

/**
 * KServe `ModelMetadata`: name, ready versions, platform "OpenVINO" and the tensors of the
 * named (or default) version, which must be loaded; errors in OVMS order as ModelReady.
 */
export function createModelMetadataHandler(
  ctx: HandlerContext,
): handleUnaryCall<ModelMetadataRequest, ModelMetadataResponse> {
  return (call: ServerUnaryCall<ModelMetadataRequest, ModelMetadataResponse>, callback) => {
    answerModelCall(ctx, MODEL_METADATA, callback, async (subject) => {
      const { name, version } = call.request;
      subject.name = name;
      const statuses = ctx.provider.status(name);
      const chosen = chooseVersionStatus(statuses, parseKServeVersion(version));
      const servable = await acquireServable(ctx, subject, name, chosen.version);
      return {
        name: servable.name,
        versions: metadataVersions(statuses, servable.version),
        platform: KSERVE_PLATFORM,
        // Built per answer: an `auto` reshape changes the inputs a version reports.
        inputs: tensorMetadata(servable.inputs),
        outputs: tensorMetadata(servable.outputs),
      };
    });
  };
}
