import type { InferenceSession } from 'onnxruntime-node';
import {
  ServingError,
  StatusCode,
  dataTypeFromOnnx,
  formatShape,
  type InputSpec,
  type ModelLoadOptions,
  type TensorSpec,
} from '@ovms/core';

/** TensorSpecs from ORT metadata; symbolic dims become -1, non-tensors and unknown types fail. */
export function specsFromMetadata(
  metadata: readonly InferenceSession.ValueMetadata[],
  file: string,
): TensorSpec[] {
  return metadata.map((value) => {
    if (!value.isTensor) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `${value.name} of ${file} is not a tensor; onnxruntime engine serves tensors only`,
      );
    }
    const dtype = dataTypeFromOnnx(value.type);
    if (dtype === undefined) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `${value.name} of ${file} has element type ${value.type}, which ovms-ts does not serve`,
      );
    }
    const shape = value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
    return { name: value.name, dtype, shape };
  });
}

export interface ResolvedInputs {
  /** With `batchDim` 0 where `batch_size` fixed the first dim: INVALID_BATCH_SIZE there. */
  readonly inputs: readonly InputSpec[];
}

function reshapeError(detail: string): ServingError {
  return new ServingError(StatusCode.RESHAPE_ERROR, detail);
}

/**
 * Applies OVMS `shape` and `batch_size` to the model's input specs. ONNX Runtime cannot
 * reshape a model, so these may only fix dims the model leaves dynamic: the result is the
 * metadata clients see and what each request is checked against. Anything that would change
 * a fixed dim is RESHAPE_ERROR at load. `shape: auto` keeps the model's dims (ORT already
 * accepts every size a dynamic dim allows) and is RESHAPE_ERROR where every dim is fixed;
 * `batch_size: auto` is RESHAPE_ERROR on a fixed first dim. As in OVMS, an explicit `shape` wins over `batch_size`.
 */
export function resolveInputs(
  model: readonly TensorSpec[],
  options: Pick<ModelLoadOptions, 'shape' | 'batchSize'>,
): ResolvedInputs {
  const shapes = options.shape ?? {};
  for (const name of Object.keys(shapes)) {
    if (!model.some((spec) => spec.name === name)) {
      throw reshapeError(
        `shape names input ${name}, which the model does not have; inputs: ${model.map((spec) => spec.name).join(', ')}`,
      );
    }
  }
  const batch = options.batchSize;
  if (batch !== undefined && batch !== 'auto' && (!Number.isSafeInteger(batch) || batch < 1)) {
    throw reshapeError(`batch_size must be a positive integer or auto; actual: ${batch}`);
  }
  const inputs = model.map((spec): InputSpec => {
    const requested = shapes[spec.name];
    if (requested === 'auto' && spec.shape.length > 0 && spec.shape.every((dim) => dim >= 0)) {
      throw reshapeError(
        `onnxruntime cannot reshape input ${spec.name} ${formatShape(spec.shape)} to each request (shape auto); serve the model with OpenVINO`,
      );
    }
    if (requested !== undefined && requested !== 'auto') {
      return { ...spec, shape: fixDims(spec, requested) };
    }
    if (typeof batch === 'number' && spec.shape.length > 0) {
      const first = spec.shape[0] ?? -1;
      if (first >= 0 && first !== batch) {
        throw reshapeError(
          `onnxruntime cannot change the batch size of input ${spec.name} from ${first} to ${batch}`,
        );
      }
      return { ...spec, shape: [batch, ...spec.shape.slice(1)], batchDim: 0 };
    }
    if (batch === 'auto' && requested === undefined && (spec.shape[0] ?? -1) >= 0) {
      throw reshapeError(
        `onnxruntime cannot change the batch size of input ${spec.name} ${formatShape(spec.shape)} to each request (batch_size auto); serve the model with OpenVINO`,
      );
    }
    return spec;
  });
  return { inputs };
}

function fixDims(spec: TensorSpec, requested: readonly number[]): number[] {
  const conflict = () =>
    reshapeError(
      `onnxruntime cannot reshape input ${spec.name} from ${formatShape(spec.shape)} to ${formatShape(requested)}`,
    );
  if (requested.length !== spec.shape.length) throw conflict();
  return requested.map((dim, axis) => {
    const modelDim = spec.shape[axis] ?? -1;
    if (!Number.isSafeInteger(dim) || dim < -1) throw conflict();
    if (modelDim >= 0 && dim !== modelDim) throw conflict();
    return dim;
  });
}

/**
 * Checks OVMS `layout`. ORT cannot insert the transpose `NHWC:NCHW` asks for, so only layouts
 * that change nothing are accepted: a bare layout (`NCHW`) or one whose sides are equal.
 */
export function checkLayouts(
  layouts: Readonly<Record<string, string>>,
  specs: readonly TensorSpec[],
): void {
  for (const [name, layout] of Object.entries(layouts)) {
    const spec = specs.find((candidate) => candidate.name === name);
    if (spec === undefined) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `layout names ${name}, which the model does not have`,
      );
    }
    const [from, to = from, ...rest] = layout.split(':');
    const noOp = rest.length === 0 && from === to && from?.length === spec.shape.length;
    if (!noOp) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `layout ${layout} for ${name} ${formatShape(spec.shape)} is not supported by onnxruntime engine: it cannot transpose inputs; serve the model with OpenVINO or convert it`,
      );
    }
  }
}
