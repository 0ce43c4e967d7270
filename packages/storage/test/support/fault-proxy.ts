import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * An HTTP proxy in front of a real emulator that answers the next `failures` requests itself
 * with `status` (throttling, 503) and forwards everything else untouched: emulators cannot be
 * told to throttle, and the retry path must meet real status codes on the wire.
 */
export interface FaultProxy {
  readonly endpoint: string;
  /** Requests that reached the proxy, failed or forwarded. */
  readonly seen: number;
  fail(count: number, status: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let pending = 0;
  let status = 503;
  let seen = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen += 1;
    if (pending > 0) {
      pending -= 1;
      req.resume();
      const body = JSON.stringify({ error: { code: status, message: 'injected fault' } });
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(body);
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get seen() {
      return seen;
    },
    fail(count, code) {
      pending = count;
      status = code;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
