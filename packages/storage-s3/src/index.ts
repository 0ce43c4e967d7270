export { createS3Backend } from './s3-backend.js';
export { s3OptionsFromEnv } from './s3-options.js';
export type { S3BackendOptions } from './s3-options.js';
