// The load generator of bench/images, in its own process: KServe ModelInfer over one HTTP/2
// session (bench/server's cheap gRPC sender), carrying either the JPEG itself (a BYTES input,
// length-prefixed in raw_input_contents) or the tensor a client would make of it (FP32 NHWC).
import { readFile } from 'node:fs/promises';
import type { ClientHttp2Session } from 'node:http2';
import { ModelInferRequest, ModelInferResponse } from '@ovms/proto';
import { connectGrpc, grpcSender } from '../server/grpc-sender.js';
import { serveBenchRequests } from '../server/ipc.js';
import { measureClosedLoop, type CellResult } from '../server/workload.js';

export interface ImageClientRequest {
  readonly grpcPort: number;
  readonly model: string;
  /** `jpeg`: the file's bytes as a BYTES input; `tensor`: the FP32 NHWC tensor file. */
  readonly send: 'jpeg' | 'tensor';
  readonly file: string;
  /** Shape of the tensor file ([1, H, W, 3]); unused for `jpeg`. */
  readonly shape: readonly number[];
  readonly inflight: number;
  readonly seconds: number;
}

/** The ModelInfer request of one cell, encoded once and re-sent as the same bytes. */
export function inferRequest(request: ImageClientRequest, payload: Uint8Array): Uint8Array {
  const image =
    request.send === 'jpeg'
      ? { name: 'image', datatype: 'BYTES', shape: [1n] }
      : { name: 'image', datatype: 'FP32', shape: request.shape.map(BigInt) };
  let raw = payload;
  if (request.send === 'jpeg') {
    // One image, prefixed with its 4-byte little-endian length (KServe BYTES in raw contents).
    raw = new Uint8Array(4 + payload.byteLength);
    new DataView(raw.buffer).setUint32(0, payload.byteLength, true);
    raw.set(payload, 4);
  }
  return ModelInferRequest.encode(
    ModelInferRequest.fromPartial({
      modelName: request.model,
      inputs: [image],
      rawInputContents: [raw],
    }),
  ).finish();
}

let session: ClientHttp2Session | undefined;

serveBenchRequests<ImageClientRequest, CellResult>(async (request) => {
  session ??= connectGrpc(request.grpcPort);
  const payload = new Uint8Array(await readFile(request.file));
  const send = grpcSender(
    session,
    '/inference.GRPCInferenceService/ModelInfer',
    inferRequest(request, payload),
  );
  // The server really decoded and inferred: the answer holds the three channel means.
  const answer = ModelInferResponse.decode((await send()).subarray(5));
  const mean = answer.rawOutputContents[0];
  if (mean === undefined || mean.byteLength !== 12) {
    throw new Error(`unexpected answer for ${request.send}: ${JSON.stringify(answer.outputs)}`);
  }
  return measureClosedLoop(send, request.inflight, request.seconds);
});
