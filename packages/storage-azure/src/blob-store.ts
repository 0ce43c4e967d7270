import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { ServingError, StatusCode } from '@ovms/core';
import { md5Digest } from '@ovms/storage';
import type { OpenedFile, RemoteFile, RemoteTree } from '@ovms/storage';
import { request } from './azure-context.js';
import { ObjectMissingError } from './azure-errors.js';
import type { AzureContext } from './azure-context.js';
import { CONTENT_MD5, byPath, nextPage } from './azure-store.js';
import type { AzureStore } from './azure-store.js';
import { dirPrefix, formatAzureUri } from './azure-uri.js';
import type { AzureLocation } from './azure-uri.js';

/**
 * `az://container/path` on Azure Blob storage: "directories" are name prefixes, as in OVMS's
 * AzureStorageAdapter for blobs. Every page of a listing is one retried request.
 */
export class BlobStore implements AzureStore {
  readonly #context: AzureContext;

  constructor(context: AzureContext) {
    this.#context = context;
  }

  async list(location: AzureLocation, signal?: AbortSignal): Promise<string[]> {
    const prefix = dirPrefix(location.path);
    const names = new Set<string>();
    let anything = false;
    let token: string | undefined;
    do {
      const page = await request(this.#context, { location, signal }, async () => {
        const pages = this.#container(location)
          .listBlobsByHierarchy('/', { prefix, ...(signal && { abortSignal: signal }) })
          .byPage({
            maxPageSize: this.#context.pageSize,
            ...(token !== undefined && { continuationToken: token }),
          });
        return nextPage(pages);
      });
      for (const sub of page?.segment.blobPrefixes ?? []) {
        anything = true;
        const name = sub.name.slice(prefix.length).replace(/\/$/, '');
        if (name !== '') names.add(name);
      }
      for (const blob of page?.segment.blobItems ?? []) {
        anything = true;
        // The directory's own marker blob ("prefix/") is not an entry of it.
        const name = blob.name.slice(prefix.length);
        if (name !== '') names.add(name);
      }
      token = page?.continuationToken || undefined;
    } while (token !== undefined);
    if (!anything && location.path !== '')
      throw new ServingError(
        StatusCode.PATH_INVALID,
        `path does not exist: ${formatAzureUri(location)}`,
      );
    return [...names].sort();
  }

  async exists(location: AzureLocation, signal?: AbortSignal): Promise<boolean> {
    const container = this.#container(location);
    const options = signal ? { abortSignal: signal } : {};
    if (location.path === '')
      return request(this.#context, { location, signal }, () => container.exists(options));
    if (!location.path.endsWith('/')) {
      const blob = container.getBlobClient(location.path);
      if (await request(this.#context, { location, signal }, () => blob.exists(options)))
        return true;
    }
    const prefix = dirPrefix(location.path);
    const page = await request(this.#context, { location, signal }, async () => {
      try {
        const pages = container.listBlobsFlat({ prefix, ...options }).byPage({ maxPageSize: 1 });
        return await nextPage(pages);
      } catch (error) {
        // A missing container holds nothing, as a missing local parent directory does.
        if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
        throw error;
      }
    });
    return (page?.segment.blobItems.length ?? 0) > 0;
  }

  async readText(location: AzureLocation, signal?: AbortSignal): Promise<string> {
    if (location.path === '' || location.path.endsWith('/'))
      throw new ServingError(StatusCode.PATH_INVALID, `not a blob: ${formatAzureUri(location)}`);
    const blob = this.#container(location).getBlobClient(location.path);
    const bytes = await request(this.#context, { location, signal }, () =>
      blob.downloadToBuffer(0, undefined, signal ? { abortSignal: signal } : {}),
    );
    return bytes.toString('utf8');
  }

  tree(location: AzureLocation): RemoteTree {
    return new BlobTree(this.#context, location, this.#container(location));
  }

  #container(location: AzureLocation): ContainerClient {
    return this.#context.blob().getContainerClient(location.container);
  }
}

/**
 * The blobs under a version prefix. Each is read on the condition that its ETag is still the
 * listed one, so a blob rewritten since fails as changed instead of mixing two uploads.
 */
class BlobTree implements RemoteTree {
  readonly uri: string;
  readonly #context: AzureContext;
  readonly #location: AzureLocation;
  readonly #container: ContainerClient;
  readonly #md5 = new Map<string, string>();

  constructor(context: AzureContext, location: AzureLocation, container: ContainerClient) {
    this.#context = context;
    this.#location = location;
    this.#container = container;
    this.uri = formatAzureUri(location);
  }

  async listFiles(signal?: AbortSignal): Promise<RemoteFile[]> {
    const prefix = dirPrefix(this.#location.path);
    const found: RemoteFile[] = [];
    let token: string | undefined;
    do {
      const page = await request(this.#context, { location: this.#location, signal }, async () => {
        const pages = this.#container
          .listBlobsFlat({ prefix, ...(signal && { abortSignal: signal }) })
          .byPage({
            maxPageSize: this.#context.pageSize,
            ...(token !== undefined && { continuationToken: token }),
          });
        return nextPage(pages);
      });
      for (const blob of page?.segment.blobItems ?? []) {
        const path = blob.name.slice(prefix.length);
        if (path === '') continue;
        const md5 = blob.properties.contentMD5;
        if (md5 !== undefined && md5.length > 0)
          this.#md5.set(path, Buffer.from(md5).toString('base64'));
        found.push({
          path,
          uri: formatAzureUri(this.#location, blob.name),
          size: blob.properties.contentLength ?? 0,
          revision: blob.properties.etag,
        });
      }
      token = page?.continuationToken || undefined;
    } while (token !== undefined);
    return found.sort(byPath);
  }

  async open(file: RemoteFile, signal: AbortSignal): Promise<OpenedFile> {
    const blob = this.#container.getBlobClient(`${dirPrefix(this.#location.path)}${file.path}`);
    let response;
    try {
      response = await blob.download(0, undefined, {
        abortSignal: signal,
        conditions: { ifMatch: file.revision },
        // A broken stream restarts the whole object under our retries, checks included.
        maxRetryRequests: 0,
      });
    } catch (error) {
      // If-Match on a deleted blob fails the condition: tell deleted from rewritten.
      if (
        (error as { statusCode?: unknown }).statusCode === 412 &&
        !(await blob.exists({ abortSignal: signal }))
      )
        throw new ObjectMissingError('deleted since the version was listed', { cause: error });
      throw error;
    }
    const stream = response.readableStreamBody as Readable | undefined;
    if (stream === undefined) throw new Error(`no response body for ${file.uri}`);
    const expected = this.#md5.get(file.path);
    return {
      stream,
      contentLength: response.contentLength,
      digest: expected ? md5Digest(expected, CONTENT_MD5) : undefined,
    };
  }

  request<T>(
    uri: string,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
    downloading?: boolean,
  ): Promise<T> {
    return request(
      this.#context,
      { location: this.#location, uri, signal, downloading: downloading ?? false },
      operation,
    );
  }
}
