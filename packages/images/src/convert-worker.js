// @ts-check
// Converts 8-bit pixel values (BGR or gray, already decoded and resized by libvips) to the
// element types libvips cannot write (FP16, BF16, INT64, UINT64), off the server's event loop.
// Plain ESM JavaScript without imports, so the same file runs from src/ under vitest and from
// dist/ after the build. Every value 0–255 is exact in each of these types: no rounding.
import { parentPort } from 'node:worker_threads';

/** @import { ConvertReply, ConvertRequest, WorkerDataType } from './conversion-pool.js' */

const port = parentPort;
if (port === null) throw new Error('convert-worker.js must run as a worker thread');

/** IEEE half-precision bits of a non-negative integer up to 255 (exact). @param {number} value */
function float16Bits(value) {
  if (value === 0) return 0;
  const exponent = Math.floor(Math.log2(value));
  const mantissa = (value / 2 ** exponent - 1) * 1024;
  return ((exponent + 15) << 10) | mantissa;
}

/** bfloat16 bits: the high half of the float32. @param {number} value */
function bfloat16Bits(value) {
  return (new Uint32Array(new Float32Array([value]).buffer)[0] ?? 0) >>> 16;
}

const VALUES = Array.from({ length: 256 }, (_, value) => value);

/** @type {{ [K in WorkerDataType]: () => Uint16Array | BigInt64Array | BigUint64Array }} */
const TABLES = {
  FP16: () => Uint16Array.from(VALUES, float16Bits),
  BF16: () => Uint16Array.from(VALUES, bfloat16Bits),
  INT64: () => BigInt64Array.from(VALUES, BigInt),
  UINT64: () => BigUint64Array.from(VALUES, BigInt),
};

/** @type {Map<WorkerDataType, Uint16Array | BigInt64Array | BigUint64Array>} */
const tables = new Map();

port.on('message', (/** @type {ConvertRequest} */ request) => {
  let table = tables.get(request.dtype);
  if (table === undefined) {
    table = TABLES[request.dtype]();
    tables.set(request.dtype, table);
  }
  const values = request.values;
  const out = /** @type {Uint16Array} */ (
    new /** @type {any} */ (table.constructor)(values.length)
  );
  const from = /** @type {Uint16Array} */ (table);
  for (let i = 0; i < values.length; i++) out[i] = /** @type {number} */ (from[values[i] ?? 0]);
  const buffer = /** @type {ArrayBuffer} */ (out.buffer);
  /** @type {ConvertReply} */
  const reply = { bytes: new Uint8Array(buffer) };
  port.postMessage(reply, [buffer]);
});
