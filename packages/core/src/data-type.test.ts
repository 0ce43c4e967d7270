import { describe, expect, it } from 'vitest';
import {
  DATA_TYPES,
  dataTypeFromOnnx,
  dataTypeFromOpenvino,
  dataTypeFromTf,
  isDataType,
} from './data-type.js';

describe('DataType table', () => {
  it('maps every vocabulary back to the same KServe name', () => {
    for (const info of Object.values(DATA_TYPES)) {
      expect(dataTypeFromTf(info.tfEnum)).toBe(info.name);
      expect(dataTypeFromOpenvino(info.openvino)).toBe(info.name);
      if (info.onnx !== null) expect(dataTypeFromOnnx(info.onnx)).toBe(info.name);
    }
  });

  it('uses the tensorflow.DataType numbers of types.proto', () => {
    expect(DATA_TYPES.FP32.tfEnum).toBe(1);
    expect(DATA_TYPES.FP16.tfName).toBe('DT_HALF');
    expect(DATA_TYPES.FP16.tfEnum).toBe(19);
    expect(DATA_TYPES.BF16.tfEnum).toBe(14);
    expect(DATA_TYPES.BYTES.tfEnum).toBe(7);
    expect(DATA_TYPES.UINT64.tfEnum).toBe(23);
  });

  it('knows which names are data types', () => {
    expect(isDataType('FP32')).toBe(true);
    expect(isDataType('STRING')).toBe(false);
    expect(isDataType('toString')).toBe(false);
    expect(dataTypeFromTf(8)).toBeUndefined(); // DT_COMPLEX64 is not served
  });
});
