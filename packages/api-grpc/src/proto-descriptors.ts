import { createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescFile, FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/** The protos a server is described by, looked up the ways gRPC server reflection asks. */
export interface ProtoDescriptors {
  /** A file by its name in the set, e.g. "kserve/grpc_predict_v2.proto". */
  file(fileName: string): DescFile | undefined;
  /**
   * The file that defines a fully qualified symbol: a service or one of its methods, a message
   * (nested ones too) or one of its fields, an enum, an extension. A leading "." is allowed.
   */
  fileContainingSymbol(symbol: string): DescFile | undefined;
  /** The file defining extension `number` of message `containingType`. */
  fileContainingExtension(containingType: string, number: number): DescFile | undefined;
  /** The extension numbers declared for a message type; undefined when it is no message. */
  extensionNumbers(messageType: string): number[] | undefined;
  /**
   * Serialized FileDescriptorProtos: `file` first, then every file it imports, transitively,
   * that `sent` does not hold yet; each one given is added to `sent`. Tools cache what one
   * stream has received, so repeating the dependencies would only cost bytes (grpc-go does the
   * same).
   */
  encodeWithDependencies(file: DescFile, sent: Set<string>): Uint8Array[];
}

/** Reads a serialized google.protobuf.FileDescriptorSet (e.g. @ovms/proto's, from `buf build`). */
export function createProtoDescriptors(fileDescriptorSet: Uint8Array): ProtoDescriptors {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet));
  const encoded = new Map<string, Uint8Array>();
  const encode = (file: DescFile): Uint8Array => {
    let bytes = encoded.get(file.proto.name);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      encoded.set(file.proto.name, bytes);
    }
    return bytes;
  };

  return {
    file: (fileName) => registry.getFile(fileName),
    fileContainingSymbol: (symbol) => findSymbol(registry, symbol.replace(/^\./, '')),
    fileContainingExtension(containingType, number) {
      const message = registry.getMessage(containingType.replace(/^\./, ''));
      return message === undefined ? undefined : registry.getExtensionFor(message, number)?.file;
    },
    extensionNumbers(messageType) {
      const typeName = messageType.replace(/^\./, '');
      if (registry.getMessage(typeName) === undefined) return undefined;
      const numbers: number[] = [];
      for (const desc of registry) {
        if (desc.kind === 'extension' && desc.extendee.typeName === typeName)
          numbers.push(desc.number);
      }
      return numbers.sort((a, b) => a - b);
    },
    encodeWithDependencies(file, sent) {
      const out: Uint8Array[] = [];
      const queue = [file];
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const name = next.proto.name;
        if (out.length > 0 && sent.has(name)) continue;
        sent.add(name);
        out.push(encode(next));
        queue.push(...next.dependencies);
      }
      return out;
    },
  };
}

function findSymbol(registry: FileRegistry, symbol: string): DescFile | undefined {
  const desc = registry.get(symbol);
  if (desc !== undefined) return desc.file;
  // A method or a field: its parent is a service or a message that has a member of that name.
  const dot = symbol.lastIndexOf('.');
  if (dot < 0) return undefined;
  const parent = registry.get(symbol.slice(0, dot));
  const member = symbol.slice(dot + 1);
  if (parent?.kind === 'service' && parent.methods.some((method) => method.name === member))
    return parent.file;
  if (parent?.kind === 'message' && parent.fields.some((field) => field.name === member))
    return parent.file;
  return undefined;
}
