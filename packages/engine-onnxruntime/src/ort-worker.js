// @ts-check
// One ONNX Runtime infer request on its own thread: `session.run` is synchronous native work
// in onnxruntime-node, so running it here keeps the server's event loop free. Plain ESM
// JavaScript that imports only onnxruntime-node, so the same file runs from src/ under vitest
// and from dist/ after the build.
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** @import { ModelSource, WireTensor, WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js' */

// onnxruntime-node 1.30's native binding reads no Float16Array (0 bytes: "not enough space"),
// but its Tensor wraps float16 data in one whenever the runtime has the class, as Node 24 does.
// This thread only runs ORT, so hiding the class here keeps float16 as Uint16Array, the form
// the binding reads and writes.
Reflect.deleteProperty(globalThis, 'Float16Array');

const port = parentPort;
if (port === null) throw new Error('ort-worker.js must run as a worker thread');
const { sessionOptions } = /** @type {WorkerData} */ (workerData);

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * @param {WorkerReply} reply
 * @param {ArrayBuffer[]} [transfer]
 */
function send(reply, transfer = []) {
  port?.postMessage(reply, transfer);
}

/** @returns {Promise<ModelSource>} */
function modelSource() {
  return new Promise((resolve) => {
    port?.once('message', (/** @type {WorkerRequest} */ request) => {
      // The main thread sends `load` first; a thread closed before it loads just ends.
      if (request.kind === 'load') resolve(request.model);
      else process.exit(request.kind === 'exit' ? request.code : 0);
    });
  });
}

/** @type {InferenceSession | undefined} */
let session;
try {
  const model = await modelSource();
  // A path, or ModelProto bytes (kept only until the session has parsed them).
  session =
    typeof model === 'string'
      ? await InferenceSession.create(model, sessionOptions)
      : await InferenceSession.create(model, sessionOptions);
} catch (error) {
  // No message listener is attached, so the thread ends once this reply is sent.
  send({ kind: 'load-failed', message: messageOf(error) });
}

if (session !== undefined) {
  const loaded = session;
  port.on('message', (/** @type {WorkerRequest} */ request) => {
    switch (request.kind) {
      case 'load':
        break;
      case 'infer':
        void infer(loaded, request.inputs);
        break;
      case 'close':
        void loaded.release().finally(() => process.exit(0));
        break;
      case 'exit':
        process.exit(request.code);
    }
  });
  send({ kind: 'ready', inputs: loaded.inputMetadata, outputs: loaded.outputMetadata });
}

/**
 * @param {InferenceSession} loaded
 * @param {readonly WireTensor[]} inputs
 */
async function infer(loaded, inputs) {
  /** @type {WireTensor[]} */
  const outputs = [];
  let startedAt = 0;
  let finishedAt = 0;
  try {
    /** @type {Record<string, Tensor>} */
    const feeds = {};
    for (const input of inputs) {
      // The main thread sends ORT's typed array class for `type` (or strings).
      const data = /** @type {Float32Array} */ (/** @type {unknown} */ (input.data));
      feeds[input.name] = new Tensor(/** @type {'float32'} */ (input.type), data, input.dims);
    }
    startedAt = performance.timeOrigin + performance.now();
    const results = await loaded.run(feeds);
    finishedAt = performance.timeOrigin + performance.now();
    for (const name of loaded.outputNames) {
      const tensor = results[name];
      if (tensor === undefined) continue;
      outputs.push({ name, type: tensor.type, dims: tensor.dims, data: tensor.data });
    }
  } catch (error) {
    send({ kind: 'failed', message: messageOf(error) });
    return;
  }
  const reply = /** @type {WorkerReply} */ ({ kind: 'done', outputs, startedAt, finishedAt });
  try {
    // ORT's output buffers are handed over, not copied.
    send(reply, transferList(outputs));
  } catch {
    // A buffer that cannot be detached (e.g. one ORT keeps) is copied by structured clone.
    send(reply);
  }
}

/** @param {readonly WireTensor[]} tensors */
function transferList(tensors) {
  /** @type {Set<ArrayBuffer>} */
  const buffers = new Set();
  for (const { data } of tensors) {
    if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
  }
  return [...buffers];
}
