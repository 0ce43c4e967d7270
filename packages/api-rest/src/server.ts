import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { ServerTls } from '@ovms/core';
import type { RestApp } from './app.js';

export interface RestServerOptions {
  readonly app: RestApp;
  /** Bind address, e.g. "0.0.0.0" (`--rest_bind_address`). */
  readonly host: string;
  /** Port (`--rest_port`); 0 picks a free one, reported back as `port`. */
  readonly port: number;
  /** Slow-client limits; each absent one takes its REST_TIMEOUT_DEFAULTS value. */
  readonly timeouts?: Partial<RestTimeouts>;
  /** Serve HTTPS only (mutual TLS with `clientCa`); absent: plain HTTP. */
  readonly tls?: ServerTls;
}

/** How long a client may take (docs/security.md "Limits"); 0 turns a timeout off. */
export interface RestTimeouts {
  /** Until the request headers are in; then 408 and the connection is closed. */
  readonly headersMs: number;
  /** Until the whole request, body included, is in; then 408 and the connection is closed. */
  readonly requestMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveMs: number;
}

/** Node's own defaults, set explicitly so a Node upgrade cannot change them unseen. */
export const REST_TIMEOUT_DEFAULTS: RestTimeouts = {
  headersMs: 60_000,
  requestMs: 300_000,
  keepAliveMs: 5_000,
};

/**
 * Node checks the header and request timeouts on a timer (30 s by default), so a stalled client
 * could hold its socket up to 30 s past its timeout; a tenth of the shortest one, within
 * [250 ms, 30 s], keeps the overshoot small without waking often.
 */
function checkingIntervalMs(timeouts: RestTimeouts): number {
  const set = [timeouts.headersMs, timeouts.requestMs].filter((ms) => ms > 0);
  if (set.length === 0) return 30_000;
  return Math.min(30_000, Math.max(250, Math.min(...set) / 10));
}

export interface RestServer {
  /** The port actually bound. */
  readonly port: number;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs`, then
   * closes whatever connections remain. Resolves once the server is closed.
   */
  close(graceMs?: number): Promise<void>;
}

/** Listens with `app` on `host:port` through @hono/node-server; rejects if it cannot bind. */
export function startRestServer(options: RestServerOptions): Promise<RestServer> {
  const serverOptions = nodeServerOptions(options.timeouts);
  // HTTP/1.1 options give a node:http or node:https Server.
  const server =
    options.tls === undefined
      ? (createAdaptorServer({ fetch: options.app.fetch, serverOptions }) as Server)
      : (createAdaptorServer({
          fetch: options.app.fetch,
          createServer: createHttpsServer,
          serverOptions: { ...serverOptions, ...httpsOptions(options.tls) },
        }) as HttpsServer);
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      resolve({ port, close: (graceMs = 0) => closeServer(server, graceMs) });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });
}

/** node:http server options of the slow-client limits (REST_TIMEOUT_DEFAULTS for absent ones). */
export function nodeServerOptions(given: Partial<RestTimeouts> | undefined) {
  const timeouts = { ...REST_TIMEOUT_DEFAULTS, ...given };
  return {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: checkingIntervalMs(timeouts),
  };
}

export function httpsOptions(tls: ServerTls) {
  const { cert, key, clientCa } = tls;
  // Without a client certificate the handshake fails, so no request reaches the app.
  return clientCa === undefined
    ? { cert, key }
    : { cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: true };
}

export function closeServer(server: Server | HttpsServer, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close((error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    });
    // Keep-alive connections with no request in flight would hold `close` open for nothing.
    server.closeIdleConnections();
  });
}
