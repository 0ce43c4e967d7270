// A REST transport loop (`--rest_workers` > 1): a worker thread that accepts connections on the
// shared port (SO_REUSEPORT: the kernel spreads connections over the loops), runs HTTP/1.1 (and
// TLS) and reads request bodies here, within the size limit and the server-wide memory budget.
// KServe infers and TF Serving predicts are decoded and encoded here, only their model call
// going to the main thread (TF Serving's with the model's input specs, fetched once and kept);
// every other request goes whole to the main thread's REST app, its response written back as
// it comes. Started by startRestLoops.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createSharedMemoryBudget, toServingError } from '@ovms/core';
import type { InputsError } from '@ovms/core';
import { readBody } from './body.js';
import { createLoopInferApp } from './loop-infer-app.js';
import type { LoopInferApp, LoopInferReply, LoopInferRequest } from './loop-infer-app.js';
import { ownBuffer } from './rest-loop-protocol.js';
import type {
  LoopSpecs,
  RestHostMessage,
  RestLoopMessage,
  RestLoopWorkerData,
} from './rest-loop-protocol.js';
import { closeServer, httpsOptions, nodeServerOptions } from './server.js';

const data = workerData as RestLoopWorkerData;
const host = parentPort as MessagePort;
const post = (message: RestLoopMessage, transfer: ArrayBuffer[] = []): void =>
  host.postMessage(message, transfer);
const budget = createSharedMemoryBudget(data.budget.limitBytes, data.budget.buffer);

/** Responses being written, by request id. */
const responses = new Map<number, ServerResponse>();
/** Model calls waiting for the main thread, by request id. */
const calls = new Map<number, (reply: LoopInferReply) => void>();
let nextId = 0;

/** Specs lookups waiting for the main thread, by request id. */
const specLookups = new Map<number, (specs: LoopSpecs | undefined) => void>();

const inferApp: LoopInferApp | undefined =
  data.inferInLoop === undefined
    ? undefined
    : createLoopInferApp(data.inferInLoop, {
        infer(call, transfer, signal) {
          const id = (nextId += 1);
          const onAbort = (): void => post({ kind: 'abort', id });
          signal.addEventListener('abort', onAbort, { once: true });
          return new Promise<LoopInferReply>((resolve) => {
            calls.set(id, resolve);
            post({ kind: 'infer', id, ...call }, transfer);
          }).finally(() => signal.removeEventListener('abort', onAbort));
        },
        specs(name, version) {
          const id = (nextId += 1);
          return new Promise<LoopSpecs | undefined>((resolve) => {
            specLookups.set(id, resolve);
            post({ kind: 'specs', id, name, version });
          });
        },
      });

/** A Request carrying only what readBody looks at besides the body: its declared length. */
function lengthOf(incoming: IncomingMessage): Request {
  const length = incoming.headers['content-length'];
  return new Request('http://loop/', {
    headers: length === undefined ? {} : { 'content-length': length },
  });
}

/** A response read whole, written with its length, as @hono/node-server writes one. */
function writeWhole(
  res: ServerResponse,
  status: number,
  headers: readonly (readonly [string, string])[],
  body: Uint8Array,
): void {
  const flat = headers.filter(([name]) => name !== 'content-length').flat();
  // 204 and 304 have no body and so no length (@hono/node-server sends none either).
  if (status !== 204 && status !== 304) flat.push('content-length', String(body.byteLength));
  res.writeHead(status, flat).end(body);
}

/**
 * A request the loop answers itself (inferApp); its lease is held until the answer is written.
 * False when it must go whole to the app after all (its body untouched).
 */
async function serveHere(
  app: LoopInferApp,
  req: IncomingMessage,
  res: ServerResponse,
  here: Pick<LoopInferRequest, 'url' | 'target' | 'body' | 'lease'>,
): Promise<boolean> {
  const controller = new AbortController();
  const onClose = (): void => {
    here.lease.release();
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const response = await app.answer({ ...here, headers, signal: controller.signal });
  if (response === undefined) {
    res.off('close', onClose);
    return false;
  }
  if (res.destroyed) return true;
  const body = new Uint8Array(await response.arrayBuffer());
  writeWhole(res, response.status, [...response.headers], body);
  return true;
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Counted while this thread holds the body; the main thread's app counts it from there on.
  const lease = budget.admit(0);
  let body: Uint8Array<ArrayBuffer>;
  let refused: InputsError | undefined;
  try {
    body = ownBuffer(
      await readBody(
        { incoming: req, request: lengthOf(req) },
        { maxBytes: data.maxBodyBytes, lease },
      ),
    );
  } catch (thrown) {
    // Answered by the app, whose routes decide whether the body matters (a refused key, an
    // unknown path answer first, and CORS headers go on the refusal as they do in one thread).
    const error = toServingError(thrown);
    refused = { code: error.code, detail: error.detail };
    body = new Uint8Array(0);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const target =
    refused === undefined ? inferApp?.targetOf(req.method, url, req.headers) : undefined;
  if (inferApp !== undefined && target !== undefined) {
    if (await serveHere(inferApp, req, res, { url, target, body, lease })) return;
  }
  const id = (nextId += 1);
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
      refused,
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
      if (res !== undefined) writeWhole(res, message.status, message.headers, message.body);
      return;
    }
    case 'specs': {
      const resolve = specLookups.get(message.id);
      specLookups.delete(message.id);
      resolve?.(message.specs);
      return;
    }
    case 'inferred':
    case 'refused':
    case 'stale': {
      const resolve = calls.get(message.id);
      calls.delete(message.id);
      resolve?.(message);
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
