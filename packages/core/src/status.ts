/**
 * The StatusCode vocabulary of ovms-ts, grouped by subsystem as OVMS groups its `status.hpp`.
 * Each code carries the message OVMS prints for it; a `ServingError` appends the detail after
 * ` - `, as OVMS does. Transports own exhaustive tables mapping each code to gRPC / HTTP.
 */
export const STATUS_MESSAGES = {
  OK: 'OK',

  // Request and tensor validation
  MODEL_SPEC_MISSING: 'model_spec missing in request',
  MODEL_VERSION_INVALID_FORMAT: 'invalid model version format in request',
  INVALID_SIGNATURE_DEF: 'Invalid signature name',
  INVALID_ARGUMENT: 'Invalid argument',
  INVALID_NO_OF_INPUTS: 'Invalid number of inputs',
  INVALID_MISSING_INPUT: 'Missing input with specific name',
  INVALID_UNEXPECTED_INPUT: 'Unexpected input',
  INVALID_MISSING_OUTPUT: 'Missing output with specific name',
  INVALID_NO_OF_SHAPE_DIMENSIONS: 'Invalid number of shape dimensions',
  INVALID_BATCH_SIZE: 'Invalid input batch size',
  INVALID_SHAPE: 'Invalid input shape',
  INVALID_PRECISION: 'Invalid input precision',
  INVALID_VALUE_COUNT: 'Invalid number of values in tensor proto container',
  INVALID_CONTENT_SIZE: 'Invalid content size of tensor proto',
  INVALID_BINARY_DATA: 'Invalid binary data',
  INVALID_STRING_DATA: 'Invalid string data',
  // Binary image inputs (OVMS status.hpp wording)
  IMAGE_PARSING_FAILED: 'Image parsing failed',
  INVALID_NO_OF_CHANNELS: 'Invalid number of channels',
  UNSUPPORTED_LAYOUT:
    'Received binary image input but resource not configured to accept NHWC layout',
  BINARY_IMAGES_RESOLUTION_MISMATCH:
    'Binary input images for this endpoint are required to have the same resolution',

  // REST body parsing
  REST_BODY_NOT_JSON: 'Request body is not a valid JSON',
  REST_BODY_NOT_OBJECT: 'Invalid JSON structure. Request body is not an object',
  REST_PREDICT_UNKNOWN_ORDER: 'Invalid JSON structure. Could not detect row or column format',
  REST_INSTANCES_NOT_ARRAY: 'Invalid JSON structure. Instances field is not an array',
  REST_INSTANCES_EMPTY: 'Invalid JSON structure. Instances array is empty',
  REST_INSTANCES_BATCH_SIZE_DIFFER: 'Invalid JSON structure. Instances batch size differ',
  REST_NAMED_INSTANCE_NOT_OBJECT: 'Invalid JSON structure. Named instance is not an object',
  REST_INPUT_NOT_FOUND_IN_INSTANCE: 'Invalid JSON structure. Instance is missing an input',
  REST_COULD_NOT_PARSE_INPUT: 'Could not parse input content. Not valid ndarray detected',
  REST_UNSUPPORTED_PRECISION: 'Could not parse input content. Unsupported data precision detected',
  REST_INVALID_BASE64: 'Invalid base64 string',
  REST_INFER_REQUEST_INVALID: 'Invalid inference request',
  REST_BINARY_DATA_SIZE_PARAMETER_INVALID:
    'binary_data_size parameter is invalid and cannot be parsed',
  REST_BINARY_BUFFER_EXCEEDED:
    'Received buffer size is smaller than binary_data_size parameter indicates',
  REST_INFERENCE_HEADER_LENGTH_INVALID: 'Inference-Header-Content-Length header is invalid',
  REST_NOT_FOUND: 'Requested REST resource not found',
  REST_UNSUPPORTED_METHOD: 'Unsupported method',
  REST_MALFORMED_URL: 'Invalid request URL',
  REST_BODY_TOO_LARGE: 'Request body is too large',

  // Models, versions, pipelines
  MODEL_NAME_MISSING: 'Model with requested name is not found',
  MODEL_VERSION_MISSING: 'Model with requested version is not found',
  MODEL_VERSION_NOT_LOADED_ANYMORE: 'Model with requested version is retired',
  MODEL_VERSION_NOT_LOADED_YET: 'Model with requested version is not loaded yet',
  PIPELINE_DEFINITION_NAME_MISSING: 'Pipeline with requested name is not found',
  RESHAPE_ERROR: 'Model could not be reshaped with requested shape',
  SERVER_NOT_READY: 'Server is not ready',

  // Pipelines (DAGs) and custom nodes: definition validation
  PIPELINE_NODE_NAME_DUPLICATE: 'Pipeline definition has multiple nodes with the same name',
  PIPELINE_NODE_OUTPUT_ALIAS_DUPLICATE:
    'Pipeline definition has multiple outputs with the same alias',
  PIPELINE_CYCLE_FOUND: 'Pipeline definition contains a cycle',
  PIPELINE_CONTAINS_UNCONNECTED_NODES: 'Pipeline definition has unconnected nodes',
  PIPELINE_NODE_REFERING_TO_MISSING_NODE: 'Pipeline definition has reference to missing node',
  PIPELINE_NODE_REFERING_TO_MISSING_MODEL: 'Pipeline definition has reference to missing model',
  PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE:
    'Pipeline definition has reference to missing data source',
  PIPELINE_NODE_REFERING_TO_MISSING_MODEL_OUTPUT:
    'Pipeline definition has reference to missing model output',
  PIPELINE_CONNECTION_TO_MISSING_MODEL_INPUT:
    'Pipeline definition has connection to non existing model input',
  PIPELINE_NOT_ALL_INPUTS_CONNECTED:
    'Pipeline definition does not have connections for all inputs of underlying models',
  PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES:
    'Pipeline definition has multiple connections to the same input of underlying model',
  PIPELINE_EXIT_USED_AS_NODE_DEPENDENCY:
    'Pipeline definition has response node used as dependency node',
  PIPELINE_DEFINITION_INVALID_NODE_LIBRARY: 'Pipeline refers to incorrect library',
  PIPELINE_NODE_GATHER_FROM_NOT_EXISTING_NODE: 'Gather node refers to not existing node',
  PIPELINE_NODE_GATHER_FROM_NOT_DEMULTIPLEXER:
    "Gather node refers to node that isn't demultiplexer",
  PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT:
    'Demultiplication count does not match tensor first dimension',
  PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY:
    'Pipeline has not enough shape dimensions to demultiply',
  PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER:
    'Demultiplexer and gather nodes are not in LIFO order',
  PIPELINE_INPUTS_AMBIGUOUS_METADATA:
    'Multiple nodes connected to the same pipeline input require different tensor metadata',
  NODE_LIBRARY_INITIALIZE_FAILED: 'Failure during custom node library initialization',
  NODE_LIBRARY_METADATA_FAILED: 'Custom node failed on metadata call',
  NODE_LIBRARY_LOAD_FAILED_OPEN: 'Custom node library failed to open',
  NODE_LIBRARY_LOAD_FAILED_SYM: 'Custom node library failed to load symbol',
  // Pipelines: execution
  PIPELINE_WRONG_NUMBER_OF_DIMENSIONS_TO_DEMULTIPLY:
    'Wrong number of dimensions in a tensor to be sharded',
  PIPELINE_WRONG_DIMENSION_SIZE_TO_DEMULTIPLY:
    'Wrong dimension size. Should match demultiply count',
  PIPELINE_TOO_LARGE_DIMENSION_SIZE_TO_DEMULTIPLY: 'Too large dynamic demultiplication requested.',
  PIPELINE_INCONSISTENT_SHARD_DIMENSIONS: 'Gathered tensor shards dimensions are different',
  // Custom nodes: execution
  NODE_LIBRARY_EXECUTION_FAILED: 'Custom node failed during execution',
  NODE_LIBRARY_MISSING_OUTPUT: 'Custom node output is missing',
  NODE_LIBRARY_OUTPUTS_CORRUPTED: 'Custom node library has returned corrupted outputs handle',
  NODE_LIBRARY_OUTPUTS_CORRUPTED_COUNT:
    'Custom node library has produced corrupted number of outputs',
  NODE_LIBRARY_INVALID_PRECISION: 'Custom node has produced tensor with unspecified precision',
  NODE_LIBRARY_INVALID_CONTENT_SIZE: 'Custom node output has invalid content size',
  NODE_LIBRARY_OUTPUT_MISSING_NAME: 'Custom node output is missing name',
  PIPELINE_DEFINITION_NOT_LOADED_YET: 'Pipeline is not loaded yet',
  PIPELINE_DEFINITION_NOT_LOADED_ANYMORE: 'Pipeline is retired',

  // Config and model repository
  JSON_INVALID: 'The file is not valid json',
  CONFIG_FILE_INVALID: 'Configuration file is invalid',
  PATH_INVALID: "The provided base path is invalid or doesn't exists",
  PATH_SCHEME_UNSUPPORTED: 'No storage backend serves the URI scheme',

  // Model control (Triton's repository extension)
  MODEL_CONTROL_DISABLED: 'explicit model load / unload is not allowed if polling is enabled',
  MODEL_CONTROL_CONFLICT: 'Model is managed by the config file',
  MODEL_LOAD_FAILED: 'Model failed to load',

  // Engines and resources
  MODEL_FILE_INVALID: 'Model file could not be loaded',
  CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE: 'Cannot compile model into target device',
  PLUGIN_CONFIG_WRONG_FORMAT: 'Plugin config is in wrong format',
  INTERNAL_INFERENCE_ERROR: 'Internal inference error',
  RESOURCE_EXHAUSTED: 'Too many requests in queue',
  NOT_IMPLEMENTED: 'Not implemented',
  INTERNAL_ERROR: 'Internal server error',
} as const;

export type StatusCode = keyof typeof STATUS_MESSAGES;

export const StatusCode = Object.fromEntries(
  Object.keys(STATUS_MESSAGES).map((code) => [code, code]),
) as { readonly [C in StatusCode]: C };

/** Every failure in ovms-ts: a code from the vocabulary, and the OVMS-worded message. */
export class ServingError extends Error {
  override readonly name = 'ServingError';
  readonly code: StatusCode;
  /** The part after ` - `, if any: what was expected and what arrived. */
  readonly detail: string | undefined;

  constructor(code: StatusCode, detail?: string, options?: ErrorOptions) {
    super(detail ? `${STATUS_MESSAGES[code]} - ${detail}` : STATUS_MESSAGES[code], options);
    this.code = code;
    this.detail = detail;
  }
}

export function isServingError(value: unknown): value is ServingError {
  return value instanceof ServingError;
}

/**
 * Normalises anything thrown into a ServingError, once, at a transport edge. Unknown errors
 * become INTERNAL_ERROR without their message: internal details are not sent to clients.
 */
export function toServingError(value: unknown): ServingError {
  if (value instanceof ServingError) return value;
  return new ServingError(StatusCode.INTERNAL_ERROR, undefined, { cause: value });
}
