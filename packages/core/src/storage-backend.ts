/** Progress of a download, reported for large files. */
export interface DownloadProgress {
  readonly file: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/**
 * A model repository store for one URI scheme (local paths, `s3://`, `gs://`, `az://`…).
 * Registered by the app in a StorageRegistry; lifecycle only sees this contract.
 */
export interface StorageBackend {
  /** URI schemes this backend serves, without `://` ("" for local paths). */
  readonly schemes: readonly string[];
  /** Names of the entries directly under `uri` (directories without a trailing slash). */
  list(uri: string, signal?: AbortSignal): Promise<string[]>;
  exists(uri: string, signal?: AbortSignal): Promise<boolean>;
  readText(uri: string, signal?: AbortSignal): Promise<string>;
  /**
   * A signature of the tree under `uri` (names, sizes and the store's revision of each file)
   * that changes when any file changes: the repository watcher reloads a version when it does.
   */
  fingerprint?(uri: string, signal?: AbortSignal): Promise<string>;
  /**
   * Makes the tree under `uri` available as a local directory and returns its path. Local
   * backends return the path in place; remote ones stream into `localDir`.
   */
  download(
    uri: string,
    localDir: string,
    options?: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void },
  ): Promise<string>;
}
