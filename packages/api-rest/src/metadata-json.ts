import {
  DATA_TYPES,
  KSERVE_PLATFORM,
  metadataVersions,
  type Servable,
  type TensorSpec,
  type VersionStatus,
} from '@ovms/core';

/** tensorflow.TensorInfo as OVMS prints it: dims as int64 strings, defaults printed. */
function tensorInfo(spec: TensorSpec): object {
  return {
    dtype: DATA_TYPES[spec.dtype].tfName,
    tensorShape: {
      dim: spec.shape.map((size) => ({ size: String(size), name: '' })),
      unknownRank: false,
    },
    name: spec.name,
  };
}

function tensorInfoMap(specs: readonly TensorSpec[]): Record<string, object> {
  return Object.fromEntries(specs.map((spec) => [spec.name, tensorInfo(spec)]));
}

/**
 * `GET /v1/models/{m}/metadata`: GetModelMetadataResponse with the `signature_def` Any, in the
 * shape OVMS's docs show (model_server_rest_api_tfs.md): camelCase fields, one signature
 * `serving_default` with method `tensorflow/serving/predict` (SPEC.md), dynamic dims as "-1".
 */
export function tfsMetadataJson(servable: Servable): string {
  const response = {
    modelSpec: { name: servable.name, signatureName: '', version: String(servable.version) },
    metadata: {
      signature_def: {
        '@type': 'type.googleapis.com/tensorflow.serving.SignatureDefMap',
        signatureDef: {
          serving_default: {
            inputs: tensorInfoMap(servable.inputs),
            outputs: tensorInfoMap(servable.outputs),
            methodName: 'tensorflow/serving/predict',
            defaults: {},
          },
        },
      },
    },
  };
  return `${JSON.stringify(response, null, 1)}\n`;
}

function tensorMetadata(spec: TensorSpec): object {
  return { name: spec.name, datatype: spec.dtype, shape: spec.shape };
}

/**
 * `GET /v2/models/{m}`: KServe ModelMetadataResponse as OVMS answers it
 * (kfs_grpc_inference_service.cpp): the versions as gRPC lists them (core `metadataVersions`),
 * platform "OpenVINO", the shapes the version has now with -1 for dynamic dimensions; compact.
 */
export function kserveMetadataJson(servable: Servable, statuses: readonly VersionStatus[]): string {
  const response = {
    name: servable.name,
    versions: metadataVersions(statuses, servable.version),
    platform: KSERVE_PLATFORM,
    inputs: servable.inputs.map(tensorMetadata),
    outputs: servable.outputs.map(tensorMetadata),
  };
  return JSON.stringify(response);
}
