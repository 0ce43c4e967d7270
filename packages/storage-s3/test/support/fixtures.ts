import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ServingError } from '@ovms/core';
import type { StatusCode } from '@ovms/core';
import { expect } from 'vitest';

export const BUCKET = 'models';
/** Above the 8 MiB progress threshold; uploaded in two parts, so its ETag is `…-2`. */
export const BIG_SIZE = 9 * 1024 * 1024 + 123;
const PART_SIZE = 5 * 1024 * 1024;

/** The repository the tests upload: `add` with versions 1 and 2, noise beside them. */
export interface Fixture {
  /** Every uploaded file of `add`, by key. */
  readonly files: ReadonlyMap<string, Buffer>;
}

export async function put(admin: S3Client, key: string, body: Buffer | string): Promise<void> {
  await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** Uploads `body` as a two-part multipart upload (S3's way for large model files). */
export async function putMultipart(admin: S3Client, key: string, body: Buffer): Promise<void> {
  const { UploadId } = await admin.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }),
  );
  const parts = [];
  for (let start = 0, part = 1; start < body.length; start += PART_SIZE, part += 1) {
    const { ETag } = await admin.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        PartNumber: part,
        Body: body.subarray(start, start + PART_SIZE),
      }),
    );
    parts.push({ ETag, PartNumber: part });
  }
  await admin.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

export async function uploadFixture(admin: S3Client): Promise<Fixture> {
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const files = new Map<string, Buffer>([
    ['add/1/model.onnx', randomBytes(1500)],
    ['add/1/sub/labels.txt', Buffer.from('zero\none\n')],
    ['add/2/model.onnx', randomBytes(2048)],
    ['add/2/big/weights.bin', randomBytes(BIG_SIZE)],
    ['add/notaversion/readme.txt', Buffer.from('not a version')],
    // A file named like a version: listVersions must ignore it.
    ['add/3', Buffer.from('a file, not a directory')],
  ]);
  for (const [key, body] of files) {
    if (body.length > PART_SIZE) await putMultipart(admin, key, body);
    else await put(admin, key, body);
  }
  await put(admin, 'config.json', JSON.stringify({ model_config_list: [] }));
  return { files };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Awaits a rejection and checks it is a ServingError with `code` and a message containing/matching `message`. */
export async function expectServingError(
  promise: Promise<unknown>,
  code: StatusCode,
  message: string | RegExp,
): Promise<ServingError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ServingError);
  const serving = error as ServingError;
  expect(serving.code).toBe(code);
  if (typeof message === 'string') expect(serving.message).toContain(message);
  else expect(serving.message).toMatch(message);
  return serving;
}
