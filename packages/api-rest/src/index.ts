export { createRestApp } from './app.js';
export type { RestApp, RestAppOptions } from './app.js';
export { REST_TIMEOUT_DEFAULTS, startRestServer } from './server.js';
export type { RestServer, RestServerOptions, RestTimeouts } from './server.js';
