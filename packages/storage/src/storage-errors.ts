import { ServingError, StatusCode } from '@ovms/core';

/** A location that does not exist, is not what was expected, or cannot be read. */
export function storagePathError(detail: string, cause?: unknown): ServingError {
  return new ServingError(StatusCode.PATH_INVALID, detail, { cause });
}

/** A URI whose scheme no registered backend serves. */
export function unsupportedSchemeError(detail: string): ServingError {
  return new ServingError(StatusCode.PATH_SCHEME_UNSUPPORTED, detail);
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'path does not exist',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Words a Node fs error for a message about `path`. */
export function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what = FS_ERRORS[code ?? ''];
  if (what !== undefined) return `${what}: ${path}`;
  return `cannot access ${path}: ${code ?? (error instanceof Error ? error.message : String(error))}`;
}
