import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { IntegrityError, md5Digest } from '@ovms/storage';
import type { OpenedFile, RemoteFile, RemoteTree } from '@ovms/storage';
import { request, unquote } from './s3-context.js';
import type { S3Context } from './s3-context.js';
import { dirPrefix, formatS3Uri } from './s3-uri.js';
import type { S3Location } from './s3-uri.js';

/** A plain MD5 ETag: single-part uploads without SSE-KMS/SSE-C. Multipart ETags end in `-N`. */
const MD5_ETAG = /^[0-9a-f]{32}$/;

/**
 * The objects under a version prefix as a RemoteTree (revision = ETag). Each GET is
 * conditional on the listed ETag, so an object replaced since the listing fails as "changed"
 * instead of mixing two uploads in one version.
 */
export class S3Tree implements RemoteTree {
  readonly uri: string;
  readonly #context: S3Context;
  readonly #location: S3Location;

  constructor(context: S3Context, location: S3Location) {
    this.#context = context;
    this.#location = location;
    this.uri = formatS3Uri(location.bucket, location.key);
  }

  async listFiles(signal?: AbortSignal): Promise<RemoteFile[]> {
    const { bucket } = this.#location;
    const prefix = dirPrefix(this.#location.key);
    const found: RemoteFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.request(this.uri, signal, () =>
        this.#context.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token !== undefined && { ContinuationToken: token }),
          }),
          signal ? { abortSignal: signal } : {},
        ),
      );
      for (const object of page.Contents ?? []) {
        const path = (object.Key ?? '').slice(prefix.length);
        // The version's own marker object ("prefix/") is not a file of it.
        if (object.Key === undefined || path === '') continue;
        const revision = unquote(object.ETag ?? '');
        const uri = formatS3Uri(bucket, object.Key);
        found.push({ path, uri, size: object.Size ?? 0, revision });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async open(file: RemoteFile, signal: AbortSignal): Promise<OpenedFile> {
    const response = await this.#context.client.send(
      new GetObjectCommand({
        Bucket: this.#location.bucket,
        Key: `${dirPrefix(this.#location.key)}${file.path}`,
        ...(file.revision !== '' && { IfMatch: `"${file.revision}"` }),
      }),
      { abortSignal: signal },
    );
    const body = response.Body;
    if (!(body instanceof Readable)) throw new IntegrityError(`no response body for ${file.uri}`);
    const etag = unquote(response.ETag ?? file.revision);
    // SSE-KMS and SSE-C objects have ETags that are not the MD5 of their bytes.
    const encrypted =
      response.SSECustomerAlgorithm !== undefined ||
      (response.ServerSideEncryption ?? '').startsWith('aws:kms');
    const checked = MD5_ETAG.test(etag) && !encrypted;
    return {
      stream: body,
      contentLength: response.ContentLength,
      digest: checked ? md5Digest(etag, { encoding: 'hex', source: 'ETag' }) : undefined,
    };
  }

  request<T>(
    uri: string,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
    downloading?: boolean,
  ): Promise<T> {
    const scope = { uri, bucket: this.#location.bucket, signal, downloading: downloading ?? false };
    return request(this.#context, scope, operation);
  }
}
