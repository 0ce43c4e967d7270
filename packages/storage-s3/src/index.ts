export { S3StorageBackend, createS3Backend } from './s3-backend.js';
export { s3OptionsFromEnv } from './s3-options.js';
export type { S3BackendOptions } from './s3-options.js';
export { parseS3Uri } from './s3-uri.js';
export type { S3Location } from './s3-uri.js';
