import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DownloadProgress, Logger } from '@ovms/core';
import type { ExpectedDigest, RemoteFile, RemoteTree } from './remote-tree.js';
import { IntegrityError } from './storage-failure.js';

/** Files larger than this report progress (log lines and `onProgress`)… */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;
/** …each time another tenth of them has arrived. */
const PROGRESS_STEPS = 10;

export interface FileDownload {
  readonly tree: RemoteTree;
  readonly file: RemoteFile;
  /** The local file to write (its directory exists). */
  readonly target: string;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/**
 * Streams one object into `target` (never holding it whole in memory) and checks it: the
 * bytes received must equal the listed size, and their checksum the one the service published
 * when it published one. Transient faults, a corrupted transfer included, retry from the
 * start of the object.
 */
export async function downloadFile(download: FileDownload): Promise<void> {
  const { tree, file, target, signal } = download;
  await tree.request(
    file.uri,
    signal,
    async () => {
      const opened = await tree.open(file, signal);
      if (opened.contentLength !== undefined && opened.contentLength !== file.size) {
        opened.stream.destroy();
        throw new IntegrityError(
          `expected ${file.size} bytes as listed; the response announces ${opened.contentLength}`,
        );
      }
      const hasher = opened.digest?.create();
      const progress = progressReporter(download);
      let received = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          hasher?.update(chunk);
          progress(received);
          callback(null, chunk);
        },
      });
      await pipeline(opened.stream, meter, createWriteStream(target), { signal });

      if (received !== file.size)
        throw new IntegrityError(`received ${received} bytes; the listing says ${file.size}`);
      const digest = hasher?.digest();
      if (opened.digest && digest !== opened.digest.expected)
        throw new IntegrityError(
          `${opened.digest.algorithm} of the received bytes ${digest} does not match ${expected(opened.digest)}`,
        );
    },
    true,
  );
}

function expected(digest: ExpectedDigest): string {
  return digest.source === undefined ? digest.expected : `${digest.source} ${digest.expected}`;
}

/** Reports every tenth of a large file once, to `onProgress` and as an info log line. */
function progressReporter(download: FileDownload): (done: number) => void {
  const { file, logger, onProgress } = download;
  const total = file.size;
  if (total <= PROGRESS_MIN_BYTES) return () => {};
  let reported = 0;
  return (done) => {
    const step = Math.floor((done * PROGRESS_STEPS) / total);
    if (step <= reported) return;
    reported = step;
    const percent = Math.round((step * 100) / PROGRESS_STEPS);
    onProgress?.({ file: file.uri, bytesDone: done, bytesTotal: total });
    logger.info(
      { file: file.uri, bytesDone: done, bytesTotal: total, percent },
      `downloading ${file.uri}: ${percent}% of ${total} bytes`,
    );
  };
}
