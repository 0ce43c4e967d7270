import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import type { Servable, TensorSpec, VersionStatus } from '@ovms/core';
import type {
  ModelMetadataRequest,
  ModelMetadataResponse,
  ModelMetadataResponse_TensorMetadata,
} from '@ovms/proto';
import { answerModelCall } from './answer.js';
import { acquireServable } from './handler-context.js';
import type { HandlerContext } from './handler-context.js';
import { chooseVersionStatus } from './kserve-version-resolution.js';
import { parseKServeVersion } from './model-spec.js';

const MODEL_METADATA = { api: 'KServe', method: 'ModelMetadata' } as const;

/** The platform OVMS reports for every servable (src/kfs_frontend/kfs_grpc_inference_service.cpp). */
export const KSERVE_PLATFORM = 'OpenVINO';

function tensorMetadata(specs: readonly TensorSpec[]): ModelMetadataResponse_TensorMetadata[] {
  // Dynamic dimensions stay -1, as OVMS's DYNAMIC_DIMENSION.
  return specs.map((spec) => ({
    name: spec.name,
    datatype: spec.dtype,
    shape: spec.shape.map((size) => BigInt(size)),
  }));
}

// A servable's specs never change, so its tensor metadata is built once.
const metadataOf = new WeakMap<Servable, Pick<ModelMetadataResponse, 'inputs' | 'outputs'>>();

function servableMetadata(servable: Servable): Pick<ModelMetadataResponse, 'inputs' | 'outputs'> {
  let metadata = metadataOf.get(servable);
  if (metadata === undefined) {
    metadata = {
      inputs: tensorMetadata(servable.inputs),
      outputs: tensorMetadata(servable.outputs),
    };
    metadataOf.set(servable, metadata);
  }
  return metadata;
}

/**
 * The versions a metadata answer lists: the AVAILABLE ones, plus the one being described even
 * if it changed state meanwhile, ascending (OVMS `addReadyVersions`).
 */
function readyVersions(statuses: readonly VersionStatus[], served: number): string[] {
  const versions = statuses
    .filter((status) => status.state === 'AVAILABLE' || status.version === served)
    .map((status) => status.version);
  if (!versions.includes(served)) versions.push(served);
  return versions.sort((a, b) => a - b).map(String);
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
        versions: readyVersions(statuses, servable.version),
        platform: KSERVE_PLATFORM,
        ...servableMetadata(servable),
      };
    });
  };
}
