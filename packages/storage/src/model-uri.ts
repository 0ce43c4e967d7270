/** A model repository location split into its scheme ("" for local paths) and the rest. */
export interface ModelUri {
  readonly scheme: string;
  /** Everything after `scheme://`; the path itself for local locations. */
  readonly path: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;

/**
 * Splits `s3://bucket/models/m` into `{ scheme: 's3', path: 'bucket/models/m' }`; anything
 * without `<scheme>://` is a local path (scheme ""), as OVMS picks its filesystem by URL prefix.
 * Schemes are lower-cased: `S3://` and `s3://` reach the same backend.
 */
export function parseModelUri(uri: string): ModelUri {
  const match = SCHEME.exec(uri);
  if (!match) return { scheme: '', path: uri };
  return { scheme: (match[1] ?? '').toLowerCase(), path: match[2] ?? '' };
}

/** Joins a child name onto a location with one `/`, for local paths and URIs alike. */
export function joinUri(uri: string, name: string): string {
  return `${uri.replace(/\/+$/, '')}/${name}`;
}
