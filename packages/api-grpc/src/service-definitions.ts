import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  GRPCInferenceServiceService,
  ModelServiceService,
  PredictionServiceService,
} from '@ovms/proto';
import {
  encodeModelInferResponse,
  encodeModelStreamInferResponse,
  encodePredictResponse,
} from './response-encoding.js';

/**
 * TF Serving `tensorflow.serving.PredictionService`, as generated, with an exact-size encoder
 * for Predict responses (response-encoding.ts). Requests keep the generated deserializers,
 * whose `bytes` fields (tensor_content) are already views of the received buffer.
 */
export const predictionServiceDefinition = {
  ...PredictionServiceService,
  predict: {
    ...PredictionServiceService.predict,
    responseSerialize: encodePredictResponse,
  },
} satisfies ServiceDefinition;

/** TF Serving `tensorflow.serving.ModelService`: small messages, the generated definition. */
export const modelServiceDefinition = ModelServiceService satisfies ServiceDefinition;

/**
 * KServe `inference.GRPCInferenceService`, as generated, with exact-size encoders for the two
 * responses that carry `raw_output_contents`.
 */
export const inferenceServiceDefinition = {
  ...GRPCInferenceServiceService,
  modelInfer: {
    ...GRPCInferenceServiceService.modelInfer,
    responseSerialize: encodeModelInferResponse,
  },
  modelStreamInfer: {
    ...GRPCInferenceServiceService.modelStreamInfer,
    responseSerialize: encodeModelStreamInferResponse,
  },
} satisfies ServiceDefinition;
