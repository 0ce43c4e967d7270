export { StorageRegistry } from './storage-registry.js';
export { joinUri, parseModelUri } from './model-uri.js';
export type { ModelUri } from './model-uri.js';
export { LocalStorageBackend, createLocalBackend } from './local-backend.js';
export { listVersions, parseVersionDirName } from './version-dirs.js';
export type { VersionDir } from './version-dirs.js';
export { fingerprint } from './fingerprint.js';
export { SINGLE_FILE_MODEL_EXTENSIONS, detectSingleFileModel } from './single-file-model.js';
export type { SingleFileModel } from './single-file-model.js';
export {
  IntegrityError,
  NETWORK_CODES,
  failureError,
  isRetryable,
  networkCode,
} from './storage-failure.js';
export type { Failure, FailureContext, FailureKind } from './storage-failure.js';
export { DEFAULT_RETRY, abortable, withRetry } from './retry.js';
export type { RetryContext, RetryOptions } from './retry.js';
export type { ExpectedDigest, Hasher, OpenedFile, RemoteFile, RemoteTree } from './remote-tree.js';
export { md5Digest } from './md5-digest.js';
export type { Md5DigestOptions } from './md5-digest.js';
export { PROGRESS_MIN_BYTES, downloadFile } from './file-download.js';
export type { FileDownload } from './file-download.js';
export { downloadTree } from './tree-download.js';
export type { TreeDownloadOptions } from './tree-download.js';
export { fingerprintTree, listTreeFiles } from './tree-fingerprint.js';
export { RemoteTreeBackend } from './tree-backend.js';
export { createLazyBackend } from './lazy-backend.js';
export { removeLocalCopy } from './local-copy.js';
export { createStorageRepository } from './storage-repository.js';
export type { StorageRepository, StorageRepositoryOptions } from './storage-repository.js';
