import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isServingError } from '@ovms/core';
import { describeFsError, storagePathError } from './storage-errors.js';

/**
 * A content signature of a local version directory: sha256 over every file's relative path,
 * size and mtime (nanoseconds), recursively, in a stable order. It changes when a file is
 * added, removed, renamed, resized or rewritten, and stays put otherwise, so the lifecycle can
 * poll it to reload a changed version without reading model bytes. Symlinks are followed
 * (each real directory once, so a link loop ends).
 */
export async function fingerprint(versionDir: string): Promise<string> {
  const hash = createHash('sha256');
  const visited = new Set<string>();

  const walk = async (dir: string, prefix: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return;
    visited.add(real);
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const relative = prefix === '' ? name : `${prefix}/${name}`;
      let info;
      try {
        info = await stat(path, { bigint: true });
      } catch (error) {
        // A dangling symlink or a file removed mid-walk: part of the signature, not an error.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          hash.update(`${relative}\0missing\n`);
          continue;
        }
        throw error;
      }
      if (info.isDirectory()) {
        hash.update(`${relative}/\n`);
        await walk(path, relative);
      } else {
        hash.update(`${relative}\0${info.size}\0${info.mtimeNs}\n`);
      }
    }
  };

  try {
    if (!(await stat(versionDir)).isDirectory())
      throw storagePathError(`not a directory: ${versionDir}`);
    await walk(versionDir, '');
  } catch (error) {
    if (isServingError(error)) throw error;
    throw storagePathError(describeFsError(versionDir, error), error);
  }
  return hash.digest('hex');
}
