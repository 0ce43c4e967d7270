/**
 * tensorflow.error.Code, the `status.error_code` of GetModelStatus. OVMS itself only reports
 * OK, UNKNOWN (a failed load) and FAILED_PRECONDITION (an invalid pipeline).
 */
export const TF_ERROR_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export type TfErrorCodeName = (typeof TF_ERROR_CODE_NAMES)[number];

export const TfErrorCode = { OK: 0, UNKNOWN: 2, FAILED_PRECONDITION: 9 } as const;

/** The enum name protobuf JSON prints for a code ("OK", "UNKNOWN", …); numbers beyond print as-is. */
export function tfErrorCodeName(code: number): string {
  return TF_ERROR_CODE_NAMES[code] ?? String(code);
}
