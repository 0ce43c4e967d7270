export { createRestApp } from './app.js';
export type { RestApp, RestAppOptions } from './app.js';
export { startRestServer } from './server.js';
export type { RestServer, RestServerOptions } from './server.js';
