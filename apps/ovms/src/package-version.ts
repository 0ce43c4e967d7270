import { readFileSync } from 'node:fs';

let version: string | undefined;

/**
 * The version of `@ovms/server` from its package.json, which src/ and dist/ both sit beside:
 * what `--version`, KServe ServerMetadata and `GET /v2` report.
 */
export function packageVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  return version;
}
