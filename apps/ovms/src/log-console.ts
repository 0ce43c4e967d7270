/**
 * Reads the server's JSON log (one pino line per event) and picks out what a person at the
 * console must not miss: a model version or pipeline that failed to load, any other error, and
 * once the server is ready a summary of what serves and what does not. `npm start`
 * (scripts/start.mjs) prints these lines beside the unchanged JSON log.
 */

export interface LogConsoleOptions {
  /** Colour the lines with ANSI escapes (red for failures, green for the ready line). */
  readonly color?: boolean;
}

export interface LogConsole {
  /** The lines for a person that one log line calls for; none for most lines. */
  lines(logLine: string): string[];
}

/** pino's number for `error`; `fatal` is above it. */
const ERROR_LEVEL = 50;

interface Servable {
  state: string;
  reason?: string;
}

type Fields = Record<string, unknown>;

function parse(logLine: string): Fields | undefined {
  if (!logLine.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(logLine);
    return typeof value === 'object' && value !== null ? (value as Fields) : undefined;
  } catch {
    return undefined;
  }
}

/** A browser's URL for a page of the REST server: a wildcard bind address is this machine. */
function pageUrl(fields: Fields, path: string): string {
  const address = text(fields['address']);
  const host =
    address === undefined || ['', '0.0.0.0', '::', '[::]'].includes(address)
      ? 'localhost'
      : address.includes(':') && !address.startsWith('[')
        ? `[${address}]`
        : address;
  const scheme = fields['tls'] === true ? 'https' : 'http';
  return `${scheme}://${host}:${text(fields['port']) ?? '?'}${path}`;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/** Follows one server's log; keep one per process, since it remembers every servable's state. */
export function createLogConsole(options: LogConsoleOptions = {}): LogConsole {
  const paint = (code: number) => (line: string) =>
    options.color === true ? `\u001b[${code}m${line}\u001b[0m` : line;
  const red = paint(31);
  const green = paint(32);
  /** `model X version N` / `pipeline P` → its last state and failure reason. */
  const servables = new Map<string, Servable>();
  /** Models whose repository could not be listed, while none of their versions is known. */
  const unlisted = new Map<string, string>();
  const ports: string[] = [];

  function failure(fields: Fields): string {
    const model = text(fields['model']);
    const version = text(fields['version']);
    const pipeline = text(fields['pipeline']);
    const reason = text(fields['reason']);
    if (model !== undefined && version !== undefined && reason !== undefined) {
      // A failed reload leaves the version AVAILABLE on its previous files.
      return fields['state'] === 'AVAILABLE'
        ? `✗ model ${model} version ${version}: ${reason}; the previous files keep serving`
        : `✗ model ${model} version ${version} failed to load: ${reason}`;
    }
    if (pipeline !== undefined && reason !== undefined) {
      return `✗ pipeline ${pipeline} is not available: ${reason}`;
    }
    const detail = text(fields['error']) ?? reason;
    const message = text(fields['msg']) ?? 'error';
    return `✗ ${detail === undefined ? message : `${message}: ${detail}`}`;
  }

  function track(fields: Fields): void {
    const state = text(fields['state']);
    if (state === undefined) return;
    const model = text(fields['model']);
    const version = text(fields['version']);
    const pipeline = text(fields['pipeline']);
    const key =
      model !== undefined && version !== undefined
        ? `model ${model} version ${version}`
        : pipeline !== undefined
          ? `pipeline ${pipeline}`
          : undefined;
    if (key === undefined) return;
    const reason = text(fields['reason']);
    servables.set(key, reason === undefined ? { state } : { state, reason });
  }

  function summary(): string[] {
    const serving: string[] = [];
    const failed: string[] = [];
    for (const [key, servable] of servables) {
      if (servable.state === 'AVAILABLE') serving.push(key);
      else if (servable.reason !== undefined) failed.push(`${key}: ${servable.reason}`);
    }
    for (const [model, reason] of unlisted) {
      const known = [...servables.keys()].some((key) => key.startsWith(`model ${model} version `));
      if (!known) failed.push(`model ${model}: ${reason}`);
    }
    const where = ports.length > 0 ? ` (${ports.join(', ')})` : '';
    const lines = [green(`✓ server ready${where}; serving ${serving.length}`)];
    lines.push(...serving.map((key) => green(`    ${key}`)));
    if (failed.length > 0) {
      lines.push(red(`✗ ${failed.length} failed to load:`));
      lines.push(...failed.map((line) => red(`    ${line}`)));
    }
    return lines;
  }

  return {
    lines(logLine) {
      const fields = parse(logLine);
      if (fields === undefined) return [];
      const message = text(fields['msg']);
      const pipeline = text(fields['pipeline']);
      if (pipeline !== undefined && fields['code'] !== undefined) {
        // "Pipeline P is not available" follows its state change line, with the reason.
        const reason = text(fields['reason']) ?? 'not available';
        servables.set(`pipeline ${pipeline}`, { state: 'LOADING', reason });
      } else {
        track(fields);
      }
      if (message === 'gRPC server listening' || message === 'REST server listening') {
        ports.push(`${message.split(' ')[0] ?? ''} :${text(fields['port']) ?? '?'}`);
        const dashboard = text(fields['dashboard']);
        if (dashboard !== undefined) ports.push(`dashboard ${pageUrl(fields, dashboard)}`);
      }
      const level = typeof fields['level'] === 'number' ? fields['level'] : 0;
      const model = text(fields['model']);
      if (level >= ERROR_LEVEL && model !== undefined && fields['version'] === undefined) {
        unlisted.set(model, text(fields['error']) ?? message ?? 'error');
      }
      if (level >= ERROR_LEVEL) return [red(failure(fields))];
      if (message === 'Server ready') return summary();
      return [];
    },
  };
}
