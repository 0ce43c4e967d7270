import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { Logger } from '@ovms/core';
import type { LogLevel } from '@ovms/config';

/** OVMS `--log_level` names → pino levels (OVMS says WARNING where pino says warn). */
const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, pino.Level>;

export interface ServerLoggerOptions {
  readonly level: LogLevel;
  /** `--log_path`: append to this file instead of writing to stdout. */
  readonly path?: string;
}

/** The server's logger and a way to flush it before the process exits. */
export interface ServerLogger {
  readonly logger: Logger;
  /** Writes out whatever is buffered; call before `process.exit`. */
  readonly flush: () => void;
}

/**
 * A pino logger writing one JSON line per event to stdout or `--log_path`. pino's logger
 * already has the shape of core's `Logger` (fields first, message second), so it is handed to
 * the packages as it is. Payloads are never logged: packages log names, versions and codes.
 */
export function createServerLogger(options: ServerLoggerOptions): ServerLogger {
  // Asynchronous writes keep logging off the request path; flush() runs on shutdown.
  const destination = pino.destination({
    dest: options.path ?? 1,
    sync: false,
    ...(options.path !== undefined && { mkdir: true, append: true }),
  });
  const logger: PinoLogger = pino(
    {
      level: PINO_LEVEL[options.level],
      base: { name: 'ovms' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return {
    logger,
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // Not yet open (nothing written) or already closed: nothing to flush.
      }
    },
  };
}
