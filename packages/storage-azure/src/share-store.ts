import type { Readable } from 'node:stream';
import type { ShareClient, ShareDirectoryClient } from '@azure/storage-file-share';
import { ServingError, StatusCode } from '@ovms/core';
import { md5Digest } from '@ovms/storage';
import type { OpenedFile, RemoteFile, RemoteTree } from '@ovms/storage';
import { request } from './azure-context.js';
import type { AzureContext } from './azure-context.js';
import { ObjectChangedError, classifyAzureError } from './azure-errors.js';
import { CONTENT_MD5, byPath, nextPage } from './azure-store.js';
import type { AzureStore } from './azure-store.js';
import { dirPrefix, formatAzureUri } from './azure-uri.js';
import type { AzureLocation } from './azure-uri.js';

interface Entries {
  readonly directories: string[];
  readonly files: { name: string; size: number; etag: string }[];
}

/**
 * `azfs://share/path` on Azure Files: real directories, listed one level at a time. Every page
 * of a listing is one retried request.
 */
export class ShareStore implements AzureStore {
  readonly #context: AzureContext;

  constructor(context: AzureContext) {
    this.#context = context;
  }

  async list(location: AzureLocation, signal?: AbortSignal): Promise<string[]> {
    const { directories, files } = await listDirectory(
      this.#context,
      location,
      location.path,
      signal,
    );
    return [...directories, ...files.map((file) => file.name)].sort();
  }

  async exists(location: AzureLocation, signal?: AbortSignal): Promise<boolean> {
    const share = this.#share(location);
    const options = signal ? { abortSignal: signal } : {};
    const path = location.path.replace(/\/+$/, '');
    if (path === '')
      return request(this.#context, { location, signal }, () => share.exists(options));
    if (!location.path.endsWith('/')) {
      const file = share.rootDirectoryClient.getFileClient(path);
      if (await request(this.#context, { location, signal }, () => file.exists(options)))
        return true;
    }
    const directory = share.getDirectoryClient(path);
    return request(this.#context, { location, signal }, () => directory.exists(options));
  }

  async readText(location: AzureLocation, signal?: AbortSignal): Promise<string> {
    if (location.path === '' || location.path.endsWith('/'))
      throw new ServingError(StatusCode.PATH_INVALID, `not a file: ${formatAzureUri(location)}`);
    const file = this.#share(location).rootDirectoryClient.getFileClient(location.path);
    const bytes = await request(this.#context, { location, signal }, () =>
      file.downloadToBuffer(0, undefined, signal ? { abortSignal: signal } : {}),
    );
    return bytes.toString('utf8');
  }

  tree(location: AzureLocation): RemoteTree {
    return new ShareTree(this.#context, location, this.#share(location));
  }

  #share(location: AzureLocation): ShareClient {
    return this.#context.share().getShareClient(location.container);
  }
}

/** One directory's entries, across all pages; a missing directory is PATH_INVALID. */
async function listDirectory(
  context: AzureContext,
  location: AzureLocation,
  path: string,
  signal: AbortSignal | undefined,
): Promise<Entries> {
  const trimmed = path.replace(/\/+$/, '');
  const share = context.share().getShareClient(location.container);
  const directory: ShareDirectoryClient =
    trimmed === '' ? share.rootDirectoryClient : share.getDirectoryClient(trimmed);
  const entries: Entries = { directories: [], files: [] };
  const uri = formatAzureUri(location, trimmed);
  let token: string | undefined;
  do {
    const page = await request(context, { location, uri, signal }, async () => {
      const pages = directory
        .listFilesAndDirectories({ includeEtag: true, ...(signal && { abortSignal: signal }) })
        .byPage({
          maxPageSize: context.pageSize,
          ...(token !== undefined && { continuationToken: token }),
        });
      return nextPage(pages);
    });
    for (const item of page?.segment.directoryItems ?? []) entries.directories.push(item.name);
    for (const item of page?.segment.fileItems ?? [])
      entries.files.push({
        name: item.name,
        size: item.properties.contentLength,
        etag: item.properties.etag ?? String(item.properties.lastModified?.getTime() ?? ''),
      });
    token = page?.continuationToken || undefined;
  } while (token !== undefined);
  return entries;
}

/**
 * The files under a version directory, walked level by level. Azure Files has no conditional
 * GET, so a file whose ETag differs from the listing fails as changed once its response
 * arrives, before any byte is written.
 */
class ShareTree implements RemoteTree {
  readonly uri: string;
  readonly #context: AzureContext;
  readonly #location: AzureLocation;
  readonly #share: ShareClient;

  constructor(context: AzureContext, location: AzureLocation, share: ShareClient) {
    this.#context = context;
    this.#location = location;
    this.#share = share;
    this.uri = formatAzureUri(location);
  }

  async listFiles(signal?: AbortSignal): Promise<RemoteFile[]> {
    const root = this.#location.path.replace(/\/+$/, '');
    const found: RemoteFile[] = [];
    const pending = [''];
    for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
      const path = dirPrefix(root) + relative;
      let entries: Entries;
      try {
        entries = await listDirectory(this.#context, this.#location, path, signal);
      } catch (error) {
        // A version directory that is gone has no files; the caller reports that.
        if (relative === '' && isMissingObject(error)) return [];
        throw error;
      }
      const prefix = relative === '' ? '' : `${relative}/`;
      for (const name of entries.directories) pending.push(prefix + name);
      for (const file of entries.files)
        found.push({
          path: prefix + file.name,
          uri: formatAzureUri(this.#location, dirPrefix(root) + prefix + file.name),
          size: file.size,
          revision: file.etag,
        });
    }
    return found.sort(byPath);
  }

  async open(file: RemoteFile, signal: AbortSignal): Promise<OpenedFile> {
    const name = dirPrefix(this.#location.path) + file.path;
    const client = this.#share.rootDirectoryClient.getFileClient(name);
    const response = await client.download(0, undefined, {
      abortSignal: signal,
      maxRetryRequests: 0,
    });
    const stream = response.readableStreamBody as Readable | undefined;
    if (stream === undefined) throw new Error(`no response body for ${file.uri}`);
    if (
      response.etag !== undefined &&
      file.revision.startsWith('"') &&
      response.etag !== file.revision
    ) {
      stream.destroy();
      throw new ObjectChangedError(`ETag ${file.revision} → ${response.etag}`);
    }
    const md5 = response.contentMD5;
    const digest =
      md5 !== undefined && md5.length > 0
        ? md5Digest(Buffer.from(md5).toString('base64'), CONTENT_MD5)
        : undefined;
    return { stream, contentLength: response.contentLength, digest };
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

function isMissingObject(error: unknown): boolean {
  const cause = error instanceof ServingError ? error.cause : error;
  return classifyAzureError(cause).kind === 'missing-object';
}
