import { ServingError, StatusCode, validateInput } from '@ovms/core';
import type { InferRequest } from '@ovms/core';
import type { ValidatedPipeline } from '../plan.js';

/**
 * Checks a request against the pipeline's inputs before any node runs, in OVMS's order and
 * wording: count, names, then each typed input's precision, shape and content; inputs that
 * only pass through to the response are untyped and taken as they come. The requested outputs
 * are checked by the caller (core `requestedOutputs`), as for a model.
 */
export function validatePipelineRequest(pipeline: ValidatedPipeline, request: InferRequest): void {
  const inputs = request.inputs;
  if (inputs.size !== pipeline.inputs.length) {
    throw new ServingError(
      StatusCode.INVALID_NO_OF_INPUTS,
      `Expected: ${pipeline.inputs.length}; Actual: ${inputs.size}`,
    );
  }
  for (const spec of pipeline.inputs) {
    const tensor = inputs.get(spec.name);
    if (tensor === undefined) {
      throw new ServingError(StatusCode.INVALID_MISSING_INPUT, `Required input: ${spec.name}`);
    }
    if (!pipeline.untyped.has(spec.name)) validateInput(spec, tensor);
  }
}
