import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipelineError } from '../pipeline-status.js';
import type { CustomNode } from './contract.js';

/** Loads a module by URL; the default is the runtime's dynamic import. */
export type ModuleImporter = (url: string) => Promise<unknown>;

export const defaultImporter: ModuleImporter = (url) => import(url);

/** File extensions loaded as JavaScript/TypeScript modules; anything else goes to the C loader. */
export const MODULE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.js',
  '.mjs',
  '.cjs',
  '.ts',
  '.mts',
]);

const REQUIRED = ['execute', 'getInputsInfo', 'getOutputsInfo'] as const;
const OPTIONAL = ['initialize', 'deinitialize'] as const;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Imports a custom node module and checks it implements the contract: a default export
 * object with the functions, or the functions as named exports.
 */
export async function loadModuleNode(
  basePath: string,
  importer: ModuleImporter = defaultImporter,
): Promise<CustomNode> {
  let module: unknown;
  try {
    module = await importer(pathToFileURL(basePath).href);
  } catch (error) {
    const extension = extname(basePath);
    const hint =
      (extension === '.ts' || extension === '.mts') &&
      isObject(error) &&
      error['code'] === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (a TypeScript library needs a TypeScript loader such as tsx; or compile it to .js)'
        : '';
    throw pipelineError(
      'NODE_LIBRARY_LOAD_FAILED_OPEN',
      `${basePath}: ${messageOf(error)}${hint}`,
      { cause: error },
    );
  }
  const exported = isObject(module) && isObject(module['default']) ? module['default'] : module;
  if (!isObject(exported)) {
    throw pipelineError('NODE_LIBRARY_LOAD_FAILED_SYM', `${basePath}: exports nothing`);
  }
  for (const name of REQUIRED) {
    if (typeof exported[name] !== 'function') {
      throw pipelineError('NODE_LIBRARY_LOAD_FAILED_SYM', `${basePath}: missing function ${name}`);
    }
  }
  for (const name of OPTIONAL) {
    if (exported[name] !== undefined && typeof exported[name] !== 'function') {
      throw pipelineError('NODE_LIBRARY_LOAD_FAILED_SYM', `${basePath}: ${name} is not a function`);
    }
  }
  return exported as unknown as CustomNode;
}
