import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import type { DownloadProgress, Logger } from '@ovms/core';
import { downloadFile } from './file-download.js';
import type { RemoteFile, RemoteTree } from './remote-tree.js';
import { listTreeFiles } from './tree-fingerprint.js';

export interface TreeDownloadOptions {
  readonly logger: Logger;
  /** Objects downloaded at once. */
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/**
 * Downloads every object of `tree` into `localDir` and returns its absolute path. The files
 * land in a hidden sibling directory first and are renamed into place only when all of them
 * arrived intact and a second listing shows the version did not change meanwhile, so a
 * half-downloaded or half-uploaded version is never visible at `localDir`. A previous copy at
 * `localDir` is replaced by renames; on any failure or abort the partial copy is removed.
 */
export async function downloadTree(
  tree: RemoteTree,
  localDir: string,
  options: TreeDownloadOptions,
): Promise<string> {
  const { signal, logger } = options;
  signal?.throwIfAborted();
  const listed = await listTreeFiles(tree, signal);

  const target = resolve(localDir);
  const partial = await local(tree.uri, target, async () => {
    await mkdir(dirname(target), { recursive: true });
    return mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  });
  const started = performance.now();
  try {
    await downloadAll(tree, listed, partial, options);
    await ensureUnchanged(tree, listed, signal);
    await local(tree.uri, target, () => swapInto(partial, target));
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  const bytes = listed.reduce((sum, file) => sum + file.size, 0);
  const ms = Math.round(performance.now() - started);
  logger.info(
    { uri: tree.uri, dir: target, files: listed.length, bytes, ms },
    `downloaded ${tree.uri} to ${target}`,
  );
  return target;
}

/** Runs up to `concurrency` object downloads; the first failure stops the others. */
async function downloadAll(
  tree: RemoteTree,
  listed: readonly RemoteFile[],
  dir: string,
  options: TreeDownloadOptions,
): Promise<void> {
  const { signal } = options;
  const files: { file: RemoteFile; target: string }[] = [];
  for (const file of listed) {
    const path = localPath(dir, file);
    if (file.path.endsWith('/')) await mkdir(path, { recursive: true });
    else files.push({ file, target: path });
  }
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (let item = files[next++]; item !== undefined && !failure; item = files[next++]) {
      try {
        await mkdir(dirname(item.target), { recursive: true });
        await downloadFile({
          tree,
          file: item.file,
          target: item.target,
          signal: combined,
          logger: options.logger,
          onProgress: options.onProgress,
        });
      } catch (error) {
        // The first error is the one to report; the others are this stop's echoes.
        failure ??= { error: signal?.aborted ? signal.reason : error };
        stop.abort();
      }
    }
  };
  // Every worker settles before the caller removes the directory they write into.
  const workers = Math.max(1, Math.min(options.concurrency, files.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
}

/** The local path of an object, refusing names that would land outside the download directory. */
function localPath(dir: string, file: RemoteFile): string {
  const path = resolve(dir, file.path);
  if (path !== dir && !path.startsWith(dir + sep))
    throw new ServingError(
      StatusCode.PATH_INVALID,
      `object name escapes the version directory: ${file.uri}`,
    );
  return path;
}

/**
 * Lists the version again and fails when an object was deleted, replaced or added since the
 * first listing: a file may have been streamed whole before its deletion, or the version may
 * still be uploading. The next poll downloads it again.
 */
async function ensureUnchanged(
  tree: RemoteTree,
  listed: readonly RemoteFile[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const now = new Map((await tree.listFiles(signal)).map((file) => [file.path, file]));
  const before = new Set(listed.map((file) => file.path));
  for (const file of listed) {
    const current = now.get(file.path);
    if (current === undefined)
      throw new ServingError(
        StatusCode.PATH_INVALID,
        `object was deleted during download: ${file.uri}`,
      );
    if (current.revision !== file.revision || current.size !== file.size)
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `object changed during download: ${file.uri} (${file.revision} → ${current.revision})`,
      );
  }
  const added = [...now.values()].find((file) => !before.has(file.path));
  if (added !== undefined)
    throw new ServingError(StatusCode.INTERNAL_ERROR, `object added during download: ${added.uri}`);
}

/** Runs a local file-system step, naming the copy it was making when it fails (disk full…). */
async function local<T>(uri: string, target: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ServingError(
      StatusCode.INTERNAL_ERROR,
      `cannot write the local copy of ${uri} at ${target}: ${code}`,
      { cause: error },
    );
  }
}

/** Puts the complete copy at `target`, replacing an older copy there with renames only. */
async function swapInto(partial: string, target: string): Promise<void> {
  const old = `${partial}.old`;
  try {
    await rename(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rename(partial, target);
  await rm(old, { recursive: true, force: true });
}
