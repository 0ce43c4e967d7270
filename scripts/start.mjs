// `npm start`: writes the demo model repository (.cache/demo, idempotent) and serves it with the
// built server on gRPC :9000 and REST :8000 until Ctrl-C or SIGTERM. Flags after `npm start --`
// go to the server as well (`npm start -- --log_level DEBUG`).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createLogConsole } from '../apps/ovms/dist/log-console.js';

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
    ...process.argv.slice(2),
  ],
  { stdio: ['inherit', 'pipe', 'inherit'] },
);

// The JSON log passes through to stdout unchanged, for machines; a person gets a plain line on
// stderr for each failure and a summary of what serves once the server is ready, with the ports
// and the dashboard's URL (http://localhost:8000/dashboard).
const logConsole = createLogConsole({
  color: process.stderr.isTTY === true && process.env.NO_COLOR === undefined,
});
const log = createInterface({ input: server.stdout, crlfDelay: Infinity });
log.on('line', (line) => {
  process.stdout.write(`${line}\n`);
  for (const human of logConsole.lines(line)) process.stderr.write(`${human}\n`);
});
const logEnded = new Promise((resolve) => log.once('close', resolve));

// Ctrl-C reaches the server too (same process group); SIGTERM is passed on. Either way this
// process waits for the server's clean shutdown (and its last log lines) and exits with its code.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => server.kill('SIGTERM'));
server.on('exit', (code, signal) => {
  void logEnded.then(() => process.exit(code ?? (signal === null ? 1 : 128)));
});
