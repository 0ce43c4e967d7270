import { ServerInterceptingCall, status } from '@grpc/grpc-js';
import type { ServerInterceptor } from '@grpc/grpc-js';
import { createApiKeyCheck, type Logger } from '@ovms/core';
import { OPEN_GRPC_SERVICES } from './service-names.js';

/**
 * gRPC calls answered without the API key, as full method paths (`/package.Service/Method`)
 * or whole services (`package.Service`): the KServe health RPCs, and the standard gRPC health
 * checking and reflection services that Kubernetes gRPC probes, Envoy and grpcurl call without
 * credentials (SPEC "Transport security and access"). A service added to the server later is
 * open exactly when its name is listed here.
 */
export const OPEN_GRPC_CALLS: ReadonlySet<string> = new Set([
  '/inference.GRPCInferenceService/ServerLive',
  '/inference.GRPCInferenceService/ServerReady',
  ...OPEN_GRPC_SERVICES,
]);

export interface ApiKeyInterceptorOptions {
  readonly apiKey: string;
  /** Calls served without the key; OPEN_GRPC_CALLS when absent. */
  readonly openCalls?: ReadonlySet<string>;
  readonly logger: Logger;
}

/** `/package.Service/Method` → `package.Service`. */
function serviceOf(path: string): string {
  return path.slice(1, path.lastIndexOf('/'));
}

/**
 * A server interceptor that ends every call outside `openCalls` with UNAUTHENTICATED unless
 * its `authorization` metadata is `Bearer <key>`. It decides on the metadata, before any
 * message is read or a handler runs.
 */
export function createApiKeyInterceptor(options: ApiKeyInterceptorOptions): ServerInterceptor {
  const check = createApiKeyCheck(options.apiKey);
  const open = options.openCalls ?? OPEN_GRPC_CALLS;
  return (method, call) => {
    if (open.has(method.path) || open.has(serviceOf(method.path)))
      return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, pass) => {
            const [value] = metadata.get('authorization');
            const refusal = check(value === undefined ? undefined : String(value));
            if (refusal === undefined) {
              pass(metadata);
              return;
            }
            options.logger.debug(
              { method: method.path, reason: refusal.reason },
              'call refused: API key',
            );
            call.sendStatus({ code: status.UNAUTHENTICATED, details: refusal.message });
          },
        });
      },
    });
  };
}
