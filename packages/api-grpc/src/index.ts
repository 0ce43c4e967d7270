export { createGrpcServices } from './services.js';
export type { GrpcServiceBinding, GrpcServices, GrpcServicesOptions } from './services.js';
export { DEFAULT_GRPC_CHANNEL_OPTIONS, startGrpcServer } from './server.js';
export type { GrpcServerOptions, RunningGrpcServer } from './server.js';
