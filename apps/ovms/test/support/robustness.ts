import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import {
  DataType,
  GetModelMetadataRequest,
  GetModelStatusRequest,
  ModelInferRequest,
  ModelInferResponse,
  ModelMetadataRequest,
  ModelReadyRequest,
  PredictRequest,
} from '@ovms/proto';
import { afterAll, beforeAll, expect } from 'vitest';
import { writeTestRepository } from './repository.js';
import { startReadyServer, type GrpcServerProcess } from './server-process.js';

/** A small seeded generator (mulberry32): the same seed gives the same cases in every run. */
export interface SeededRandom {
  /** In [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  bytes(length: number): Uint8Array;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    bytes: (length) => Uint8Array.from({ length }, () => int(256)),
  };
}

/** A valid message damaged one of the ways a broken client or network damages it. */
export function mutate(valid: Uint8Array, random: SeededRandom): Uint8Array {
  const bytes = Uint8Array.from(valid);
  switch (random.int(5)) {
    case 0: {
      // flip a few bits
      for (let i = 0, n = 1 + random.int(4); i < n && bytes.length > 0; i++) {
        const at = random.int(bytes.length);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << random.int(8));
      }
      return bytes;
    }
    case 1:
      return bytes.subarray(0, random.int(bytes.length + 1));
    case 2: {
      // overwrite a run with random bytes (lengths and tags become nonsense)
      const at = random.int(bytes.length + 1);
      bytes.set(random.bytes(Math.min(8, bytes.length - at)), at);
      return bytes;
    }
    case 3: {
      const at = random.int(bytes.length + 1);
      return Uint8Array.from([
        ...bytes.subarray(0, at),
        ...random.bytes(1 + random.int(16)),
        ...bytes.subarray(at),
      ]);
    }
    default: {
      // a huge varint length where a field length belongs
      const at = random.int(bytes.length + 1);
      return Uint8Array.from([
        ...bytes.subarray(0, at),
        0x0a,
        0xff,
        0xff,
        0xff,
        0xff,
        0x0f,
        ...bytes.subarray(at),
      ]);
    }
  }
}

const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

function tfsTensor(values: number[]) {
  return {
    dtype: DataType.DT_FLOAT,
    tensorShape: {
      dim: [
        { size: 1n, name: '' },
        { size: BigInt(values.length), name: '' },
      ],
    },
    tensorContent: f32(values),
  };
}

/** A correct KServe ModelInfer of `add` (a + b, FP32 (1,4)). */
export function addModelInfer(version = ''): Uint8Array {
  return ModelInferRequest.encode(
    ModelInferRequest.fromPartial({
      modelName: 'add',
      modelVersion: version,
      inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1n, 4n] })),
      rawInputContents: [f32([1, 2, 3, 4]), f32([10, 20, 30, 40])],
    }),
  ).finish();
}

/** Every unary method the gRPC port serves, with a valid request each to mutate. */
export const UNARY_METHODS: ReadonlyArray<readonly [string, Uint8Array]> = [
  [
    '/tensorflow.serving.PredictionService/Predict',
    PredictRequest.encode(
      PredictRequest.fromPartial({
        modelSpec: { name: 'add' },
        inputs: { a: tfsTensor([1, 2, 3, 4]), b: tfsTensor([1, 1, 1, 1]) },
      }),
    ).finish(),
  ],
  [
    '/tensorflow.serving.PredictionService/GetModelMetadata',
    GetModelMetadataRequest.encode(
      GetModelMetadataRequest.fromPartial({
        modelSpec: { name: 'add' },
        metadataField: ['signature_def'],
      }),
    ).finish(),
  ],
  [
    '/tensorflow.serving.PredictionService/Classify',
    new Uint8Array([0x0a, 0x05, 0x0a, 0x03, 0x61, 0x64, 0x64]),
  ],
  [
    '/tensorflow.serving.PredictionService/Regress',
    new Uint8Array([0x0a, 0x05, 0x0a, 0x03, 0x61, 0x64, 0x64]),
  ],
  ['/tensorflow.serving.PredictionService/MultiInference', new Uint8Array(0)],
  [
    '/tensorflow.serving.ModelService/GetModelStatus',
    GetModelStatusRequest.encode(
      GetModelStatusRequest.fromPartial({ modelSpec: { name: 'add' } }),
    ).finish(),
  ],
  ['/inference.GRPCInferenceService/ServerLive', new Uint8Array(0)],
  ['/inference.GRPCInferenceService/ServerReady', new Uint8Array(0)],
  ['/inference.GRPCInferenceService/ServerMetadata', new Uint8Array(0)],
  [
    '/inference.GRPCInferenceService/ModelReady',
    ModelReadyRequest.encode(ModelReadyRequest.fromPartial({ name: 'add' })).finish(),
  ],
  [
    '/inference.GRPCInferenceService/ModelMetadata',
    ModelMetadataRequest.encode(ModelMetadataRequest.fromPartial({ name: 'add' })).finish(),
  ],
  ['/inference.GRPCInferenceService/ModelInfer', addModelInfer()],
];

/** How a raw call ended: the gRPC status, and the reply bytes when OK. */
export interface RawOutcome {
  readonly code: grpc.status;
  readonly details: string;
  readonly reply?: Uint8Array;
}

const identity = (bytes: Buffer): Buffer => bytes;

/** Sends `bytes` as the request of `path`, byte for byte, and reports how the call ended. */
export function sendRaw(
  client: grpc.Client,
  path: string,
  bytes: Uint8Array,
  deadlineMs = 10_000,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      path,
      identity,
      identity,
      Buffer.from(bytes),
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (error, reply) => {
        if (error !== null) resolve({ code: error.code, details: error.details });
        else resolve({ code: grpc.status.OK, details: '', ...(reply ? { reply } : {}) });
      },
    );
  });
}

/** What grpc-js answers, as gRPC C++ (and so OVMS) does, for bytes that are not the message. */
const UNDECODABLE = 'Error deserializing request';

/**
 * The statuses a bad request may end with: OK where the bytes still decode to a valid request,
 * INTERNAL "Error deserializing request" where they do not decode at all (gRPC's own answer),
 * else a refusal the server chose. Any other INTERNAL, UNKNOWN, UNAVAILABLE or
 * DEADLINE_EXCEEDED would mean the server broke, crashed or hung on it.
 */
export function expectAnswered(outcome: RawOutcome, what: string): void {
  const undecodable = outcome.code === grpc.status.INTERNAL && outcome.details === UNDECODABLE;
  const broken = [
    grpc.status.INTERNAL,
    grpc.status.UNKNOWN,
    grpc.status.UNAVAILABLE,
    grpc.status.DEADLINE_EXCEEDED,
  ];
  const ok = undecodable || !broken.includes(outcome.code);
  expect(ok, `${what}: ${outcome.code} ${outcome.details}`).toBe(true);
}

/** The server still answers a correct infer, over gRPC and REST: `add` gives [11,22,33,44]. */
export async function expectServing(client: grpc.Client, restUrl: string): Promise<void> {
  const outcome = await sendRaw(
    client,
    '/inference.GRPCInferenceService/ModelInfer',
    addModelInfer(),
  );
  expect(outcome.code, outcome.details).toBe(grpc.status.OK);
  const reply = ModelInferResponse.decode(outcome.reply ?? new Uint8Array(0));
  const sum = reply.rawOutputContents[0] ?? new Uint8Array(0);
  expect([...new Float32Array(Uint8Array.from(sum).buffer)]).toEqual([11, 22, 33, 44]);
  const response = await fetch(`${restUrl}/v1/models/add:predict`, {
    method: 'POST',
    body: JSON.stringify({ instances: [{ a: [1, 2, 3, 4], b: [10, 20, 30, 40] }] }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ predictions: [[11, 22, 33, 44]] });
}

/** The real `ovms` process on the test repository, with a raw gRPC client to it. */
export interface ServedRepository {
  readonly server: GrpcServerProcess;
  readonly client: grpc.Client;
  /** The repository's config.json, which a test may rewrite and reload. */
  readonly configPath: string;
}

/** The message limit the robustness servers run with: small, so oversize cases stay cheap. */
export const ROBUSTNESS_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Starts `ovms` on a fresh test repository (no polling: reloads are explicit; messages up to
 * `maxMessageBytes`) before the file's tests and stops it after; the returned function gives
 * the running server to a test.
 */
export function useServedRepository(
  maxMessageBytes = ROBUSTNESS_MAX_MESSAGE_BYTES,
): () => ServedRepository {
  let served: ServedRepository | undefined;
  let root: string | undefined;
  beforeAll(async () => {
    const repository = await writeTestRepository();
    root = repository.root;
    const server = await startReadyServer([
      ...['--config_path', repository.configPath],
      ...['--file_system_poll_wait_seconds', '0'],
      ...['--max_message_bytes', String(maxMessageBytes)],
    ]);
    const client = new grpc.Client(server.grpcAddress, grpc.credentials.createInsecure());
    served = { server, client, configPath: repository.configPath };
  }, 120_000);
  afterAll(async () => {
    served?.client.close();
    await served?.server.stop();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });
  return () => {
    if (served === undefined) throw new Error('the server has not started');
    return served;
  };
}
