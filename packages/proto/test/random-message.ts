import protobuf from 'protobufjs';

/**
 * Builds a random plain object for a protobufjs Type, filling each scalar, enum, repeated,
 * map and oneof field with values that survive the wire exactly (floats are float32-exact,
 * 64-bit integers include values beyond 2^53 as decimal strings).
 */
export function randomMessage(
  type: protobuf.Type,
  random: () => number,
  depth = 0,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chosenOneofMember = new Map<string, string>();
  for (const oneof of type.oneofsArray) {
    chosenOneofMember.set(oneof.name, pick([...oneof.oneof, '']));
  }
  for (const field of type.fieldsArray) {
    if (field.partOf && chosenOneofMember.get(field.partOf.name) !== field.name) continue;
    const value = () => randomValue(field, random, depth);
    if (field instanceof protobuf.MapField) {
      const map: Record<string, unknown> = {};
      const size = depth > 2 ? 0 : Math.floor(random() * 3);
      for (let i = 0; i < size; i += 1) map[randomKey(field.keyType, random)] = value();
      object[field.name] = map;
    } else if (field.repeated) {
      const size =
        depth > 2 && field.resolvedType instanceof protobuf.Type ? 0 : Math.floor(random() * 4);
      object[field.name] = Array.from({ length: size }, value);
    } else if (field.resolvedType instanceof protobuf.Type && depth > 3) {
      continue;
    } else {
      object[field.name] = value();
    }
  }
  return object;
}

const INT64_SAMPLES = [
  '0',
  '1',
  '-1',
  '9007199254740993',
  '-9223372036854775808',
  '9223372036854775807',
  '123456789012',
];
const UINT64_SAMPLES = ['0', '1', '9007199254740993', '18446744073709551615', '4294967296'];

function randomKey(keyType: string, random: () => number): string {
  if (keyType === 'string') return `k${Math.floor(random() * 1000)}`;
  return String(Math.floor(random() * 1000));
}

function randomValue(field: protobuf.Field, random: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  if (field.resolvedType instanceof protobuf.Type)
    return randomMessage(field.resolvedType, random, depth + 1);
  if (field.resolvedType instanceof protobuf.Enum)
    return pick(Object.values(field.resolvedType.values));
  switch (field.type) {
    case 'double':
      return pick([0.1, -2.5e300, 3, 1e-310, Number.MAX_VALUE, random()]);
    case 'float':
      return pick([0.5, -3, 1024.25, 2 ** -20, Math.fround(random())]);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return pick([0, 1, -1, 2147483647, -2147483648, Math.floor(random() * 1e6)]);
    case 'uint32':
    case 'fixed32':
      return pick([0, 1, 4294967295, Math.floor(random() * 1e6)]);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return pick(INT64_SAMPLES);
    case 'uint64':
    case 'fixed64':
      return pick(UINT64_SAMPLES);
    case 'bool':
      return random() < 0.5;
    case 'string':
      return pick(['', 'resnet', 'ünïcødé ✓', `s${Math.floor(random() * 1e6)}`]);
    case 'bytes':
      return Uint8Array.from({ length: Math.floor(random() * 8) }, () =>
        Math.floor(random() * 256),
      );
    default:
      throw new Error(`no generator for field type ${field.type}`);
  }
}
