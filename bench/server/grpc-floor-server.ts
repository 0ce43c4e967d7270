// The gRPC transport floor: grpc-js on node:http2, answering Predict and ModelInfer with a
// canned message, without decoding the request or running a model. What a tiny-model request
// costs here is what any grpc-js server pays before doing any work of its own; bench/run.ts
// subtracts it to show what ovms-ts itself adds. Forked by grpc-floor.ts; sends its port.
import { Server, ServerCredentials, type handleUnaryCall } from '@grpc/grpc-js';
import { DataType, ModelInferResponse, PredictResponse } from '@ovms/proto';

const passThrough = {
  requestStream: false,
  responseStream: false,
  requestSerialize: (bytes: Buffer) => bytes,
  requestDeserialize: (bytes: Buffer) => bytes,
  responseSerialize: (bytes: Buffer) => bytes,
  responseDeserialize: (bytes: Buffer) => bytes,
} as const;

/** An answer the size of add_f32's: one FP32 [1, 4] output. */
const predictAnswer = Buffer.from(
  PredictResponse.encode(
    PredictResponse.fromPartial({
      modelSpec: { name: 'add', versionChoice: { $case: 'version', version: 1n } },
      outputs: {
        y: {
          dtype: DataType.DT_FLOAT,
          tensorShape: { dim: [{ size: 1n }, { size: 4n }] },
          tensorContent: new Uint8Array(16),
        },
      },
    }),
  ).finish(),
);
const inferAnswer = Buffer.from(
  ModelInferResponse.encode(
    ModelInferResponse.fromPartial({
      modelName: 'add',
      modelVersion: '1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1n, 4n] }],
      rawOutputContents: [new Uint8Array(16)],
    }),
  ).finish(),
);

const answer =
  (bytes: Buffer): handleUnaryCall<Buffer, Buffer> =>
  (_call, callback) => {
    callback(null, bytes);
  };

const server = new Server();
server.addService(
  {
    predict: { ...passThrough, path: '/tensorflow.serving.PredictionService/Predict' },
    modelInfer: { ...passThrough, path: '/inference.GRPCInferenceService/ModelInfer' },
  },
  { predict: answer(predictAnswer), modelInfer: answer(inferAnswer) },
);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error !== null) throw error;
  process.send?.(port);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
