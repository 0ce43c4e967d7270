export { STATUS_TO_GRPC, grpcStatusOf } from './status-map.js';
export { createGrpcServices, DEFAULT_SERVER_NAME } from './services.js';
export type { GrpcServiceBinding, GrpcServices, GrpcServicesOptions } from './services.js';
export { startGrpcServer, DEFAULT_MAX_MESSAGE_BYTES } from './server.js';
export type { GrpcServerOptions, RunningGrpcServer } from './server.js';
export {
  inferenceServiceDefinition,
  modelServiceDefinition,
  predictionServiceDefinition,
} from './service-definitions.js';
export { parseKServeVersion, requestedServable } from './model-spec.js';
export type { RequestedServable } from './model-spec.js';
