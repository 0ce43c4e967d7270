export { createOpenvinoEngine } from './engine.js';
export type { OpenvinoEngineOptions } from './engine.js';
export type { PlacementLimits } from './infer-placement.js';
export { locateOpenvinoLibDir } from './locate.js';
export type { LocateOpenvinoOptions, OpenvinoLocation } from './locate.js';
export { createMissingOpenvinoEngine } from './missing-runtime-engine.js';
