export { createGrpcServices } from './services.js';
export type { GrpcServiceBinding, GrpcServices, GrpcServicesOptions } from './services.js';
export { startGrpcServer } from './server.js';
export type { GrpcServerOptions, RunningGrpcServer } from './server.js';
export { OPEN_GRPC_CALLS } from './api-key-interceptor.js';
