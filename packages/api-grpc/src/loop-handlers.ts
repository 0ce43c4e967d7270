import type {
  handleBidiStreamingCall,
  handleUnaryCall,
  sendUnaryData,
  StatusObject,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { decodeInferInputs } from '@ovms/codecs';
import { toServingError } from '@ovms/core';
import type { Logger, TensorMap } from '@ovms/core';
import type {
  GRPCInferenceServiceServer,
  ModelInferRequest,
  ModelInferResponse,
  ModelServiceServer,
  ModelStreamInferResponse,
  PredictionServiceServer,
  PredictRequest,
  PredictResponse,
} from '@ovms/proto';
import { watchCancellation } from './cancellation.js';
import { inferResponse, serveInferStream } from './kserve-infer.js';
import type { ForwardedService, InputsError, LoopInferMethod } from './loop-protocol.js';
import { parseKServeVersion, requestedServable, servedModelSpec } from './model-spec.js';
import { grpcStatusOfUnknown } from './status-map.js';
import { decodePredictInputs, encodePredictOutputs } from './tfs-predict.js';

/** A model call for the main thread, as a loop decoded it. */
export interface RemoteInfer {
  readonly method: LoopInferMethod;
  readonly name: string;
  readonly version: number | undefined;
  readonly inputs: TensorMap | InputsError;
  readonly outputs: readonly string[];
  readonly signal: AbortSignal;
}

/** What the main thread answered a model call with. */
export interface RemoteOutputs {
  readonly name: string;
  readonly version: number;
  readonly outputs: TensorMap;
}

/** A loop's way to the main thread; failures reject with a RemoteFailure. */
export interface LoopLink {
  infer(call: RemoteInfer): Promise<RemoteOutputs>;
  forward(service: ForwardedService, method: string, request: unknown): Promise<unknown>;
}

/** The gRPC status the main thread answered with. */
export class RemoteFailure extends Error {
  constructor(readonly status: Pick<StatusObject, 'code' | 'details'>) {
    super(status.details);
  }
}

function statusOf(thrown: unknown): Pick<StatusObject, 'code' | 'details'> {
  return thrown instanceof RemoteFailure ? thrown.status : grpcStatusOfUnknown(thrown).status;
}

/** Decoded inputs, or the ServingError decoding threw, for the main thread to answer in order. */
function decoded(decode: () => TensorMap): TensorMap | InputsError {
  try {
    return decode();
  } catch (thrown) {
    const error = toServingError(thrown);
    return { code: error.code, detail: error.detail };
  }
}

function answer<Response>(
  callback: sendUnaryData<Response>,
  run: () => Promise<Response>,
  answered: () => void,
): void {
  run()
    .then(
      (response) => callback(null, response),
      (thrown: unknown) => callback(statusOf(thrown)),
    )
    .finally(answered);
}

function forwarded<Service extends object>(
  link: LoopLink,
  service: ForwardedService,
  methods: readonly (keyof Service & string)[],
): Record<string, handleUnaryCall<unknown, unknown>> {
  const handlers: Record<string, handleUnaryCall<unknown, unknown>> = {};
  for (const method of methods) {
    handlers[method] = (call, callback) =>
      answer(
        callback,
        () => link.forward(service, method, call.request),
        () => {},
      );
  }
  return handlers;
}

/** The service implementations of a transport loop. */
export interface LoopImplementations {
  readonly predictionService: PredictionServiceServer & UntypedServiceImplementation;
  readonly modelService: ModelServiceServer & UntypedServiceImplementation;
  readonly inferenceService: GRPCInferenceServiceServer & UntypedServiceImplementation;
}

/**
 * The handlers a transport loop serves: Predict, ModelInfer and ModelStreamInfer decode and
 * encode here and run the model call in the main thread (`link.infer`); every other RPC is
 * forwarded whole and answered by the main thread's own handler.
 */
export function createLoopHandlers(link: LoopLink, logger: Logger): LoopImplementations {
  const predict: handleUnaryCall<PredictRequest, PredictResponse> = (call, callback) => {
    const cancellation = watchCancellation(call);
    answer(
      callback,
      async () => {
        const request = call.request;
        const { name, version } = requestedServable(request.modelSpec);
        const served = await link.infer({
          method: 'Predict',
          name,
          version,
          inputs: decoded(() => decodePredictInputs(request.inputs)),
          outputs: request.outputFilter,
          signal: cancellation.signal,
        });
        return {
          modelSpec: servedModelSpec(served.name, served.version),
          outputs: encodePredictOutputs(served.outputs),
        };
      },
      cancellation.settle,
    );
  };
  const modelInfer = async (
    method: LoopInferMethod,
    request: ModelInferRequest,
    signal: AbortSignal,
  ): Promise<ModelInferResponse> => {
    const served = await link.infer({
      method,
      name: request.modelName,
      version: parseKServeVersion(request.modelVersion),
      inputs: decoded(() => decodeInferInputs(request)),
      outputs: request.outputs.map((output) => output.name),
      signal,
    });
    return inferResponse(served.name, served.version, request.id, served.outputs);
  };
  const modelStreamInfer: handleBidiStreamingCall<ModelInferRequest, ModelStreamInferResponse> = (
    call,
  ) => {
    const { signal } = watchCancellation(call);
    serveInferStream(
      call,
      (request) =>
        modelInfer('ModelInferStream', request, signal).then(
          (response) => ({ response, errorMessage: '', written: () => {} }),
          (thrown: unknown) => ({
            response: undefined,
            errorMessage: statusOf(thrown).details,
            written: () => {},
          }),
        ),
      logger,
    );
  };
  return {
    predictionService: {
      ...forwarded<PredictionServiceServer>(link, 'predictionService', [
        'getModelMetadata',
        'classify',
        'regress',
        'multiInference',
      ]),
      predict,
    } as PredictionServiceServer & UntypedServiceImplementation,
    modelService: forwarded<ModelServiceServer>(link, 'modelService', [
      'getModelStatus',
      'handleReloadConfigRequest',
    ]) as unknown as ModelServiceServer & UntypedServiceImplementation,
    inferenceService: {
      ...forwarded<GRPCInferenceServiceServer>(link, 'inferenceService', [
        'serverLive',
        'serverReady',
        'modelReady',
        'serverMetadata',
        'modelMetadata',
        'modelStatistics',
        'repositoryIndex',
        'repositoryModelLoad',
        'repositoryModelUnload',
      ]),
      modelInfer: (call, callback) => {
        const cancellation = watchCancellation(call);
        answer(
          callback,
          () => modelInfer('ModelInfer', call.request, cancellation.signal),
          cancellation.settle,
        );
      },
      modelStreamInfer,
    } as GRPCInferenceServiceServer & UntypedServiceImplementation,
  };
}
