import { rm } from 'node:fs/promises';

/**
 * Deletes the local copy a remote backend downloaded (`download`'s result) once its version
 * has unloaded: the cache would otherwise keep every version ever served. Missing is fine.
 */
export async function removeLocalCopy(localDir: string): Promise<void> {
  await rm(localDir, { recursive: true, force: true });
}
