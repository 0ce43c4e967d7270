// A REST transport loop (`--rest_workers` > 1): a worker thread that accepts connections on the
// shared port (SO_REUSEPORT: the kernel spreads connections over the loops), runs HTTP/1.1 (and
// TLS) and reads request bodies here, within the size limit and the server-wide memory budget,
// and hands each request whole to the main thread's REST app, writing its response back as
// it comes. Started by startRestLoops.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createMemoryBudget, toServingError } from '@ovms/core';
import { readBody } from './body.js';
import { errorResponse } from './errors.js';
import { ownBuffer } from './rest-loop-protocol.js';
import type { RestHostMessage, RestLoopMessage, RestLoopWorkerData } from './rest-loop-protocol.js';
import { closeServer, httpsOptions, nodeServerOptions } from './server.js';

const data = workerData as RestLoopWorkerData;
const host = parentPort as MessagePort;
const post = (message: RestLoopMessage, transfer: ArrayBuffer[] = []): void =>
  host.postMessage(message, transfer);
const budget = createMemoryBudget(data.budget.limitBytes, data.budget.buffer);

/** Responses being written, by request id. */
const responses = new Map<number, ServerResponse>();
let nextId = 0;

/** A Request carrying only what readBody looks at besides the body: its declared length. */
function lengthOf(incoming: IncomingMessage): Request {
  const length = incoming.headers['content-length'];
  return new Request('http://loop/', {
    headers: length === undefined ? {} : { 'content-length': length },
  });
}

async function writeError(res: ServerResponse, thrown: unknown): Promise<void> {
  const answer = errorResponse(toServingError(thrown));
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(await answer.text());
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = (nextId += 1);
  // Counted while this thread holds the body; the main thread's app counts it from there on.
  const lease = budget.admit(0);
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = ownBuffer(
      await readBody(
        { incoming: req, request: lengthOf(req) },
        { maxBytes: data.maxBodyBytes, lease },
      ),
    );
  } catch (error) {
    lease.release();
    await writeError(res, error);
    return;
  }
  responses.set(id, res);
  res.once('close', () => {
    if (responses.delete(id)) post({ kind: 'abort', id });
  });
  post(
    {
      kind: 'request',
      id,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.rawHeaders,
      body,
    },
    [body.buffer],
  );
  lease.release();
}

const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
  serve(req, res).catch((error: unknown) => res.destroy(error as Error));
};
const options = nodeServerOptions(data.timeouts);
const server: Server =
  data.tls === undefined
    ? createServer(options, onRequest)
    : createHttpsServer({ ...options, ...httpsOptions(data.tls) }, onRequest);

host.on('message', (message: RestHostMessage) => {
  switch (message.kind) {
    case 'response': {
      const res = responses.get(message.id);
      responses.delete(message.id);
      // A whole body has a length: sent with it, as @hono/node-server does, not chunked.
      const headers = message.headers.filter(([name]) => name !== 'content-length').flat();
      headers.push('content-length', String(message.body.byteLength));
      res?.writeHead(message.status, headers).end(message.body);
      return;
    }
    case 'head':
      responses.get(message.id)?.writeHead(message.status, message.headers.flat());
      return;
    case 'chunk':
      responses.get(message.id)?.write(message.data);
      return;
    case 'end': {
      const res = responses.get(message.id);
      responses.delete(message.id);
      res?.end();
      return;
    }
    case 'broken': {
      const res = responses.get(message.id);
      responses.delete(message.id);
      res?.destroy();
      return;
    }
    case 'stop':
      // Answers still on their way keep their connections until written or the grace ends.
      void closeServer(server, message.graceMs).finally(() => post({ kind: 'stopped' }));
      return;
  }
});

server.listen({ host: data.host, port: data.port, reusePort: true }, () => {
  const address = server.address();
  post({ kind: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
