import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/**
 * An independent implementation of the same .proto files: protobufjs (reflection) for every
 * message and @grpc/proto-loader for the services, both reading protos/ directly.
 */
export const PROTOS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../protos');

export const PROTO_FILES = [
  'tensorflow_serving/apis/prediction_service.proto',
  'tensorflow_serving/apis/model_service.proto',
  'tensorflow_serving/apis/get_model_status.proto',
  'tensorflow_serving/apis/status.proto',
  'kserve/grpc_predict_v2.proto',
  'grpc/health/v1/health.proto',
  'grpc/reflection/v1/reflection.proto',
  'grpc/reflection/v1alpha/reflection.proto',
];

export function loadReferenceRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : join(PROTOS_DIR, target);
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

export function loadReferenceServices(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(PROTO_FILES, {
    includeDirs: [PROTOS_DIR],
    keepCase: true,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: false,
  });
}

/** Every message type in the root, nested ones included, by full name without the dot. */
export function allMessageTypes(root: protobuf.Root): protobuf.Type[] {
  const types: protobuf.Type[] = [];
  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) {
        if (!nested.fullName.startsWith('.google.protobuf.') && !nested.options?.['map_entry']) {
          types.push(nested);
        }
        visit(nested);
      } else if (nested instanceof protobuf.Namespace) {
        visit(nested);
      }
    }
  };
  visit(root);
  return types;
}

/** The ts-proto export name of a message: nested names joined with "_", package dropped. */
export function tsProtoName(type: protobuf.Type): string {
  const names: string[] = [];
  let at: protobuf.ReflectionObject | null = type;
  while (at instanceof protobuf.Type) {
    names.unshift(at.name);
    at = at.parent;
  }
  return names.join('_');
}

export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: Array,
  defaults: false,
  arrays: false,
  objects: false,
  oneofs: false,
};
