export { S3StorageBackend, createS3Backend, s3Fingerprint } from './s3-backend.js';
export { s3OptionsFromEnv } from './s3-options.js';
export type { S3BackendOptions, S3RetryOptions } from './s3-options.js';
export { parseS3Uri } from './s3-uri.js';
export type { S3Location } from './s3-uri.js';
export { removeLocalCopy } from './local-copy.js';
