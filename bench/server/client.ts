// The load generator, in its own process so its CPU is measured apart from the server's.
// It is deliberately cheap: each request is encoded once per cell and re-sent as the same bytes;
// gRPC goes over one node:http2 session with hand-made gRPC framing (no grpc-js channel, no
// per-call message encoding), REST over node:http keep-alive sockets. Only the first answer of
// a cell is decoded, to check the server really inferred; later ones are drained unread.
import { request as httpRequest, Agent } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import { encodeTensorProto } from '@ovms/codecs';
import { ModelInferResponse, PredictRequest, PredictResponse } from '@ovms/proto';
import { connectGrpc, grpcSender, type Send } from './grpc-sender.js';
import { serveBenchRequests } from './ipc.js';
import {
  BENCH_MODELS,
  inputTensors,
  inputValues,
  kserveInferMessage,
  measureClosedLoop,
  measureFixedRate,
  type BenchModel,
  type BenchModelName,
  type CellResult,
} from './workload.js';

export const CLIENT_PATHS = [
  'tfs-grpc',
  'kserve-grpc',
  'tfs-rest-row',
  'tfs-rest-column',
  'kserve-rest-json',
  'kserve-rest-binary',
] as const;
export type ClientPath = (typeof CLIENT_PATHS)[number];

export interface ClientRequest {
  readonly grpcPort: number;
  readonly restPort: number;
  readonly path: ClientPath;
  readonly model: BenchModelName;
  readonly inflight: number;
  readonly seconds: number;
  /** Requests per second (open loop) instead of `inflight` closed loops. */
  readonly rate?: number;
}

function restSender(
  agent: Agent,
  port: number,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Send {
  const options = {
    agent,
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    headers: { ...headers, 'content-length': String(body.byteLength) },
  };
  return () =>
    new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const answer = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(answer);
          else
            reject(
              new Error(`${path}: HTTP ${res.statusCode}: ${answer.toString('utf8', 0, 300)}`),
            );
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** Nests flat values into arrays of `shape` (TF Serving JSON wants nested lists). */
function nest(values: Float32Array, shape: readonly number[]): unknown {
  const [dim, ...rest] = shape;
  if (dim === undefined) return values[0];
  if (rest.length === 0) return Array.from(values);
  const step = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: dim }, (_, i) =>
    nest(values.subarray(i * step, (i + 1) * step), rest),
  );
}

function tfsRestBody(model: BenchModel, format: 'row' | 'column'): string {
  const values = model.inputs.map((input, index) => ({ input, values: inputValues(input, index) }));
  if (format === 'column') {
    return JSON.stringify({
      inputs: Object.fromEntries(values.map((v) => [v.input.name, nest(v.values, v.input.shape)])),
    });
  }
  // Row format: one object per batch row (batch 1 here), inputs by name, batch dim dropped.
  return JSON.stringify({
    instances: [
      Object.fromEntries(values.map((v) => [v.input.name, nest(v.values, v.input.shape.slice(1))])),
    ],
  });
}

function kserveJsonBody(model: BenchModel): string {
  return JSON.stringify({
    inputs: model.inputs.map((input, index) => ({
      name: input.name,
      shape: input.shape,
      datatype: 'FP32',
      data: Array.from(inputValues(input, index)),
    })),
  });
}

/** KServe binary data extension: a JSON header, then every input's raw bytes, in order. */
function kserveBinaryBody(model: BenchModel): { body: Buffer; headerLength: number } {
  const raws = model.inputs.map((input, index) => Buffer.from(inputValues(input, index).buffer));
  const header = Buffer.from(
    JSON.stringify({
      inputs: model.inputs.map((input, index) => ({
        name: input.name,
        shape: input.shape,
        datatype: 'FP32',
        parameters: { binary_data_size: raws[index]?.byteLength ?? 0 },
      })),
      parameters: { binary_data_output: true },
    }),
  );
  return { body: Buffer.concat([header, ...raws]), headerLength: header.byteLength };
}

let session: ClientHttp2Session | undefined;
let sessionPort = -1;
const agents = new Map<number, Agent>();

function grpcSession(port: number): ClientHttp2Session {
  if (session !== undefined && sessionPort === port && !session.closed) return session;
  session?.close();
  session = connectGrpc(port);
  sessionPort = port;
  return session;
}

/** One keep-alive socket per request in flight, reused across cells of that width. */
function restAgent(inflight: number): Agent {
  let agent = agents.get(inflight);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: inflight });
    agents.set(inflight, agent);
  }
  return agent;
}

function senderFor(request: ClientRequest): { send: Send; check: (answer: Buffer) => void } {
  const model = BENCH_MODELS[request.model];
  const rest = (path: string, body: Buffer | string, headers: Record<string, string>): Send =>
    restSender(restAgent(request.inflight), request.restPort, path, Buffer.from(body), headers);
  const json = { 'content-type': 'application/json' };
  const expectJson = (key: string) => (answer: Buffer) => {
    const parsed = JSON.parse(answer.toString('utf8')) as Record<string, unknown>;
    if (parsed[key] === undefined)
      throw new Error(`the answer has no ${key}: ${answer.toString('utf8', 0, 200)}`);
  };
  switch (request.path) {
    case 'tfs-grpc': {
      const inputs = Object.fromEntries(
        [...inputTensors(model)].map(([name, t]) => [name, encodeTensorProto(t)]),
      );
      const message = PredictRequest.encode(
        PredictRequest.fromPartial({ modelSpec: { name: model.name }, inputs }),
      ).finish();
      return {
        send: grpcSender(
          grpcSession(request.grpcPort),
          '/tensorflow.serving.PredictionService/Predict',
          message,
        ),
        check: (answer) => {
          const outputs = Object.keys(PredictResponse.decode(answer.subarray(5)).outputs);
          if (outputs.length === 0) throw new Error('Predict answered no outputs');
        },
      };
    }
    case 'kserve-grpc': {
      const message = kserveInferMessage(model);
      return {
        send: grpcSender(
          grpcSession(request.grpcPort),
          '/inference.GRPCInferenceService/ModelInfer',
          message,
        ),
        check: (answer) => {
          // Raw bytes (this server) or typed contents (MLServer answers that way): either counts.
          const decoded = ModelInferResponse.decode(answer.subarray(5));
          if (
            decoded.rawOutputContents.length === 0 &&
            decoded.outputs[0]?.contents === undefined
          ) {
            throw new Error('ModelInfer answered no outputs');
          }
        },
      };
    }
    case 'tfs-rest-row':
    case 'tfs-rest-column':
      return {
        send: rest(
          `/v1/models/${model.name}:predict`,
          tfsRestBody(model, request.path === 'tfs-rest-row' ? 'row' : 'column'),
          json,
        ),
        check: expectJson(request.path === 'tfs-rest-row' ? 'predictions' : 'outputs'),
      };
    case 'kserve-rest-json':
      return {
        send: rest(`/v2/models/${model.name}/infer`, kserveJsonBody(model), json),
        check: expectJson('outputs'),
      };
    case 'kserve-rest-binary': {
      const { body, headerLength } = kserveBinaryBody(model);
      const headers = {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(headerLength),
      };
      return {
        send: rest(`/v2/models/${model.name}/infer`, body, headers),
        check: (answer) => {
          if (answer.byteLength < 4 * 4) throw new Error('binary answer too short');
        },
      };
    }
  }
}

serveBenchRequests<ClientRequest, CellResult>(async (request) => {
  const { send, check } = senderFor(request);
  check(await send());
  return request.rate === undefined
    ? measureClosedLoop(send, request.inflight, request.seconds)
    : measureFixedRate(send, request.rate, request.seconds);
});
