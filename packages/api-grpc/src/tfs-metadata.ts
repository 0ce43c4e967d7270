import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { tensorShapeProto, tfDataTypeOf } from '@ovms/codecs';
import { ServingError, StatusCode } from '@ovms/core';
import type { Servable, TensorSpec } from '@ovms/core';
import { SignatureDefMap } from '@ovms/proto';
import type {
  Any,
  GetModelMetadataRequest,
  GetModelMetadataResponse,
  TensorInfo,
} from '@ovms/proto';
import { answerModelCall } from './answer.js';
import { acquireServable } from './handler-context.js';
import type { HandlerContext } from './handler-context.js';
import { SERVING_DEFAULT, requestedServable, servedModelSpec } from './model-spec.js';

const GET_MODEL_METADATA = { api: 'TensorFlowServing', method: 'GetModelMetadata' } as const;

/** The one metadata field OVMS (and TF Serving) can answer. */
export const SIGNATURE_DEF_FIELD = 'signature_def';
export const SIGNATURE_DEF_MAP_TYPE_URL = 'type.googleapis.com/tensorflow.serving.SignatureDefMap';
export const PREDICT_METHOD_NAME = 'tensorflow/serving/predict';

function tensorInfos(specs: readonly TensorSpec[]): { [name: string]: TensorInfo } {
  const infos: { [name: string]: TensorInfo } = {};
  for (const spec of specs) {
    infos[spec.name] = {
      encoding: { $case: 'name', name: spec.name },
      dtype: tfDataTypeOf(spec.dtype),
      // Dynamic dimensions stay -1, as OVMS's DYNAMIC_DIMENSION.
      tensorShape: tensorShapeProto(spec.shape),
    };
  }
  return infos;
}

/**
 * A servable's `serving_default` signature, packed in `Any` as GetModelMetadata answers it;
 * built per answer, since an `auto` reshape changes the shapes a version reports.
 */
export function packedSignatureDefMap(servable: Servable): Any {
  const map: SignatureDefMap = {
    signatureDef: {
      [SERVING_DEFAULT]: {
        inputs: tensorInfos(servable.inputs),
        outputs: tensorInfos(servable.outputs),
        methodName: PREDICT_METHOD_NAME,
      },
    },
  };
  return { typeUrl: SIGNATURE_DEF_MAP_TYPE_URL, value: SignatureDefMap.encode(map).finish() };
}

/**
 * OVMS accepts exactly one metadata_field, "signature_def", and answers anything else with
 * INVALID_SIGNATURE_DEF "Invalid signature name" (src/get_model_metadata_impl.cpp `validate`).
 */
function checkMetadataFields(fields: readonly string[]): void {
  if (fields.length !== 1 || fields[0] !== SIGNATURE_DEF_FIELD) {
    throw new ServingError(
      StatusCode.INVALID_SIGNATURE_DEF,
      `metadata_field must be ["${SIGNATURE_DEF_FIELD}"]; Actual: ${JSON.stringify(fields)}`,
    );
  }
}

/**
 * TF Serving `GetModelMetadata`: checks the request as OVMS does (model_spec, then
 * metadata_field), resolves the version like Predict and answers its signature.
 */
export function createGetModelMetadataHandler(
  ctx: HandlerContext,
): handleUnaryCall<GetModelMetadataRequest, GetModelMetadataResponse> {
  return (call: ServerUnaryCall<GetModelMetadataRequest, GetModelMetadataResponse>, callback) => {
    answerModelCall(ctx, GET_MODEL_METADATA, callback, async (subject) => {
      const request = call.request;
      const { name, version } = requestedServable(request.modelSpec);
      checkMetadataFields(request.metadataField);
      const servable = await acquireServable(ctx, subject, name, version);
      return {
        modelSpec: servedModelSpec(servable.name, servable.version, ''),
        metadata: { [SIGNATURE_DEF_FIELD]: packedSignatureDefMap(servable) },
      };
    });
  };
}
