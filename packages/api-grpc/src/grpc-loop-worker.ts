// A gRPC transport loop (`--grpc_workers` > 1): a worker thread that accepts connections on the
// shared port (SO_REUSEPORT: the kernel spreads connections over the loops), runs HTTP/2 and
// protobuf here, and asks the main thread for model calls. Started by startGrpcLoops.
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ServingError, StatusCode, createSharedMemoryBudget, silentLogger } from '@ovms/core';
import { createHealthService } from './health-service.js';
import { createLoopHandlers, RemoteFailure } from './loop-handlers.js';
import type { LoopLink, RemoteOutputs } from './loop-handlers.js';
import { fromWireTensors, toWireTensors } from './loop-protocol.js';
import type { HostMessage, LoopMessage, LoopWorkerData } from './loop-protocol.js';
import { createServingServer, credentials } from './server.js';
import {
  inferenceServiceDefinition,
  modelServiceDefinition,
  predictionServiceDefinition,
} from './service-definitions.js';
import { createServingReflection, grpcServiceNames } from './services.js';

const data = workerData as LoopWorkerData;
const host = parentPort as MessagePort;
const post = (message: LoopMessage, transfer: ArrayBuffer[] = []): void =>
  host.postMessage(message, transfer);

// Failures of model calls and forwarded RPCs are logged by the main thread, which runs them.
const silent = silentLogger;

interface Pending {
  readonly resolve: (message: HostMessage) => void;
}
const pending = new Map<number, Pending>();
let nextId = 0;

function ask(message: LoopMessage & { id: number }, transfer: ArrayBuffer[]): Promise<HostMessage> {
  return new Promise<HostMessage>((resolve) => {
    pending.set(message.id, { resolve });
    post(message, transfer);
  });
}

const link: LoopLink = {
  async infer(call): Promise<RemoteOutputs> {
    const id = (nextId += 1);
    const transfer: ArrayBuffer[] = [];
    const inputs = call.inputs instanceof Map ? toWireTensors(call.inputs, transfer) : call.inputs;
    const onAbort = (): void => post({ kind: 'cancel', id });
    call.signal.addEventListener('abort', onAbort, { once: true });
    const answer = await ask(
      {
        kind: 'infer',
        id,
        method: call.method,
        name: call.name,
        version: call.version,
        inputs,
        outputs: call.outputs,
      },
      transfer,
    ).finally(() => call.signal.removeEventListener('abort', onAbort));
    if (answer.kind === 'failed') throw new RemoteFailure(answer.status);
    if (answer.kind !== 'inferred') throw unexpected(answer);
    return { name: answer.name, version: answer.version, outputs: fromWireTensors(answer.outputs) };
  },
  async forward(service, method, request) {
    const id = (nextId += 1);
    const answer = await ask({ kind: 'call', id, service, method, request }, []);
    if (answer.kind === 'failed') throw new RemoteFailure(answer.status);
    if (answer.kind !== 'answered') throw unexpected(answer);
    return answer.response;
  },
};

function unexpected(message: HostMessage): ServingError {
  return new ServingError(StatusCode.INTERNAL_ERROR, `unexpected answer ${message.kind}`);
}

let ready = data.ready;
const serviceNames = grpcServiceNames();
const health = createHealthService({ isReady: () => ready, serviceNames });
const reflection = createServingReflection(serviceNames);
const handlers = createLoopHandlers(link, silent);
const server = createServingServer({
  bindings: [
    { definition: predictionServiceDefinition, implementation: handlers.predictionService },
    { definition: modelServiceDefinition, implementation: handlers.modelService },
    { definition: inferenceServiceDefinition, implementation: handlers.inferenceService },
    health,
    reflection.v1,
    reflection.v1alpha,
  ],
  channelOptions: data.channelOptions,
  maxMessageBytes: data.maxMessageBytes,
  memoryBudget: createSharedMemoryBudget(data.budget.limitBytes, data.budget.buffer),
  apiKey: data.apiKey,
  logger: silent,
});
const injector = server.createConnectionInjector(credentials(data.tls));
const sockets = new Set<Socket>();
let onSocketClosed = (): void => {};
const listener = createServer((socket) => {
  sockets.add(socket);
  socket.once('close', () => {
    sockets.delete(socket);
    onSocketClosed();
  });
  injector.injectConnection(socket);
});

/**
 * Stops accepting, lets calls in flight finish (GOAWAY, then each connection closes once its
 * calls are answered), cuts what is left after `graceMs`, and reports when every connection is
 * closed: only then have the answers left this thread.
 */
function stop(graceMs: number): void {
  listener.close();
  health.shutdown();
  const timer = setTimeout(() => server.forceShutdown(), graceMs);
  let shutDown = false;
  const report = (): void => {
    if (!shutDown || sockets.size > 0) return;
    clearTimeout(timer);
    post({ kind: 'stopped' });
  };
  onSocketClosed = report;
  server.tryShutdown(() => {
    shutDown = true;
    report();
  });
}
host.on('message', (message: HostMessage) => {
  switch (message.kind) {
    case 'inferred':
    case 'answered':
    case 'failed': {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      waiting?.resolve(message);
      return;
    }
    case 'ready':
      ready = message.ready;
      health.refresh();
      return;
    case 'stop':
      stop(message.graceMs);
      return;
  }
});

listener.listen({ host: data.host, port: data.port, reusePort: true }, () => {
  const address = listener.address();
  post({ kind: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
