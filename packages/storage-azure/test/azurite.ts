import { fileURLToPath } from 'node:url';
import { azuriteConnectionString, startAzurite as start } from '@ovms/storage/test-support';

export {
  AZURITE_ACCOUNT as DEV_ACCOUNT,
  AZURITE_KEY as DEV_KEY,
  azuriteConnectionString as connectionStringFor,
  freePort,
} from '@ovms/storage/test-support';

const BINARY = fileURLToPath(new URL('../node_modules/.bin/azurite-blob', import.meta.url));

/** Azurite's Blob service started for one suite, on 127.0.0.1 and a free port. */
export interface Azurite {
  readonly blobEndpoint: string;
  connectionString(key?: string): string;
  stop(): Promise<void>;
}

/** Starts azurite-blob (from the azurite devDependency) for one suite. */
export async function startAzurite(): Promise<Azurite> {
  const emulator = await start(BINARY);
  return {
    blobEndpoint: emulator.endpoint,
    connectionString: (key) => azuriteConnectionString(emulator.endpoint, key),
    stop: () => emulator.stop(),
  };
}
