import { createServer, request } from 'node:http';
import type { Server } from 'node:http';

/**
 * An HTTP proxy in front of the test's MinIO that answers the next requests with an S3 error
 * (e.g. 503 SlowDown) instead of forwarding them: throttling as the SDK sees it on the wire.
 * Requests are forwarded with their Host header intact, so SigV4 signatures still verify.
 */
export interface FaultProxy {
  readonly endpoint: string;
  /** Answers the next `count` requests with `status` and the S3 error `code`. */
  failNext(count: number, status: number, code: string): void;
  /** Requests seen, failed or forwarded. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  let failures = 0;
  let status = 503;
  let code = 'SlowDown';
  let requests = 0;
  const server: Server = createServer((incoming, outgoing) => {
    requests += 1;
    if (failures > 0) {
      failures -= 1;
      incoming.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>`;
      outgoing.writeHead(status, { 'content-type': 'application/xml' });
      outgoing.end(incoming.method === 'HEAD' ? undefined : body);
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    failNext(count, failStatus, failCode) {
      failures = count;
      status = failStatus;
      code = failCode;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
