import type { PipelineRecord } from './model-registry.js';
import { TfErrorCode, tfErrorCodeName } from './tf-error-code.js';
import type { ManagedVersionStatus } from './version-state.js';

/**
 * A pipeline's status the way OVMS maps a pipeline definition to GetModelStatus: always
 * version 1; not yet available → LOADING/OK, failed validation → LOADING/FAILED_PRECONDITION,
 * retired → END/OK. Pipelines stay LOADING here until the DAG package serves them.
 */
export function pipelineStatus(record: PipelineRecord): ManagedVersionStatus {
  if (record.removed) return status('END', TfErrorCode.OK);
  if (record.validationError !== undefined) {
    return {
      ...status('LOADING', TfErrorCode.FAILED_PRECONDITION),
      reason: record.validationError,
    };
  }
  return { ...status('LOADING', TfErrorCode.OK), reason: 'pipelines are not servable yet' };
}

function status(state: ManagedVersionStatus['state'], errorCode: number): ManagedVersionStatus {
  return { version: 1, state, errorCode, errorMessage: tfErrorCodeName(errorCode) };
}
