import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { ServerReflectionService, ServerReflectionV1alphaService } from '@ovms/proto';
import type {
  ServerReflectionRequest,
  ServerReflectionResponse,
  ServerReflectionServer,
} from '@ovms/proto';
import type { ProtoDescriptors } from './proto-descriptors.js';
import type { GrpcServiceBinding } from './services.js';

export interface ReflectionServiceOptions {
  /** Fully qualified names of the services served, listed by `list_services`. */
  readonly serviceNames: readonly string[];
  /** The protos that describe them (and anything else the server knows). */
  readonly descriptors: ProtoDescriptors;
}

/** grpc.reflection.v1.ServerReflection and its first name, v1alpha, over the same answers. */
export interface ReflectionServices {
  readonly v1: GrpcServiceBinding<ServerReflectionServer>;
  readonly v1alpha: GrpcServiceBinding<ServerReflectionServer>;
}

type MessageResponse = ServerReflectionResponse['messageResponse'];

function errorResponse(code: GrpcStatus, message: string): MessageResponse {
  return { $case: 'errorResponse', errorResponse: { errorCode: code, errorMessage: message } };
}

/**
 * gRPC server reflection (grpc/grpc doc/server-reflection.md), so grpcurl, Postman and Envoy
 * can list the services and read their protos without a copy of them: each request on the
 * stream gets one response, in order. Files come as serialized FileDescriptorProtos with their
 * imports (those not sent on this stream yet); what cannot be found is an ErrorResponse with
 * NOT_FOUND, and the stream goes on. v1alpha speaks the same messages under its first name,
 * for older tools.
 */
export function createReflectionServices(options: ReflectionServiceOptions): ReflectionServices {
  const { descriptors } = options;
  const services = [...options.serviceNames].sort().map((name) => ({ name }));

  const answer = (request: ServerReflectionRequest, sent: Set<string>): MessageResponse => {
    const files = (file: ReturnType<ProtoDescriptors['file']>, notFound: string) =>
      file === undefined
        ? errorResponse(GrpcStatus.NOT_FOUND, notFound)
        : ({
            $case: 'fileDescriptorResponse',
            fileDescriptorResponse: {
              fileDescriptorProto: descriptors.encodeWithDependencies(file, sent),
            },
          } as const);
    const asked = request.messageRequest;
    switch (asked?.$case) {
      case 'fileByFilename':
        return files(
          descriptors.file(asked.fileByFilename),
          `File not found: ${asked.fileByFilename}`,
        );
      case 'fileContainingSymbol':
        return files(
          descriptors.fileContainingSymbol(asked.fileContainingSymbol),
          `Symbol not found: ${asked.fileContainingSymbol}`,
        );
      case 'fileContainingExtension': {
        const { containingType, extensionNumber } = asked.fileContainingExtension;
        return files(
          descriptors.fileContainingExtension(containingType, extensionNumber),
          `Extension not found: ${extensionNumber} of ${containingType}`,
        );
      }
      case 'allExtensionNumbersOfType': {
        const typeName = asked.allExtensionNumbersOfType;
        const numbers = descriptors.extensionNumbers(typeName);
        return numbers === undefined
          ? errorResponse(GrpcStatus.NOT_FOUND, `Type not found: ${typeName}`)
          : {
              $case: 'allExtensionNumbersResponse',
              allExtensionNumbersResponse: { baseTypeName: typeName, extensionNumber: numbers },
            };
      }
      case 'listServices':
        return { $case: 'listServicesResponse', listServicesResponse: { service: services } };
      case undefined:
        return errorResponse(GrpcStatus.INVALID_ARGUMENT, 'message_request is not set');
    }
  };

  const serverReflectionInfo = (
    call: ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>,
  ): void => {
    // Files already sent on this stream: their importers are sent without them.
    const sent = new Set<string>();
    call.on('data', (request: ServerReflectionRequest) => {
      call.write({
        validHost: request.host,
        originalRequest: request,
        messageResponse: answer(request, sent),
      });
    });
    call.on('end', () => call.end());
  };

  return {
    v1: { definition: ServerReflectionService, implementation: { serverReflectionInfo } },
    v1alpha: {
      definition: ServerReflectionV1alphaService,
      implementation: { serverReflectionInfo },
    },
  };
}
