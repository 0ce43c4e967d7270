import type { Logger } from '@ovms/core';

/** One call to a RecordingLogger. */
export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: object;
  readonly msg: string | undefined;
}

/** A Logger keeping every call in `records`, for tests to assert on; its children share them. */
export interface RecordingLogger extends Logger {
  readonly records: LogRecord[];
  /** The messages of the calls at `level`, in order. */
  messages(level: LogRecord['level']): (string | undefined)[];
}

export function createRecordingLogger(): RecordingLogger {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (fields: object, msg?: string): void => {
      records.push({ level, fields, msg });
    };
  const logger: RecordingLogger = {
    records,
    messages: (level) => records.filter((record) => record.level === level).map((r) => r.msg),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}
