export { createRestApp } from './app.js';
export type { RestApp, RestAppOptions } from './app.js';
export { startRestServer } from './server.js';
export type { RestServer, RestServerOptions } from './server.js';
export { STATUS_TO_HTTP } from './status-map.js';
