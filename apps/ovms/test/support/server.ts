import { rm } from 'node:fs/promises';
import { parseServerArgs } from '@ovms/config';
import { silentLogger } from '@ovms/core';
import { startServer } from '../../src/index.js';
import type { RunningServer } from '../../src/index.js';
import { PROJECT_ROOT } from './paths.js';
import { writeTestRepository } from './repository.js';

export interface TestServer {
  readonly root: string;
  readonly configPath: string;
  /** `127.0.0.1:<port>` of gRPC. */
  readonly grpcAddress: string;
  /** `127.0.0.1:<port>` of REST. */
  readonly restAddress: string;
  readonly restUrl: string;
  stop(): Promise<void>;
}

/**
 * The real server, in process, on the test repository: flags parsed as the CLI does, both
 * transports on 127.0.0.1 and ephemeral ports, metrics on, no repository polling (tests
 * reload explicitly). Resolves once every model loaded. `repository` writes another
 * repository and config instead of the default one.
 */
export async function startTestServer(
  repository: () => Promise<{ root: string; configPath: string }> = writeTestRepository,
): Promise<TestServer> {
  const { root, configPath } = await repository();
  const command = parseServerArgs(
    [
      ...['--config_path', configPath, '--port', '9000', '--rest_port', '8000'],
      ...['--grpc_bind_address', '127.0.0.1', '--rest_bind_address', '127.0.0.1'],
      ...['--file_system_poll_wait_seconds', '0'],
    ],
    { cwd: root },
  );
  if (command.kind !== 'serve') throw new Error(`unexpected CLI outcome ${command.kind}`);
  const server: RunningServer = await startServer({
    options: command.options,
    version: '0.0.0-test',
    logger: silentLogger,
    projectRoot: PROJECT_ROOT,
    env: process.env,
    bindPorts: { grpc: 0, rest: 0 },
    drainMs: 1_000,
  });
  await server.loaded;
  const grpcAddress = `127.0.0.1:${server.grpcPort ?? 0}`;
  const restAddress = `127.0.0.1:${server.restPort ?? 0}`;
  return {
    root,
    configPath,
    grpcAddress,
    restAddress,
    restUrl: `http://${restAddress}`,
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
