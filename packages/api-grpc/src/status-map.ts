import { status as GrpcStatus } from '@grpc/grpc-js';
import type { StatusObject } from '@grpc/grpc-js';
import { toServingError } from '@ovms/core';
import type { ServingError, StatusCode } from '@ovms/core';

/**
 * The gRPC status each ServingError code is answered with, as OVMS's `grpcStatusMap`
 * (src/status.cpp, src/grpc_utils.cpp) maps its own codes. Two entries follow that source
 * rather than SPEC.md's table: OVMS answers a version that is still loading with NOT_FOUND
 * (not UNAVAILABLE) and an invalid config file with INTERNAL (not FAILED_PRECONDITION) on gRPC;
 * the HTTP statuses differ and belong to api-rest. Codes only the REST transport raises get the
 * gRPC code closest in meaning, so the table stays exhaustive.
 */
export const STATUS_TO_GRPC = {
  OK: GrpcStatus.OK,

  MODEL_SPEC_MISSING: GrpcStatus.INVALID_ARGUMENT,
  MODEL_VERSION_INVALID_FORMAT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_SIGNATURE_DEF: GrpcStatus.INVALID_ARGUMENT,
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_NO_OF_INPUTS: GrpcStatus.INVALID_ARGUMENT,
  INVALID_MISSING_INPUT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_UNEXPECTED_INPUT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_MISSING_OUTPUT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_NO_OF_SHAPE_DIMENSIONS: GrpcStatus.INVALID_ARGUMENT,
  INVALID_BATCH_SIZE: GrpcStatus.INVALID_ARGUMENT,
  INVALID_SHAPE: GrpcStatus.INVALID_ARGUMENT,
  INVALID_PRECISION: GrpcStatus.INVALID_ARGUMENT,
  INVALID_VALUE_COUNT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_CONTENT_SIZE: GrpcStatus.INVALID_ARGUMENT,
  INVALID_BINARY_DATA: GrpcStatus.INVALID_ARGUMENT,
  INVALID_STRING_DATA: GrpcStatus.INVALID_ARGUMENT,

  REST_BODY_NOT_JSON: GrpcStatus.INVALID_ARGUMENT,
  REST_BODY_NOT_OBJECT: GrpcStatus.INVALID_ARGUMENT,
  REST_PREDICT_UNKNOWN_ORDER: GrpcStatus.INVALID_ARGUMENT,
  REST_INSTANCES_NOT_ARRAY: GrpcStatus.INVALID_ARGUMENT,
  REST_INSTANCES_EMPTY: GrpcStatus.INVALID_ARGUMENT,
  REST_INSTANCES_BATCH_SIZE_DIFFER: GrpcStatus.INVALID_ARGUMENT,
  REST_NAMED_INSTANCE_NOT_OBJECT: GrpcStatus.INVALID_ARGUMENT,
  REST_INPUT_NOT_FOUND_IN_INSTANCE: GrpcStatus.INVALID_ARGUMENT,
  REST_COULD_NOT_PARSE_INPUT: GrpcStatus.INVALID_ARGUMENT,
  REST_UNSUPPORTED_PRECISION: GrpcStatus.INVALID_ARGUMENT,
  REST_INVALID_BASE64: GrpcStatus.INVALID_ARGUMENT,
  REST_INFER_REQUEST_INVALID: GrpcStatus.INVALID_ARGUMENT,
  REST_BINARY_DATA_SIZE_PARAMETER_INVALID: GrpcStatus.INVALID_ARGUMENT,
  REST_BINARY_BUFFER_EXCEEDED: GrpcStatus.INVALID_ARGUMENT,
  REST_INFERENCE_HEADER_LENGTH_INVALID: GrpcStatus.INVALID_ARGUMENT,
  REST_NOT_FOUND: GrpcStatus.NOT_FOUND,
  REST_UNSUPPORTED_METHOD: GrpcStatus.UNIMPLEMENTED,
  REST_MALFORMED_URL: GrpcStatus.INVALID_ARGUMENT,
  REST_BODY_TOO_LARGE: GrpcStatus.RESOURCE_EXHAUSTED,

  MODEL_NAME_MISSING: GrpcStatus.NOT_FOUND,
  MODEL_VERSION_MISSING: GrpcStatus.NOT_FOUND,
  MODEL_VERSION_NOT_LOADED_ANYMORE: GrpcStatus.NOT_FOUND,
  MODEL_VERSION_NOT_LOADED_YET: GrpcStatus.NOT_FOUND,
  PIPELINE_DEFINITION_NAME_MISSING: GrpcStatus.NOT_FOUND,
  RESHAPE_ERROR: GrpcStatus.FAILED_PRECONDITION,
  SERVER_NOT_READY: GrpcStatus.UNAVAILABLE,

  JSON_INVALID: GrpcStatus.INTERNAL,
  CONFIG_FILE_INVALID: GrpcStatus.INTERNAL,
  PATH_INVALID: GrpcStatus.INTERNAL,
  PATH_SCHEME_UNSUPPORTED: GrpcStatus.INTERNAL,

  MODEL_FILE_INVALID: GrpcStatus.INTERNAL,
  CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE: GrpcStatus.FAILED_PRECONDITION,
  PLUGIN_CONFIG_WRONG_FORMAT: GrpcStatus.INTERNAL,
  INTERNAL_INFERENCE_ERROR: GrpcStatus.INTERNAL,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  NOT_IMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  INTERNAL_ERROR: GrpcStatus.INTERNAL,
} as const satisfies Record<StatusCode, GrpcStatus>;

/** The gRPC status (code and OVMS-worded details) a ServingError is answered with. */
export function grpcStatusOf(error: ServingError): Pick<StatusObject, 'code' | 'details'> {
  return { code: STATUS_TO_GRPC[error.code], details: error.message };
}

/** Anything thrown, normalised once, as the status a handler answers with. */
export function grpcStatusOfUnknown(thrown: unknown): {
  readonly error: ServingError;
  readonly status: Pick<StatusObject, 'code' | 'details'>;
} {
  const error = toServingError(thrown);
  return { error, status: grpcStatusOf(error) };
}
