import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Logger,
  MemoryBudget,
  MemoryLease,
  MetricsRecorder,
  ModelControl,
  ServableAdmin,
  ServableProvider,
  TensorMap,
} from '@ovms/core';
import type { Context } from 'hono';
import { readBody } from './body.js';

/** What @hono/node-server hands the app per request; absent under `app.request()`. */
export interface RestEnv {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: { memoryLease?: MemoryLease };
}

export type RestContext = Context<RestEnv>;

/** The dependencies every route module shares, resolved from the app options once. */
export interface RestDeps {
  readonly provider: ServableProvider;
  readonly admin: ServableAdmin;
  readonly metrics: MetricsRecorder;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** The server-wide budget bodies are counted against until their response is written. */
  readonly memory: MemoryBudget;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly metricsText: (() => Promise<{ contentType: string; body: string }>) | undefined;
  /** Triton's repository and statistics extensions; absent: those routes are NOT_IMPLEMENTED. */
  readonly modelControl: ModelControl | undefined;
}

/**
 * The request body as bytes, read once, within the size limit and admitted by the memory
 * budget; the lease stays with the request until its response is written (`request-guard.ts`).
 */
export function requestBytes(deps: RestDeps, c: RestContext): Promise<Uint8Array> {
  // `c.env` is undefined when the app runs without @hono/node-server (app.request in tests).
  const env = c.env as RestEnv['Bindings'] | undefined;
  const lease = deps.memory.admit(0);
  c.set('memoryLease', lease);
  return readBody(
    { incoming: env?.incoming, request: c.req.raw },
    { maxBytes: deps.maxBodyBytes, lease },
  );
}

/**
 * Adds the decoded input tensors that do not view the body (JSON values, base64 strings) to the
 * request's memory lease before they are inferred; RESOURCE_EXHAUSTED (503) when the budget
 * cannot hold them. Binary inputs view the body, which the lease already covers.
 */
export function leaseTensors(c: RestContext, inputs: TensorMap, body: Uint8Array): void {
  c.get('memoryLease')?.grow(bytesBesides(inputs, body));
}

/** The bytes of `inputs` that do not view `body` (decoded JSON values, base64 strings). */
export function bytesBesides(inputs: TensorMap, body: Uint8Array): number {
  let bytes = 0;
  for (const tensor of inputs.values()) {
    if (tensor.dtype === 'BYTES') {
      for (const item of tensor.data) if (item.buffer !== body.buffer) bytes += item.byteLength;
    } else if (tensor.data.buffer !== body.buffer) {
      bytes += tensor.data.byteLength;
    }
  }
  return bytes;
}
