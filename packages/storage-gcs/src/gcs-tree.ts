import { CRC32C } from '@google-cloud/storage';
import { listPage, request } from './gcs-context.js';
import type { GcsContext } from './gcs-context.js';
import { dirPrefix, formatGcsUri } from './gcs-uri.js';
import type { GcsLocation } from './gcs-uri.js';
import { md5Digest } from '@ovms/storage';
import type { ExpectedDigest, OpenedFile, RemoteFile, RemoteTree } from '@ovms/storage';

interface Listed {
  readonly file: RemoteFile;
  readonly name: string;
  readonly generation: string;
  readonly digest: ExpectedDigest | undefined;
}

/**
 * The objects under a version prefix as a RemoteTree. Each object is read at the generation
 * the listing saw, so an object rewritten since fails as missing (that generation is gone)
 * instead of mixing two uploads in one version.
 */
export class GcsTree implements RemoteTree {
  readonly uri: string;
  readonly #context: GcsContext;
  readonly #location: GcsLocation;
  readonly #listed = new Map<string, Listed>();

  constructor(context: GcsContext, location: GcsLocation) {
    this.#context = context;
    this.#location = location;
    this.uri = formatGcsUri(location.bucket, location.key);
  }

  async listFiles(signal?: AbortSignal): Promise<RemoteFile[]> {
    const { bucket } = this.#location;
    const prefix = dirPrefix(this.#location.key);
    const found: RemoteFile[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listPage(this.#context, this.#location, { prefix, pageToken }, signal);
      for (const object of page.files) {
        const metadata = object.metadata;
        const generation = String(metadata.generation ?? '');
        const file: RemoteFile = {
          path: object.name.slice(prefix.length),
          uri: formatGcsUri(bucket, object.name),
          size: Number(metadata.size ?? 0),
          revision: generation,
        };
        if (file.path === '') continue;
        found.push(file);
        const digest = expectedDigest(metadata.md5Hash, metadata.crc32c);
        this.#listed.set(file.path, { file, name: object.name, generation, digest });
      }
      pageToken = page.pageToken;
    } while (pageToken !== undefined);
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  open(file: RemoteFile, signal: AbortSignal): Promise<OpenedFile> {
    signal.throwIfAborted();
    const listed = this.#listed.get(file.path);
    const name = listed?.name ?? `${dirPrefix(this.#location.key)}${file.path}`;
    const generation = listed?.generation;
    const object = this.#context.storage
      .bucket(this.#location.bucket)
      .file(name, generation ? { generation } : {});
    // Checked here, once, over the bytes as written: the SDK's own validation is off.
    const stream = object.createReadStream({ validation: false });
    return Promise.resolve({ stream, digest: listed?.digest });
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

/** MD5 when GCS gives one (composite objects have none), else CRC32C; both base64. */
function expectedDigest(md5: unknown, crc32c: unknown): ExpectedDigest | undefined {
  if (typeof md5 === 'string' && md5 !== '') return md5Digest(md5);
  if (typeof crc32c === 'string' && crc32c !== '')
    return {
      algorithm: 'CRC32C',
      expected: crc32c,
      create: () => {
        const crc = new CRC32C();
        return { update: (chunk) => crc.update(chunk), digest: () => crc.toString() };
      },
    };
  return undefined;
}
