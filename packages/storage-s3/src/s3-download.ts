import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import type { DownloadProgress } from '@ovms/core';
import { listObjectsUnder } from './s3-context.js';
import type { ListedObject, S3Context } from './s3-context.js';
import { downloadObject } from './s3-object-download.js';
import { dirPrefix, formatS3Uri } from './s3-uri.js';
import type { S3Location } from './s3-uri.js';

export interface VersionDownloadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Downloads every object under `location` into `localDir` and returns its absolute path. The
 * files land in a hidden sibling directory first and are renamed into place only when all of
 * them arrived intact and a second listing shows the version did not change meanwhile, so a
 * half-downloaded or half-uploaded version is never visible at `localDir`. A previous copy at
 * `localDir` is replaced in one rename; on any failure or abort the partial copy is removed.
 */
export async function downloadVersion(
  context: S3Context,
  location: S3Location,
  localDir: string,
  options: VersionDownloadOptions = {},
): Promise<string> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const uri = formatS3Uri(location.bucket, location.key);
  const listed = await listObjectsUnder(context, location, signal);
  if (listed.length === 0)
    throw new ServingError(StatusCode.PATH_INVALID, `path does not exist: ${uri} has no objects`);

  const target = resolve(localDir);
  const partial = await local(uri, target, async () => {
    await mkdir(dirname(target), { recursive: true });
    return mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  });
  const started = performance.now();
  try {
    await downloadAll(context, location, listed, partial, signal, onProgress);
    await ensureUnchanged(context, location, listed, signal);
    await local(uri, target, () => swapInto(partial, target));
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  const bytes = listed.reduce((sum, object) => sum + object.size, 0);
  context.logger.info(
    { uri, dir: target, files: listed.length, bytes, ms: Math.round(performance.now() - started) },
    `downloaded ${uri} to ${target}`,
  );
  return target;
}

/** Runs up to `concurrency` object downloads; the first failure stops the others. */
async function downloadAll(
  context: S3Context,
  location: S3Location,
  listed: readonly ListedObject[],
  dir: string,
  signal: AbortSignal | undefined,
  onProgress: ((progress: DownloadProgress) => void) | undefined,
): Promise<void> {
  const prefix = dirPrefix(location.key);
  const files: { object: ListedObject; file: string }[] = [];
  for (const object of listed) {
    const path = localPath(dir, object.key.slice(prefix.length), location.bucket, object.key);
    if (object.key.endsWith('/')) await mkdir(path, { recursive: true });
    else files.push({ object, file: path });
  }
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (let item = files[next++]; item !== undefined && !failure; item = files[next++]) {
      try {
        await mkdir(dirname(item.file), { recursive: true });
        await downloadObject(context, {
          bucket: location.bucket,
          object: item.object,
          file: item.file,
          signal: combined,
          onProgress,
        });
      } catch (error) {
        // The first error is the one to report; the others are this stop's echoes.
        failure ??= { error: signal?.aborted ? signal.reason : error };
        stop.abort();
      }
    }
  };
  // Every worker settles before the caller removes the directory they write into.
  await Promise.all(Array.from({ length: Math.min(context.concurrency, files.length) }, worker));
  if (failure) throw failure.error;
}

/** The local path of a key, refusing keys that would land outside the download directory. */
function localPath(dir: string, relative: string, bucket: string, key: string): string {
  const path = resolve(dir, relative);
  if (path !== dir && !path.startsWith(dir + sep))
    throw new ServingError(
      StatusCode.PATH_INVALID,
      `object key escapes the version directory: ${formatS3Uri(bucket, key)}`,
    );
  return path;
}

/**
 * Lists the version again and fails when an object was deleted, replaced or added since the
 * first listing: a file may have been streamed whole from a server that kept serving a deleted
 * object, or the version may still be uploading. The next poll downloads it again.
 */
async function ensureUnchanged(
  context: S3Context,
  location: S3Location,
  listed: readonly ListedObject[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const now = new Map(
    (await listObjectsUnder(context, location, signal)).map((object) => [object.key, object]),
  );
  const before = new Set(listed.map((object) => object.key));
  for (const object of listed) {
    const current = now.get(object.key);
    const where = formatS3Uri(location.bucket, object.key);
    if (current === undefined)
      throw new ServingError(
        StatusCode.PATH_INVALID,
        `object was deleted during download: ${where}`,
      );
    if (current.etag !== object.etag || current.size !== object.size)
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `object changed during download: ${where} (ETag ${object.etag} → ${current.etag})`,
      );
  }
  const added = [...now.keys()].find((key) => !before.has(key));
  if (added !== undefined)
    throw new ServingError(
      StatusCode.INTERNAL_ERROR,
      `object added during download: ${formatS3Uri(location.bucket, added)}`,
    );
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
