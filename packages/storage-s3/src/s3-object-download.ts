import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { DownloadProgress } from '@ovms/core';
import { S3IntegrityError } from './s3-errors.js';
import { request, unquote } from './s3-context.js';
import type { ListedObject, S3Context } from './s3-context.js';
import { formatS3Uri } from './s3-uri.js';

/** Files larger than this report progress (log lines and `onProgress`)… */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;
/** …each time another tenth of them has arrived. */
const PROGRESS_STEPS = 10;

/** A plain MD5 ETag: single-part uploads without SSE-KMS/SSE-C. Multipart ETags end in `-N`. */
const MD5_ETAG = /^[0-9a-f]{32}$/;

export interface ObjectDownload {
  readonly bucket: string;
  readonly object: ListedObject;
  /** The local file to write (its directory exists). */
  readonly file: string;
  readonly signal: AbortSignal;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/**
 * Streams one object into `file` (never holding it whole in memory) and checks it: the bytes
 * received must equal the listed size, and their MD5 the ETag when the ETag is one. The GET is
 * conditional on the listed ETag, so an object replaced since the listing fails as "changed"
 * instead of mixing two uploads in one version. Transient faults, a corrupted transfer included,
 * retry from the start of the object.
 */
export async function downloadObject(context: S3Context, download: ObjectDownload): Promise<void> {
  const { bucket, object, file, signal } = download;
  const uri = formatS3Uri(bucket, object.key);
  await request(context, { uri, bucket, signal, downloading: true }, async () => {
    const response = await context.client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: object.key,
        ...(object.etag !== '' && { IfMatch: `"${object.etag}"` }),
      }),
      { abortSignal: signal },
    );
    const body = response.Body;
    if (!(body instanceof Readable)) throw new S3IntegrityError(`no response body for ${uri}`);
    if (response.ContentLength !== undefined && response.ContentLength !== object.size) {
      body.destroy();
      throw new S3IntegrityError(
        `expected ${object.size} bytes as listed; the response announces ${response.ContentLength}`,
      );
    }
    const etag = unquote(response.ETag ?? object.etag);
    // SSE-KMS and SSE-C objects have ETags that are not the MD5 of their bytes.
    const encrypted =
      response.SSECustomerAlgorithm !== undefined ||
      (response.ServerSideEncryption ?? '').startsWith('aws:kms');
    const md5 = MD5_ETAG.test(etag) && !encrypted ? createHash('md5') : undefined;
    const progress = progressReporter(context, uri, object.size, download.onProgress);

    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        md5?.update(chunk);
        progress(received);
        callback(null, chunk);
      },
    });
    await pipeline(body, meter, createWriteStream(file), { signal });

    if (received !== object.size)
      throw new S3IntegrityError(`received ${received} bytes; the listing says ${object.size}`);
    const digest = md5?.digest('hex');
    if (digest !== undefined && digest !== etag)
      throw new S3IntegrityError(`MD5 of the received bytes ${digest} does not match ETag ${etag}`);
  });
}

/** Reports every tenth of a large file once, to `onProgress` and as an info log line. */
function progressReporter(
  context: S3Context,
  uri: string,
  total: number,
  onProgress: ((progress: DownloadProgress) => void) | undefined,
): (done: number) => void {
  if (total <= PROGRESS_MIN_BYTES) return () => {};
  let reported = 0;
  return (done) => {
    const step = Math.floor((done * PROGRESS_STEPS) / total);
    if (step <= reported) return;
    reported = step;
    const percent = Math.round((step * 100) / PROGRESS_STEPS);
    onProgress?.({ file: uri, bytesDone: done, bytesTotal: total });
    context.logger.info(
      { file: uri, bytesDone: done, bytesTotal: total, percent },
      `downloading ${uri}: ${percent}% of ${total} bytes`,
    );
  };
}
