import type { JsonByteWriter } from './byte-writer.js';
import { FLOAT32_JSON_WASM_BASE64 } from './generated/float32-json-wasm.js';
import type { JsonReader } from './reader.js';

/**
 * The FP32 JSON hot loops in WebAssembly (packages/codecs/wasm/float32-json.c, built by
 * scripts/build-wasm.sh): number runs parsed into float32 and float32 runs formatted as text,
 * a whole run per call. Results equal the TypeScript paths' bit for bit (number-run.ts,
 * float32-text.ts), which stay as the fallback where WebAssembly is off (`node --jitless`)
 * and as the reference the tests compare against. Both directions are synchronous, so one
 * module instance serves every request.
 */

/**
 * The few WebAssembly APIs used, typed here: the project's libs carry no DOM types, and the
 * global is absent where WebAssembly is off (`node --jitless`).
 */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: object };
}

interface Float32JsonExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly __heap_base: { readonly value: number };
  state(): number;
  read_float32_run(
    input: number,
    length: number,
    pos: number,
    out: number,
    max: number,
    final: number,
  ): number;
  write_float32s(values: number, count: number, out: number, comma: number): number;
}

/** Body bytes loaded per window; a run reuses the window until it passes its end. */
const WINDOW_BYTES = 1 << 20;
/** Floats one read call may produce. */
const READ_OUT_FLOATS = 1 << 17;
/** Values one write call formats. */
const WRITE_BLOCK = 1 << 14;
/** Bytes a float32 can take with its comma: `,-1.17549435e-38` is 16. */
const MAX_FLOAT32_TEXT = 25;

/** Why a read run ended (run_state[1] in the C). */
const STOP_OTHER = 0;
const STOP_WINDOW = 1;

interface Float32Wasm {
  readonly exports: Float32JsonExports;
  readonly heap: Uint8Array;
  readonly floats: Float32Array;
  readonly state: Uint32Array;
  readonly input: number;
  readonly readOut: number;
  readonly writeValues: number;
  readonly writeText: number;
  /**
   * Loads of the window so far; the reader whose `wasmWindow` equals it has bytes
   * [windowStart, windowStart + windowLength) at `input`. No reference to the reader is kept,
   * so the module holds no body alive.
   */
  loads: number;
  windowStart: number;
  windowLength: number;
}

let loaded: Float32Wasm | null | undefined;

function align(offset: number): number {
  return (offset + 15) & ~15;
}

function instantiate(): Float32Wasm | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return null;
  const module = new api.Module(Buffer.from(FLOAT32_JSON_WASM_BASE64, 'base64'));
  const exports = new api.Instance(module).exports as Float32JsonExports;
  // The areas are laid out past the module's own data and stack; the memory grows once to
  // hold them and never again, so the views below stay valid.
  const input = align(exports.__heap_base.value);
  const readOut = align(input + WINDOW_BYTES + 1);
  const writeValues = align(readOut + READ_OUT_FLOATS * 4);
  const writeText = align(writeValues + WRITE_BLOCK * 4);
  // The C writes up to 16 bytes past the text it reports.
  const end = writeText + WRITE_BLOCK * MAX_FLOAT32_TEXT + 64;
  const memory = exports.memory;
  const pages = Math.ceil((end - memory.buffer.byteLength) / 65536);
  if (pages > 0) memory.grow(pages);
  return {
    exports,
    heap: new Uint8Array(memory.buffer),
    floats: new Float32Array(memory.buffer),
    state: new Uint32Array(memory.buffer, exports.state(), 3),
    input,
    readOut,
    writeValues,
    writeText,
    loads: 1,
    windowStart: 0,
    windowLength: 0,
  };
}

/** The module, instantiated on first use; null where WebAssembly is unavailable. */
export function float32Wasm(): Float32Wasm | null {
  if (loaded === undefined) loaded = instantiate();
  return loaded;
}

/**
 * Which path reads and writes FP32 JSON numbers in this process: WebAssembly, or the
 * TypeScript fallback where WebAssembly is off. For benchmarks and diagnostics.
 */
export function float32JsonPath(): 'webassembly' | 'typescript' {
  return float32Wasm() === null ? 'typescript' : 'webassembly';
}

/** Copies the reader's bytes from `pos` into the window, with the 0 the C stops at after. */
function loadWindow(wasm: Float32Wasm, reader: JsonReader, pos: number): void {
  const bytes = reader.bytes;
  const length = Math.min(WINDOW_BYTES, bytes.length - pos);
  wasm.heap.set(bytes.subarray(pos, pos + length), wasm.input);
  wasm.heap[wasm.input + length] = 0;
  reader.wasmWindow = ++wasm.loads;
  wasm.windowStart = pos;
  wasm.windowLength = length;
}

/**
 * readFloatRun (number-run.ts) for FP32 in WebAssembly: reads `, number` pairs after the
 * element just read into `array` from index `count`; returns the new count and leaves the
 * reader after the last number read. Whatever the C does not take ends the run, and the
 * general reader reads (or refuses) it.
 */
export function readFloat32RunWasm(
  wasm: Float32Wasm,
  reader: JsonReader,
  array: Float32Array,
  count: number,
): number {
  const { exports, state, floats } = wasm;
  const total = reader.bytes.length;
  let pos = reader.pos;
  while (count < array.length) {
    if (
      reader.wasmWindow !== wasm.loads ||
      pos < wasm.windowStart ||
      pos > wasm.windowStart + wasm.windowLength
    ) {
      loadWindow(wasm, reader, pos);
    }
    const start = wasm.windowStart;
    const final = start + wasm.windowLength === total ? 1 : 0;
    const max = Math.min(array.length - count, READ_OUT_FLOATS);
    const read = exports.read_float32_run(
      wasm.input,
      wasm.windowLength,
      pos - start,
      wasm.readOut,
      max,
      final,
    );
    if (read > 0) {
      const from = wasm.readOut >>> 2;
      array.set(floats.subarray(from, from + read), count);
      count += read;
    }
    const end = start + state[0]!;
    const reason = state[1];
    if (reason === STOP_OTHER) {
      pos = end;
      break;
    }
    if (reason === STOP_WINDOW) {
      // An element longer than a whole window (whitespace) is the general reader's to read.
      if (read === 0 && start === pos) break;
      loadWindow(wasm, reader, end);
    }
    pos = end;
  }
  reader.pos = pos;
  return count;
}

/**
 * writeFloat32s (float32-text.ts) in WebAssembly: `values[from..to)` as float32 text after
 * `out.pos`, comma-separated, with a comma before `values[from]` too unless `from` is `first`.
 * The values the C leaves (NaN, ±Infinity, integers ≥ 2^31, subnormals, the rare tiny value
 * whose rounding it cannot settle) are
 * written with `slow`.
 */
export function writeFloat32sWasm(
  wasm: Float32Wasm,
  out: JsonByteWriter,
  values: Float32Array,
  from: number,
  to: number,
  first: number,
  slow: (value: number) => string,
): void {
  const { exports, state, heap, floats, writeText } = wasm;
  for (let block = from; block < to; block += WRITE_BLOCK) {
    const size = Math.min(WRITE_BLOCK, to - block);
    floats.set(values.subarray(block, block + size), wasm.writeValues >>> 2);
    let i = 0;
    while (i < size) {
      const comma = block + i > first ? 1 : 0;
      const written = exports.write_float32s(wasm.writeValues + 4 * i, size - i, writeText, comma);
      const length = state[2]!;
      out.reserve(length);
      out.bytes.set(heap.subarray(writeText, writeText + length), out.pos);
      out.pos += length;
      i += written;
      if (i < size) {
        // A value the C does not cover, and then the run goes on after it.
        if (block + i > first) out.byte(0x2c);
        out.ascii(slow(values[block + i]!));
        i += 1;
      }
    }
  }
}
