import {
  DataType,
  ModelInferResponse,
  ModelStreamInferResponse,
  PredictResponse,
  TensorProto,
} from '@ovms/proto';
import { describe, expect, it } from 'vitest';
import {
  encodeModelInferResponse,
  encodeModelStreamInferResponse,
  encodePredictResponse,
} from './response-encoding.js';

/** Deterministic, non-repeating bytes (so a misplaced piece cannot match by accident). */
function payload(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const generated = <T>(fns: { encode(m: T): { finish(): Uint8Array } }, message: T) =>
  Buffer.from(fns.encode(message).finish());

function inferResponse(rawOutputContents: Uint8Array[]): ModelInferResponse {
  return ModelInferResponse.fromPartial({
    modelName: 'det',
    modelVersion: '1',
    id: 'request-7',
    parameters: { sequence_end: { parameterChoice: { $case: 'boolParam', boolParam: true } } },
    outputs: rawOutputContents.map((_, index) => ({
      name: `out${index}`,
      datatype: 'FP32',
      shape: [1n, BigInt(index + 1)],
    })),
    rawOutputContents,
  });
}

describe('response encoders write the generated encoders’ bytes', () => {
  // Lengths around the varint boundaries (127/128, 16383/16384, 2^21) and a PP-OCR-sized one.
  const lengths = [0, 1, 127, 128, 16_383, 16_384, 2_097_152, 1_638_400];

  it('ModelInferResponse, with raw_output_contents of every length class', () => {
    const message = inferResponse(lengths.map((length, i) => payload(length, i + 1)));
    expect(encodeModelInferResponse(message).equals(generated(ModelInferResponse, message))).toBe(
      true,
    );
  });

  it('ModelInferResponse without raw contents, and an empty one', () => {
    for (const message of [inferResponse([]), ModelInferResponse.fromPartial({})])
      expect(encodeModelInferResponse(message).equals(generated(ModelInferResponse, message))).toBe(
        true,
      );
  });

  it('ModelStreamInferResponse, with an answer and with an error only', () => {
    const messages = [
      ModelStreamInferResponse.fromPartial({
        inferResponse: inferResponse([payload(300_000, 9), payload(5, 3)]),
      }),
      ModelStreamInferResponse.fromPartial({
        errorMessage: 'Model with requested name is not found',
      }),
    ];
    for (const message of messages)
      expect(
        encodeModelStreamInferResponse(message).equals(
          generated(ModelStreamInferResponse, message),
        ),
      ).toBe(true);
  });

  it('PredictResponse, with tensor_content, typed values and strings side by side', () => {
    const shape = (...dims: number[]) => ({
      dim: dims.map((size) => ({ size: BigInt(size), name: '' })),
      unknownRank: false,
    });
    const message = PredictResponse.fromPartial({
      modelSpec: { name: 'det', versionChoice: { $case: 'version', version: 1n } },
      outputs: {
        maps: TensorProto.fromPartial({
          dtype: DataType.DT_FLOAT,
          tensorShape: shape(1, 1, 640, 640),
          tensorContent: payload(1_638_400, 5),
        }),
        tiny: TensorProto.fromPartial({
          dtype: DataType.DT_INT32,
          tensorShape: shape(1),
          tensorContent: payload(4, 6),
        }),
        labels: TensorProto.fromPartial({
          dtype: DataType.DT_STRING,
          tensorShape: shape(2),
          stringVal: [payload(3, 7), payload(200, 8)],
        }),
        scores: TensorProto.fromPartial({
          dtype: DataType.DT_FLOAT,
          tensorShape: shape(2),
          floatVal: [0.5, 0.25],
        }),
      },
    });
    expect(encodePredictResponse(message).equals(generated(PredictResponse, message))).toBe(true);
  });

  it('PredictResponse without outputs', () => {
    const message = PredictResponse.fromPartial({ modelSpec: { name: 'm' } });
    expect(encodePredictResponse(message).equals(generated(PredictResponse, message))).toBe(true);
  });
});
