export { startServer, DEFAULT_DRAIN_MS } from './server.js';
export type { RunningServer, StartServerOptions } from './server.js';
export { createServerLogger } from './logger.js';
export type { ServerLogger, ServerLoggerOptions } from './logger.js';
export { readCommandLine, versionText } from './cli.js';
export type { CliOutcome, ReadCommandLineOptions } from './cli.js';
