// `npm start`: writes the demo model repository (.cache/demo, idempotent) and serves it with the
// built server on gRPC :9000 and REST :8000 until Ctrl-C or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';

const demo = spawnSync(
  process.execPath,
  ['--conditions=@ovms/source', '--import', 'tsx', 'scripts/demo-repository.ts'],
  { stdio: 'inherit' },
);
if (demo.status !== 0) process.exit(demo.status ?? 1);

// The built server, with tsx registered only so that the OCR demo's custom nodes (.ts files of
// demos/ocr/src/nodes) load; everything else runs from dist as in production.
const server = spawn(
  process.execPath,
  [
    ...['--import', 'tsx'],
    'apps/ovms/bin/ovms.js',
    ...['--config_path', '.cache/demo/config.json', '--port', '9000', '--rest_port', '8000'],
  ],
  { stdio: 'inherit' },
);
// Ctrl-C reaches the server too (same process group); SIGTERM is passed on. Either way this
// process waits for the server's clean shutdown and exits with its code.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => server.kill('SIGTERM'));
server.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
