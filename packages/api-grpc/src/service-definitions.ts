import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  GRPCInferenceServiceService,
  ModelInferResponse,
  ModelServiceService,
  ModelStreamInferResponse,
  PredictResponse,
  PredictionServiceService,
} from '@ovms/proto';

/** A ts-proto message's encoder; `finish()` returns bytes no one else holds. */
interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

/**
 * A response serializer that hands grpc-js a Buffer *view* of the encoded bytes. The generated
 * definitions return `Buffer.from(encode(value).finish())`, which copies the whole message a
 * second time (Buffer.from of a Uint8Array copies); for Predict and ModelInfer that message is
 * mostly tensor payload. `finish()` already returns a fresh array owned by nobody else, so a
 * view over the same memory is safe and saves one full copy per response.
 */
function viewSerializer<T>(encoder: Encoder<T>): (value: T) => Buffer {
  return (value) => {
    const bytes = encoder.encode(value).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * TF Serving `tensorflow.serving.PredictionService`, as generated, with a copy-free serializer
 * for Predict responses. Requests keep the generated deserializers, whose `bytes` fields
 * (tensor_content) are already views of the received buffer.
 */
export const predictionServiceDefinition = {
  ...PredictionServiceService,
  predict: {
    ...PredictionServiceService.predict,
    responseSerialize: viewSerializer(PredictResponse),
  },
} satisfies ServiceDefinition;

/** TF Serving `tensorflow.serving.ModelService`: small messages, the generated definition. */
export const modelServiceDefinition = ModelServiceService satisfies ServiceDefinition;

/**
 * KServe `inference.GRPCInferenceService`, as generated, with copy-free serializers for the two
 * responses that carry `raw_output_contents`.
 */
export const inferenceServiceDefinition = {
  ...GRPCInferenceServiceService,
  modelInfer: {
    ...GRPCInferenceServiceService.modelInfer,
    responseSerialize: viewSerializer(ModelInferResponse),
  },
  modelStreamInfer: {
    ...GRPCInferenceServiceService.modelStreamInfer,
    responseSerialize: viewSerializer(ModelStreamInferResponse),
  },
} satisfies ServiceDefinition;
