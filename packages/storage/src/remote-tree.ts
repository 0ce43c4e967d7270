import type { Readable } from 'node:stream';

/** An object of a version tree, as listed. */
export interface RemoteFile {
  /** Relative to the tree, `/`-separated; a directory marker ends with `/`. */
  readonly path: string;
  /** The full location, for messages. */
  readonly uri: string;
  readonly size: number;
  /** Changes whenever the object is rewritten: a GCS generation, an Azure ETag. */
  readonly revision: string;
}

/** A running checksum of the bytes received. */
export interface Hasher {
  update(chunk: Buffer): void;
  /** The checksum in the encoding the service reports it. */
  digest(): string;
}

/** A checksum the service published for an object, checked against the received bytes. */
export interface ExpectedDigest {
  readonly algorithm: string;
  readonly expected: string;
  /** Where the service publishes it, for messages ("ETag"). */
  readonly source?: string | undefined;
  create(): Hasher;
}

/** One attempt at reading an object. */
export interface OpenedFile {
  readonly stream: Readable;
  /** The length the response announces, when it does. */
  readonly contentLength?: number | undefined;
  readonly digest?: ExpectedDigest | undefined;
}

/**
 * A remote "directory" of objects, the seam between the provider SDKs and the download into a
 * local directory: listing, opening one object, and running a request under the backend's
 * retry policy with failures named after a location.
 */
export interface RemoteTree {
  readonly uri: string;
  /** Every object under the tree, recursively, across all pages, sorted by path. */
  listFiles(signal?: AbortSignal): Promise<RemoteFile[]>;
  /** Opens `file` as listed: a rewritten object fails as changed, a deleted one as missing. */
  open(file: RemoteFile, signal: AbortSignal): Promise<OpenedFile>;
  /** Runs `operation` under the retry policy, failures named after `uri`. */
  request<T>(
    uri: string,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
    downloading?: boolean,
  ): Promise<T>;
}
