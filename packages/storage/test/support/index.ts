export { freePort, spawnTied, waitUntilReady } from './processes.js';
export type { TiedProcess } from './processes.js';
export {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  MINIO_ACCESS_KEY,
  MINIO_SECRET_KEY,
  azuriteConnectionString,
  startAzurite,
  startGcsEmulator,
  startMinio,
} from './emulators.js';
export type { Emulator } from './emulators.js';
export { startFaultProxy } from './fault-proxy.js';
export type { FaultProxy } from './fault-proxy.js';
