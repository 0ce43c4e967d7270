export { freePort, startGcsEmulator } from '@ovms/storage/test-support';
export type { Emulator as GcsEmulator } from '@ovms/storage/test-support';
