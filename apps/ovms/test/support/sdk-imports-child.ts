// Run by lazy-cloud-sdk.test.ts in a fresh process: records every module the server's storage
// registry resolves, first while serving a local directory, then after one call per cloud
// scheme, and prints both lists as JSON.
import { mkdtemp, rm } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const resolved: string[] = [];
port1.on('message', (url: string) => resolved.push(url));
port1.unref();
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { port: port2 },
  transferList: [port2],
});

const sdkImports = () =>
  resolved.filter((url) => /@aws-sdk|@google-cloud|@azure|storage-(s3|gcs|azure)/.test(url));
// Lets the hooks thread's messages for finished imports arrive.
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

const { createStorageRegistry } = await import('../../src/repository.js');
const { createStorageRepository } = await import('@ovms/storage');
const registry = createStorageRegistry({ env: {} });
const root = await mkdtemp(join(tmpdir(), 'ovms-lazy-sdk-'));
try {
  const repository = createStorageRepository({ registry, workDir: join(root, 'work') });
  await repository.listVersions(root);
  await settle();
  const local = sdkImports();
  for (const uri of ['s3://bucket/model', 'gs://bucket/model', 'az://account/container/model']) {
    // An aborted signal: the backend loads, then gives up before any network request.
    await registry
      .resolve(uri)
      .list(uri, AbortSignal.abort())
      .catch(() => undefined);
  }
  await settle();
  process.stdout.write(JSON.stringify({ local, cloud: sdkImports() }));
} finally {
  await rm(root, { recursive: true, force: true });
}
