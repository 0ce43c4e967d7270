import type { PipelineRecord } from './pipeline-registry.js';
import { TfErrorCode, tfErrorCodeName } from '@ovms/core';
import type { ManagedVersionStatus } from './version-state.js';

/**
 * A pipeline's status the way OVMS maps a pipeline definition to GetModelStatus: always
 * version 1; built → AVAILABLE/OK, failed validation → LOADING/FAILED_PRECONDITION with the
 * reason, not built yet → LOADING/OK, retired → END/OK.
 */
export function pipelineStatus(record: PipelineRecord, served: boolean): ManagedVersionStatus {
  if (record.removed) return status('END', TfErrorCode.OK);
  if (record.instance !== undefined) return status('AVAILABLE', TfErrorCode.OK);
  const invalid = record.configError ?? record.buildError?.message;
  if (invalid !== undefined) {
    return { ...status('LOADING', TfErrorCode.FAILED_PRECONDITION), reason: invalid };
  }
  const reason = served ? 'not built yet' : 'this server does not serve pipelines';
  return { ...status('LOADING', TfErrorCode.OK), reason };
}

function status(state: ManagedVersionStatus['state'], errorCode: number): ManagedVersionStatus {
  return { version: 1, state, errorCode, errorMessage: tfErrorCodeName(errorCode) };
}
