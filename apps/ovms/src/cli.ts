import { ArgsError, parseServerArgs } from '@ovms/config';
import type { ServerOptions } from '@ovms/config';

/** What the command line resolves to: serve, or print something and exit with a code. */
export type CliOutcome =
  | { readonly kind: 'serve'; readonly options: ServerOptions }
  | {
      readonly kind: 'exit';
      readonly code: number;
      readonly stdout?: string;
      readonly stderr?: string;
    };

export interface ReadCommandLineOptions {
  readonly cwd: string;
  readonly cpuCount: number;
  /** Printed by --version. */
  readonly version: string;
}

/**
 * Turns argv into a CliOutcome without side effects, so that main.ts alone prints and exits.
 * A bad flag or value exits 1 with the parser's message (which names the flag) and a hint,
 * before anything starts.
 */
export function readCommandLine(
  argv: readonly string[],
  options: ReadCommandLineOptions,
): CliOutcome {
  try {
    const command = parseServerArgs(argv, {
      cwd: options.cwd,
      cpuCount: options.cpuCount,
      program: 'ovms',
    });
    switch (command.kind) {
      case 'help':
        return { kind: 'exit', code: 0, stdout: `${command.text}\n` };
      case 'version':
        return { kind: 'exit', code: 0, stdout: `${versionText(options.version)}\n` };
      case 'serve':
        return { kind: 'serve', options: command.options };
    }
  } catch (error) {
    if (error instanceof ArgsError) {
      return {
        kind: 'exit',
        code: 1,
        stderr: `ovms: ${error.message}\nRun "ovms --help" for the list of flags.\n`,
      };
    }
    throw error;
  }
}

/** OVMS prints its name and version; we say which implementation this is. */
export function versionText(version: string): string {
  return `OpenVINO Model Server (ovms-ts) ${version}`;
}
