import { DATA_TYPES, ServingError, StatusCode, dataTypeFromTf } from '@ovms/core';
import type { DataType } from '@ovms/core';
import { DataType as TfDataType } from '@ovms/proto';

/** The tensorflow.DataType enum value TF Serving uses for `dtype` (FP16 → DT_HALF, BYTES → DT_STRING). */
export function tfDataTypeOf(dtype: DataType): TfDataType {
  return DATA_TYPES[dtype].tfEnum;
}

/** `DT_FLOAT` for 1; the bare number for values types.proto does not name. */
export function tfDataTypeName(tfEnum: number): string {
  const name: string | undefined = TfDataType[tfEnum];
  return name ?? String(tfEnum);
}

/**
 * The DataType of a TensorProto's dtype. Types ovms-ts does not serve (complex, quantized,
 * resource, variant, the `_REF` variants, DT_INVALID) are refused with INVALID_PRECISION.
 */
export function dataTypeOfTfProto(tfEnum: number, inputName: string): DataType {
  const dtype = dataTypeFromTf(tfEnum);
  if (dtype === undefined) {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `Unsupported tensor proto dtype ${tfDataTypeName(tfEnum)}; input name: ${inputName}`,
    );
  }
  return dtype;
}
