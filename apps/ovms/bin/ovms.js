#!/usr/bin/env node
// The `ovms` command: sizes libuv's thread pool, then runs the built server (../dist/main.js,
// from `pnpm build`). During development run the source instead:
//   node --conditions=@ovms/source --import tsx apps/ovms/src/main.ts <flags>
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// The OpenVINO engine runs every infer request on a libuv worker thread, and file system calls
// share that pool (default size 4). A pool smaller than the infer requests in flight would make
// requests queue behind each other and behind fs work, so it must hold every model's nireq plus
// a few threads for fs. libuv reads UV_THREADPOOL_SIZE once, when the pool first starts, so it
// is set here, before anything else is imported. A value set by the user wins.
if (process.env.UV_THREADPOOL_SIZE === undefined) {
  const inferRequests = Math.max(
    configuredNireq(process.argv.slice(2)),
    4 * availableParallelism(),
  );
  process.env.UV_THREADPOOL_SIZE = String(Math.min(inferRequests + 4, 1024)); // libuv's maximum
}

/** The sum of `nireq` over the models (config file or --nireq), best effort: 0 when unknown. */
function configuredNireq(argv) {
  const flag = (name) => {
    for (let i = argv.length - 1; i >= 0; i -= 1) {
      const arg = argv[i];
      if (arg === `--${name}`) return argv[i + 1];
      if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    }
    return undefined;
  };
  try {
    const nireq = flag('nireq');
    if (nireq !== undefined) return Number(nireq) || 0;
    let configPath = flag('config_path');
    if (configPath === undefined) return 0;
    if (!configPath.endsWith('.json')) configPath = `${configPath}/config.json`;
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    return (config.model_config_list ?? []).reduce(
      (sum, entry) => sum + (Number(entry?.config?.nireq) || 0),
      0,
    );
  } catch {
    return 0; // the server reports a broken config itself
  }
}

await import('../dist/main.js');
