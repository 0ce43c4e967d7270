// A Node service that embeds ovms-ts: one model manager serving an ONNX model from a local
// repository with onnxruntime, called in process and over the KServe v2 REST API.
//
//   node main.js <model_name> <model_path> [--serve <port>]
//
// Without --serve it runs one inference each way, prints the results as JSON and exits.
import { createNumericTensor, typedView } from '@ovms/core';
import { createRestApp, startRestServer } from '@ovms/api-rest';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { ModelManager, createEngineSelector } from '@ovms/lifecycle';
import { StorageRegistry, createLocalBackend, fingerprint, listVersions } from '@ovms/storage';

const [modelName, modelPath, flag, portText] = process.argv.slice(2);
if (modelName === undefined || modelPath === undefined) {
  console.error('usage: node main.js <model_name> <model_path> [--serve <port>]');
  process.exit(64);
}

/** The lifecycle's view of a model repository, over the storage registry (local paths here). */
function createRepository(registry) {
  const dirs = new Map();
  return {
    async listVersions(basePath) {
      const found = await listVersions(registry.resolve(basePath), basePath);
      for (const dir of found) dirs.set(`${basePath}#${dir.version}`, dir.uri);
      return found.map((dir) => dir.version);
    },
    // Changes when a file of the version changes, so the poll reloads it.
    fingerprint: (basePath, version) => {
      const dir = dirs.get(`${basePath}#${version}`);
      const backend = registry.resolve(dir);
      return backend.fingerprint ? backend.fingerprint(dir) : fingerprint(dir);
    },
    // A local backend loads in place: the second argument (a download folder) is unused.
    download: (basePath, version) => {
      const dir = dirs.get(`${basePath}#${version}`);
      return registry.resolve(dir).download(dir, dir);
    },
  };
}

const registry = new StorageRegistry();
registry.register(createLocalBackend());

const manager = new ModelManager({
  repository: createRepository(registry),
  engines: createEngineSelector([createOnnxRuntimeEngine()]),
  config: {
    models: [
      {
        name: modelName,
        basePath: modelPath,
        versionPolicy: { kind: 'latest', numVersions: 1 },
        loadOptions: { nireq: 2 },
      },
    ],
    pipelines: [],
  },
  pollIntervalMs: 1000, // new version folders are picked up, as with --file_system_poll_wait_seconds
});
await manager.start();
const [status] = manager.status(modelName);
if (status?.state !== 'AVAILABLE') {
  const problem = status?.errorMessage ?? manager.configStatus().repositoryErrors[0]?.message;
  console.error(`model ${modelName} did not load: ${problem ?? 'no version found'}`);
  await manager.stop();
  process.exit(1);
}

const app = createRestApp({
  provider: manager,
  admin: manager,
  serverName: 'embed-example',
  serverVersion: '0.1.0',
});

if (flag === '--serve') {
  const server = await startRestServer({ app, host: '0.0.0.0', port: Number(portText ?? 8000) });
  console.log(`serving ${modelName} on http://localhost:${server.port}`);
  const stop = async () => {
    await server.close(5000);
    await manager.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  console.log(JSON.stringify({ inProcess: await inferInProcess(), rest: await inferOverRest() }));
  await manager.stop();
}

/** In process: hold a lease on the model (unloads wait for it) and call infer with Tensors. */
async function inferInProcess() {
  const floats = (values) => new Uint8Array(new Float32Array(values).buffer);
  const lease = await manager.acquire(modelName);
  try {
    const outputs = await lease.servable.infer({
      inputs: new Map([
        ['a', createNumericTensor('FP32', [1, 4], floats([1, 2, 3, 4]))],
        ['b', createNumericTensor('FP32', [1, 4], floats([10, 20, 30, 40]))],
      ]),
    });
    return Object.fromEntries(
      [...outputs].map(([name, tensor]) => [name, [...typedView('FP32', tensor.data)]]),
    );
  } finally {
    await lease[Symbol.asyncDispose]();
  }
}

/** Over REST: the hono app answers a fetch Request; no port is opened. */
async function inferOverRest() {
  const body = {
    inputs: [
      { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
      { name: 'b', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] },
    ],
  };
  const response = await app.fetch(
    new Request(`http://embedded/v2/models/${modelName}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.json() };
}
