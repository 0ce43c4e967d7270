export { createOpenvinoEngine } from './engine.js';
export type { OpenvinoEngineOptions } from './engine.js';
export { locateOpenvinoLibDir } from './locate.js';
export type { LocateOpenvinoOptions, OpenvinoLocation } from './locate.js';
