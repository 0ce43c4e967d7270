import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { noopMetrics, silentLogger } from '@ovms/core';
import type {
  Logger,
  MetricsRecorder,
  ModelControl,
  ServableAdmin,
  ServableProvider,
} from '@ovms/core';
import { FILE_DESCRIPTOR_SET_BASE64 } from '@ovms/proto';
import type {
  GRPCInferenceServiceServer,
  ModelServiceServer,
  PredictionServiceServer,
  ServerReflectionServer,
} from '@ovms/proto';
import type { HandlerContext } from './handler-context.js';
import { createHealthService } from './health-service.js';
import type { HealthServiceBinding } from './health-service.js';
import { createModelInferHandler, createModelStreamInferHandler } from './kserve-infer.js';
import { createModelMetadataHandler } from './kserve-metadata.js';
import {
  createModelReadyHandler,
  createServerLiveHandler,
  createServerMetadataHandler,
  createServerReadyHandler,
} from './kserve-server.js';
import { createProtoDescriptors } from './proto-descriptors.js';
import { createReflectionServices } from './reflection-service.js';
import type { ReflectionServices } from './reflection-service.js';
import { createLoopCalls } from './loop-calls.js';
import type { LoopCalls } from './loop-calls.js';
import {
  inferenceServiceDefinition,
  modelServiceDefinition,
  predictionServiceDefinition,
} from './service-definitions.js';
import { OPEN_GRPC_SERVICES, grpcServiceName } from './service-names.js';
import { createGetModelMetadataHandler } from './tfs-metadata.js';
import { createGetModelStatusHandler, createReloadConfigHandler } from './tfs-model-service.js';
import { createPredictHandler } from './tfs-predict.js';
import { createUnimplementedHandler } from './tfs-unimplemented.js';
import {
  createModelStatisticsHandler,
  createRepositoryIndexHandler,
  createRepositoryModelLoadHandler,
  createRepositoryModelUnloadHandler,
} from './triton-repository.js';

/** The name OVMS reports in KServe ServerMetadata (its PROJECT_NAME). */
export const DEFAULT_SERVER_NAME = 'OpenVINO Model Server';

export interface GrpcServicesOptions {
  /** Resolves servables and reports their statuses (the model manager). */
  readonly provider: ServableProvider;
  /** Config reload for HandleReloadConfigRequest. */
  readonly admin: ServableAdmin;
  /** Where requests are reported; metrics off when absent. */
  readonly metrics?: MetricsRecorder;
  readonly logger?: Logger;
  /** KServe ServerMetadata name; "OpenVINO Model Server" when absent. */
  readonly serverName?: string;
  /** KServe ServerMetadata version, e.g. the package version. */
  readonly serverVersion: string;
  /** Triton's RepositoryIndex/Load/Unload and ModelStatistics; absent: UNIMPLEMENTED. */
  readonly modelControl?: ModelControl;
}

/** A service definition and the handlers that implement it, ready for `Server.addService`. */
export interface GrpcServiceBinding<Implementation extends UntypedServiceImplementation> {
  readonly definition: ServiceDefinition;
  readonly implementation: Implementation;
}

/** The three gRPC services OVMS serves, with gRPC health checking and server reflection. */
export interface GrpcServices {
  readonly predictionService: GrpcServiceBinding<PredictionServiceServer>;
  readonly modelService: GrpcServiceBinding<ModelServiceServer>;
  readonly inferenceService: GrpcServiceBinding<GRPCInferenceServiceServer>;
  /** grpc.health.v1.Health: tell it when readiness changes (`refresh`) and at stop (`shutdown`). */
  readonly healthService: HealthServiceBinding;
  readonly reflectionService: GrpcServiceBinding<ServerReflectionServer>;
  readonly reflectionV1alphaService: GrpcServiceBinding<ServerReflectionServer>;
  /** What the main thread runs for transport loops (`--grpc_workers` > 1). */
  readonly loopCalls: LoopCalls;
}

/** Every service of `services`, for `Server.addService`. */
export function serviceBindings(
  services: GrpcServices,
): GrpcServiceBinding<UntypedServiceImplementation>[] {
  return [
    services.predictionService,
    services.modelService,
    services.inferenceService,
    services.healthService,
    services.reflectionService,
    services.reflectionV1alphaService,
  ];
}

/** The names health checking and reflection know: OVMS's three services and the open ones. */
export function grpcServiceNames(): string[] {
  return [
    ...[predictionServiceDefinition, modelServiceDefinition, inferenceServiceDefinition].map(
      grpcServiceName,
    ),
    ...OPEN_GRPC_SERVICES,
  ];
}

/** Server reflection over @ovms/proto's descriptor set. */
export function createServingReflection(serviceNames: readonly string[]): ReflectionServices {
  return createReflectionServices({
    serviceNames,
    descriptors: createProtoDescriptors(Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64')),
  });
}

/**
 * The handlers of TF Serving's PredictionService and ModelService and KServe's
 * GRPCInferenceService over one ServableProvider. Each handler answers every failure with the
 * gRPC status of its ServingError code (STATUS_TO_GRPC) and OVMS's message. Health checking
 * answers for the server and each of these services; reflection lists them all and describes
 * them from @ovms/proto's descriptor set.
 */
export function createGrpcServices(options: GrpcServicesOptions): GrpcServices {
  const ctx: HandlerContext = {
    provider: options.provider,
    admin: options.admin,
    metrics: options.metrics ?? noopMetrics,
    logger: options.logger ?? silentLogger,
    serverName: options.serverName ?? DEFAULT_SERVER_NAME,
    serverVersion: options.serverVersion,
    modelControl: options.modelControl,
  };
  const serviceNames = grpcServiceNames();
  const reflection = createServingReflection(serviceNames);
  const predictionService: GrpcServiceBinding<PredictionServiceServer> = {
    definition: predictionServiceDefinition,
    implementation: {
      predict: createPredictHandler(ctx),
      getModelMetadata: createGetModelMetadataHandler(ctx),
      classify: createUnimplementedHandler(ctx, 'Classify'),
      regress: createUnimplementedHandler(ctx, 'Regress'),
      multiInference: createUnimplementedHandler(ctx, 'MultiInference'),
    },
  };
  const modelService: GrpcServiceBinding<ModelServiceServer> = {
    definition: modelServiceDefinition,
    implementation: {
      getModelStatus: createGetModelStatusHandler(ctx),
      handleReloadConfigRequest: createReloadConfigHandler(ctx),
    },
  };
  const inferenceService: GrpcServiceBinding<GRPCInferenceServiceServer> = {
    definition: inferenceServiceDefinition,
    implementation: {
      serverLive: createServerLiveHandler(ctx),
      serverReady: createServerReadyHandler(ctx),
      modelReady: createModelReadyHandler(ctx),
      serverMetadata: createServerMetadataHandler(ctx),
      modelMetadata: createModelMetadataHandler(ctx),
      modelInfer: createModelInferHandler(ctx),
      modelStreamInfer: createModelStreamInferHandler(ctx),
      modelStatistics: createModelStatisticsHandler(ctx),
      repositoryIndex: createRepositoryIndexHandler(ctx),
      repositoryModelLoad: createRepositoryModelLoadHandler(ctx),
      repositoryModelUnload: createRepositoryModelUnloadHandler(ctx),
    },
  };
  return {
    predictionService,
    modelService,
    inferenceService,
    loopCalls: createLoopCalls(ctx, { predictionService, modelService, inferenceService }),
    healthService: createHealthService({
      isReady: () => options.provider.isReady(),
      serviceNames,
    }),
    reflectionService: reflection.v1,
    reflectionV1alphaService: reflection.v1alpha,
  };
}
