import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ServerUnaryCall, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus as ServingStatus, HealthService } from '@ovms/proto';
import type { HealthCheckRequest, HealthCheckResponse, HealthServer } from '@ovms/proto';
import type { GrpcServiceBinding } from './services.js';

export interface HealthServiceOptions {
  /** Whether the server is ready (the provider's initial load is over and it is not stopping). */
  readonly isReady: () => boolean;
  /** Fully qualified names of the services served; each answers with the server's status. */
  readonly serviceNames: readonly string[];
}

/** grpc.health.v1.Health, and the two moments its status changes. */
export interface HealthServiceBinding extends GrpcServiceBinding<HealthServer> {
  /**
   * Reads `isReady` again and sends the new status to every Watch stream it changed for. Call it
   * when readiness may have changed (the initial load is over).
   */
  refresh(): void;
  /**
   * The server is stopping: NOT_SERVING from now on, sent to every Watch stream, which then
   * ends, so a graceful shutdown is not held open by watchers. Idempotent.
   */
  shutdown(): void;
  /** Whether the server answers SERVING now (ready and not stopping). */
  serving(): boolean;
  /** Calls `listener` after every refresh (transport loops mirror readiness this way). */
  onRefresh(listener: () => void): void;
}

interface Watcher {
  readonly call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;
  last: ServingStatus;
}

/**
 * gRPC health checking (grpc/grpc doc/health-checking.md). Service "" is the server: SERVING
 * once it is ready, NOT_SERVING before and while stopping; each served service name answers the
 * same. Check fails with NOT_FOUND for any other name; Watch answers it SERVICE_UNKNOWN and
 * stays open, as the spec says, until the client cancels or the server stops.
 */
export function createHealthService(options: HealthServiceOptions): HealthServiceBinding {
  const known = new Set(['', ...options.serviceNames]);
  const watchers = new Set<Watcher>();
  const listeners: (() => void)[] = [];
  let stopped = false;

  const statusOf = (service: string): ServingStatus => {
    if (!known.has(service)) return ServingStatus.SERVICE_UNKNOWN;
    return !stopped && options.isReady() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  };
  const send = (watcher: Watcher): void => {
    const now = statusOf(watcher.call.request.service);
    if (now === watcher.last) return;
    watcher.last = now;
    watcher.call.write({ status: now });
  };

  const check = (
    call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
    callback: sendUnaryData<HealthCheckResponse>,
  ): void => {
    const { service } = call.request;
    if (!known.has(service)) {
      callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service: ${service}` });
      return;
    }
    callback(null, { status: statusOf(service) });
  };

  const watch = (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>): void => {
    const watcher: Watcher = { call, last: statusOf(call.request.service) };
    call.write({ status: watcher.last });
    if (stopped) {
      call.end();
      return;
    }
    watchers.add(watcher);
    call.on('cancelled', () => watchers.delete(watcher));
  };

  return {
    definition: HealthService,
    implementation: { check, watch },
    refresh() {
      for (const watcher of watchers) send(watcher);
      for (const listener of listeners) listener();
    },
    serving: () => !stopped && options.isReady(),
    onRefresh: (listener) => void listeners.push(listener),
    shutdown() {
      if (stopped) return;
      stopped = true;
      for (const watcher of watchers) {
        send(watcher);
        watcher.call.end();
      }
      watchers.clear();
    },
  };
}
