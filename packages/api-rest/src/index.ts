export { createRestApp } from './app.js';
export type { RestApp, RestAppOptions, RestMount, RestPage } from './app.js';
export { REST_TIMEOUT_DEFAULTS, startRestServer } from './server.js';
export type { RestServer, RestServerOptions, RestTimeouts } from './server.js';
export { OPEN_REST_PATHS } from './api-key-auth.js';
export { DEFAULT_CORS } from './cors.js';
export type { RestCorsOptions } from './cors.js';
export { STATUS_TO_HTTP } from './status-map.js';
