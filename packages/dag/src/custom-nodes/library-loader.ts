import { extname } from 'node:path';
import type { CustomNodeLibraryDefinition } from '../definition.js';
import type { CustomNodeLibrary } from './contract.js';
import { MODULE_EXTENSIONS, loadModuleNode } from './js-library.js';
import type { ModuleImporter } from './js-library.js';
import { loadNativeNode } from './native-library.js';

/**
 * Loads one library by its base_path: JavaScript/TypeScript modules by dynamic import, any
 * other file (`.so`, `.dylib`, `.dll`) as an OVMS C custom node library through koffi.
 */
export async function loadCustomNodeLibrary(
  definition: CustomNodeLibraryDefinition,
  importer?: ModuleImporter,
): Promise<CustomNodeLibrary> {
  const { name, basePath } = definition;
  if (MODULE_EXTENSIONS.has(extname(basePath))) {
    const node = await loadModuleNode(basePath, importer);
    // The module system keeps modules for the process's life; nothing to release.
    return { name, basePath, node, close: () => undefined };
  }
  const native = loadNativeNode(basePath);
  return { name, basePath, node: native.node, close: () => native.close() };
}
