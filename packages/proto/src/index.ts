// The public surface of @ovms/proto: every generated message, enum and service.
// Regenerate with `pnpm proto:gen` (scripts/proto-gen.sh); never edit generated/ by hand.
export { FILE_DESCRIPTOR_SET_BASE64 } from './generated/file-descriptor-set.js';
export * from './generated/google/protobuf/any.js';
export * from './generated/google/protobuf/wrappers.js';
export * from './generated/grpc/health/v1/health.js';
export * from './generated/grpc/reflection/v1/reflection.js';
// v1alpha is v1 under its first package name, with the same messages and field numbers: only
// its service and client are exported, renamed; v1's messages encode and decode for both.
export {
  ServerReflectionClient as ServerReflectionV1alphaClient,
  ServerReflectionService as ServerReflectionV1alphaService,
} from './generated/grpc/reflection/v1alpha/reflection.js';
export * from './generated/kserve/grpc_predict_v2.js';
export * from './generated/kserve/triton_extensions.js';
export * from './generated/tensorflow/core/example/example.js';
export * from './generated/tensorflow/core/example/feature.js';
export * from './generated/tensorflow/core/framework/resource_handle.js';
export * from './generated/tensorflow/core/framework/tensor.js';
export * from './generated/tensorflow/core/framework/tensor_shape.js';
export * from './generated/tensorflow/core/framework/types.js';
export * from './generated/tensorflow/core/protobuf/error_codes.js';
export * from './generated/tensorflow/core/protobuf/meta_graph.js';
export * from './generated/tensorflow_serving/apis/classification.js';
export * from './generated/tensorflow_serving/apis/get_model_metadata.js';
export * from './generated/tensorflow_serving/apis/get_model_status.js';
export * from './generated/tensorflow_serving/apis/inference.js';
export * from './generated/tensorflow_serving/apis/input.js';
export * from './generated/tensorflow_serving/apis/model.js';
export * from './generated/tensorflow_serving/apis/model_management.js';
export * from './generated/tensorflow_serving/apis/model_service.js';
export * from './generated/tensorflow_serving/apis/predict.js';
export * from './generated/tensorflow_serving/apis/prediction_service.js';
export * from './generated/tensorflow_serving/apis/regression.js';
export * from './generated/tensorflow_serving/apis/status.js';
export * from './generated/tensorflow_serving/config/file_system_storage_path_source.js';
export * from './generated/tensorflow_serving/config/logging_config.js';
export * from './generated/tensorflow_serving/config/model_server_config.js';
export * from './generated/tensorflow_serving/util/status.js';
