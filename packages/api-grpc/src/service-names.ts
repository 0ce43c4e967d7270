import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  HealthService,
  ServerReflectionService,
  ServerReflectionV1alphaService,
} from '@ovms/proto';

/** The fully qualified name of a service, read from its methods' paths ("/pkg.Service/Method"). */
export function grpcServiceName(definition: ServiceDefinition): string {
  const [method] = Object.values(definition);
  if (method === undefined) throw new Error('a service definition without methods has no name');
  return method.path.slice(1, method.path.lastIndexOf('/'));
}

/**
 * Services that answer without credentials, like the REST health probes: gRPC health checking
 * and server reflection (v1 and v1alpha). A call is one of theirs when its path starts with
 * `/<name>/`; an API key check lets those through.
 */
export const OPEN_GRPC_SERVICES: readonly string[] = [
  HealthService,
  ServerReflectionService,
  ServerReflectionV1alphaService,
].map(grpcServiceName);
