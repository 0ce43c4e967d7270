import { describe, expect, it } from 'vitest';
import type protobuf from 'protobufjs';
import * as ours from '../src/index.js';
import {
  allMessageTypes,
  loadReferenceRoot,
  loadReferenceServices,
  tsProtoName,
  TO_OBJECT_OPTIONS,
} from './reference-codec.js';
import { randomMessage } from './random-message.js';

interface MessageCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
}

function codecFor(type: protobuf.Type): MessageCodec {
  const codec = (ours as Record<string, unknown>)[tsProtoName(type)] as
    Partial<MessageCodec> | undefined;
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new Error(
      `@ovms/proto has no codec for ${type.fullName} (looked for ${tsProtoName(type)})`,
    );
  }
  return codec as MessageCodec;
}

/** Deterministic pseudo-random numbers, so a failure names a reproducible seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const root = loadReferenceRoot();
const messageTypes = allMessageTypes(root);

describe('@ovms/proto against protobufjs reading the same .proto files', () => {
  it('covers every message of protos/', () => {
    expect(messageTypes.length).toBeGreaterThan(50);
    for (const type of messageTypes) expect(() => codecFor(type)).not.toThrow();
  });

  it.each(messageTypes.map((type) => [type.fullName, type] as const))(
    '%s: reference → ours → reference, and ours → reference → ours',
    (_name, type) => {
      const codec = codecFor(type);
      for (let seed = 1; seed <= 25; seed += 1) {
        const object = randomMessage(type, seededRandom(seed * 7919));
        const referenceBytes = type.encode(type.fromObject(object)).finish();

        const decodedByUs = codec.decode(referenceBytes);
        const encodedByUs = codec.encode(decodedByUs).finish();
        expect(type.toObject(type.decode(encodedByUs), TO_OBJECT_OPTIONS), `seed ${seed}`).toEqual(
          type.toObject(type.decode(referenceBytes), TO_OBJECT_OPTIONS),
        );

        const reencodedByReference = type.encode(type.decode(encodedByUs)).finish();
        expect(codec.decode(reencodedByReference), `seed ${seed}`).toEqual(decodedByUs);
      }
    },
  );
});

describe('wire facts clients depend on', () => {
  const reference = (name: string) => root.lookupType(name);

  it('PredictResponse numbers outputs 1 and model_spec 2', () => {
    const bytes = ours.PredictResponse.encode({
      modelSpec: { name: 'm', versionChoice: { $case: 'version', version: 3n }, signatureName: '' },
      outputs: {},
    }).finish();
    expect(bytes[0]).toBe((2 << 3) | 2);
    const decoded = reference('tensorflow.serving.PredictResponse').toObject(
      reference('tensorflow.serving.PredictResponse').decode(bytes),
      TO_OBJECT_OPTIONS,
    );
    expect(decoded).toEqual({ model_spec: { name: 'm', version: { value: '3' } } });
  });

  it('ModelSpec.version is an Int64Value, so version 0 differs from no version', () => {
    const withZero = ours.ModelSpec.encode({
      name: 'm',
      versionChoice: { $case: 'version', version: 0n },
      signatureName: '',
    }).finish();
    const without = ours.ModelSpec.encode({
      name: 'm',
      versionChoice: undefined,
      signatureName: '',
    }).finish();
    expect(ours.ModelSpec.decode(withZero).versionChoice).toEqual({
      $case: 'version',
      version: 0n,
    });
    expect(ours.ModelSpec.decode(without).versionChoice).toBeUndefined();
  });

  it('int64 and uint64 round-trip exactly above 2^53', () => {
    const status = ours.ModelVersionStatus.encode({
      version: 9007199254740993n,
      state: ours.ModelVersionStatus_State.AVAILABLE,
      status: undefined,
    }).finish();
    const type = reference('tensorflow.serving.ModelVersionStatus');
    expect(type.toObject(type.decode(status), TO_OBJECT_OPTIONS)).toEqual({
      version: '9007199254740993',
      state: 30,
    });
    expect(ours.ModelVersionStatus.decode(status).version).toBe(9007199254740993n);

    const parameter = ours.InferParameter.encode({
      parameterChoice: { $case: 'uint64Param', uint64Param: 18446744073709551615n },
    }).finish();
    expect(ours.InferParameter.decode(parameter).parameterChoice).toEqual({
      $case: 'uint64Param',
      uint64Param: 18446744073709551615n,
    });
    const tensor = ours.TensorProto.decode(
      reference('tensorflow.TensorProto')
        .encode(
          reference('tensorflow.TensorProto').fromObject({
            dtype: 9,
            int64_val: ['-9223372036854775808', '9007199254740993'],
          }),
        )
        .finish(),
    );
    expect(tensor.int64Val).toEqual([-9223372036854775808n, 9007199254740993n]);
  });

  it('bytes fields decode as views of the received buffer (no copy)', () => {
    const bytes = ours.TensorProto.encode({
      ...ours.TensorProto.fromPartial({ dtype: ours.DataType.DT_FLOAT }),
      tensorContent: new Uint8Array(64).fill(7),
    }).finish();
    const decoded = ours.TensorProto.decode(bytes);
    expect(decoded.tensorContent.buffer).toBe(bytes.buffer);
    expect(decoded.tensorContent.byteLength).toBe(64);
  });
});

describe('services against @grpc/proto-loader', () => {
  const definition = loadReferenceServices();
  const services = [
    ['tensorflow.serving.PredictionService', ours.PredictionServiceService],
    ['tensorflow.serving.ModelService', ours.ModelServiceService],
    ['inference.GRPCInferenceService', ours.GRPCInferenceServiceService],
    ['grpc.health.v1.Health', ours.HealthService],
    ['grpc.reflection.v1.ServerReflection', ours.ServerReflectionService],
    ['grpc.reflection.v1alpha.ServerReflection', ours.ServerReflectionV1alphaService],
  ] as const;

  it.each(services)('%s has the same methods, paths and streaming flags', (name, service) => {
    const reference = definition[name] as Record<string, ProtoLoaderMethod>;
    const referencePaths = Object.values(reference).map((m) => [
      m.path,
      m.requestStream,
      m.responseStream,
    ]);
    const ourPaths = Object.values(service as unknown as Record<string, ServiceMethod>).map((m) => [
      m.path,
      m.requestStream,
      m.responseStream,
    ]);
    expect(ourPaths.sort()).toEqual(referencePaths.sort());
  });

  it.each(services)('%s: request and response bytes cross both ways', (name, service) => {
    const reference = definition[name] as Record<string, ProtoLoaderMethod>;
    const ourMethods = Object.values(service as unknown as Record<string, ServiceMethod>);
    for (const method of Object.values(reference)) {
      const ourMethod = ourMethods.find((m) => m.path === method.path)!;
      const protoPackage = name.split('.').slice(0, -1).join('.');
      const requestType = root.lookupType(`${protoPackage}.${method.requestType.type.name}`);
      for (let seed = 1; seed <= 5; seed += 1) {
        const object = requestType.toObject(
          requestType.fromObject(randomMessage(requestType, seededRandom(seed))),
          { longs: String, enums: Number, defaults: false, oneofs: false },
        );
        const fromReference = method.requestSerialize(object);
        const decodedByUs = ourMethod.requestDeserialize(fromReference);
        const back = method.requestDeserialize(ourMethod.requestSerialize(decodedByUs));
        expect(
          requestType.toObject(
            requestType.fromObject(back as Record<string, unknown>),
            TO_OBJECT_OPTIONS,
          ),
        ).toEqual(requestType.toObject(requestType.fromObject(object), TO_OBJECT_OPTIONS));
      }
    }
  });
});

interface ServiceMethod {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: unknown): Buffer;
  requestDeserialize(bytes: Buffer): unknown;
}

interface ProtoLoaderMethod extends ServiceMethod {
  requestType: { type: { name: string } };
}
