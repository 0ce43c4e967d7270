export { StorageRegistry } from './storage-registry.js';
export { joinUri, parseModelUri } from './model-uri.js';
export type { ModelUri } from './model-uri.js';
export { LocalStorageBackend, createLocalBackend } from './local-backend.js';
export { listVersions, parseVersionDirName } from './version-dirs.js';
export type { VersionDir } from './version-dirs.js';
export { fingerprint } from './fingerprint.js';
export { SINGLE_FILE_MODEL_EXTENSIONS, detectSingleFileModel } from './single-file-model.js';
export type { SingleFileModel } from './single-file-model.js';
