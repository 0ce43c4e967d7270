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
  /** Serve HTTPS only (mutual TLS with `clientCa`); absent: plain HTTP. */
  readonly tls?: ServerTls;
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
  // HTTP/1.1 options give a node:http or node:https Server.
  const server =
    options.tls === undefined
      ? (createAdaptorServer({ fetch: options.app.fetch }) as Server)
      : (createAdaptorServer({
          fetch: options.app.fetch,
          createServer: createHttpsServer,
          serverOptions: httpsOptions(options.tls),
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

function httpsOptions(tls: ServerTls) {
  const { cert, key, clientCa } = tls;
  // Without a client certificate the handshake fails, so no request reaches the app.
  return clientCa === undefined
    ? { cert, key }
    : { cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: true };
}

function closeServer(server: Server | HttpsServer, graceMs: number): Promise<void> {
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
