// `npm start`: serves the bundled demo model once apps/ovms exists.
import { existsSync } from 'node:fs';

const serverEntry = 'apps/ovms/dist/main.js';
if (!existsSync(serverEntry)) {
  console.log(
    'ovms-ts: setup finished (pnpm, dependencies, build), but the server is not built yet: ' +
      'apps/ovms arrives with the server issue. Run `npm test` to run the test suite.',
  );
  process.exit(0);
}
await import(`../${serverEntry}`);
