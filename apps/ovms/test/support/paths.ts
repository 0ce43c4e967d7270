import { fileURLToPath } from 'node:url';

/** The repository root: protos/, scripts/ and .cache/ live there. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const PROTOS_DIR = fileURLToPath(new URL('../../../../protos', import.meta.url));
export const MAIN_TS = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
export const PYTHON_DIR = fileURLToPath(new URL('../python', import.meta.url));
