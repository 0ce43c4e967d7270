import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import { ConfigError, toConfigIssues } from './config-error.js';
import { describeJsonError } from './json-error.js';
import { configFileSchema, toServerConfig } from './config-schema.js';
import { checkConfigSemantics } from './config-semantics.js';
import type { ServerConfig } from './server-config.js';

export interface ParseConfigOptions {
  /** Path of the config file; relative base_paths resolve against its directory (OVMS). */
  readonly configPath: string;
}

export interface ConfigFile {
  readonly config: ServerConfig;
  /** sha256 (hex) of the file's bytes: the lifecycle reloads when it changes. */
  readonly hash: string;
  /** The file actually read (`<dir>/config.json` when given a directory, as OVMS). */
  readonly path: string;
}

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Resolves a `base_path` as OVMS does: URIs (`s3://`, `gs://`, `az://`, `azfs://`, and any other
 * scheme, left for the storage registry to accept or refuse) stay as written; local paths are
 * made absolute against `baseDir`.
 */
export function resolveBasePath(basePath: string, baseDir: string): string {
  return URI_SCHEME.test(basePath) ? basePath : resolve(baseDir, basePath);
}

/**
 * Parses and validates config.json text in two phases: shape (zod, strict, every issue with its
 * JSON path) then meaning (unique names). Throws ServingError JSON_INVALID for text that is not
 * JSON (`The file is not valid json - <reason> at line L, column C`) and ConfigError
 * (JSON_INVALID) listing every issue otherwise.
 */
export function parseConfigText(text: string, options: ParseConfigOptions): ServerConfig {
  const json = parseJson(text);
  const result = configFileSchema.safeParse(json, { reportInput: true });
  if (!result.success) throw new ConfigError(toConfigIssues(result.error.issues));
  const configDir = dirname(resolve(options.configPath));
  const config = toServerConfig(
    result.data,
    (path) => resolveBasePath(path, configDir),
    (path) => resolve(configDir, path),
  );
  const issues = checkConfigSemantics(config);
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/**
 * Reads and parses a config file (a directory means `<dir>/config.json`, as OVMS's
 * `--config_path`). Unreadable files are CONFIG_FILE_INVALID naming the path.
 */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let file = resolve(path);
  let bytes: Buffer;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'config.json');
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ServingError(StatusCode.CONFIG_FILE_INVALID, `cannot read ${file}: ${reason}`, {
      cause: error,
    });
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  const config = parseConfigText(bytes.toString('utf8'), { configPath: file });
  return { config, hash, path: file };
}

function parseJson(text: string): unknown {
  // A UTF-8 BOM is an editor artefact, not content.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new ServingError(StatusCode.JSON_INVALID, describeJsonError(body), {
      cause: error,
    });
  }
}
