// A Node service that embeds ovms-ts with one call: createModelServer takes what a config.json
// holds, serves the model in process, and hands over the REST API to mount in a server of ours.
//
//   node main.js <model_name> <model_path> [--serve <port>]
//
// Without --serve it runs one inference each way, prints the results as JSON and exits.
import { createServer } from 'node:http';
import { createModelServer } from '@ovms/server';

const [name, path, flag, port = '8000'] = process.argv.slice(2);
if (name === undefined || path === undefined) {
  console.error('usage: node main.js <model_name> <model_path> [--serve <port>]');
  process.exit(64);
}

// The options of a config.json (relative base_paths resolve against the working directory).
// Engines: OpenVINO when its runtime is found, else onnxruntime; new version folders are picked
// up every second, as with OVMS's --file_system_poll_wait_seconds 1.
const server = await createModelServer({
  model_config_list: [{ config: { name, base_path: path, nireq: 2 } }],
});
const status = server.status();
if (status.servables[name]?.at(-1)?.state !== 'AVAILABLE') {
  const problem = status.repositoryErrors[0]?.message ?? status.servables[name]?.at(-1)?.reason;
  console.error(`model ${name} did not load: ${problem ?? 'no version found'}`);
  await server.close();
  process.exit(1);
}

if (flag === '--serve') {
  // Any node:http server (or Express: app.use('/ovms', server.restListener)) serves the REST API.
  const http = createServer(server.restListener).listen(Number(port));
  console.log(`serving ${name} on http://localhost:${port}`);
  const stop = () => http.close(() => void server.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  // In process: typed arrays in (with their shape), typed arrays out.
  const { sum } = await server.infer(name, {
    a: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] },
    b: { data: new Float32Array([10, 20, 30, 40]), shape: [1, 4] },
  });
  // Over REST without opening a port: the fetch handler answers a Request.
  const response = await server.restHandler(
    new Request(`http://embedded/v2/models/${name}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [
          { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
          { name: 'b', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] },
        ],
      }),
    }),
  );
  const rest = { status: response.status, body: await response.json() };
  console.log(JSON.stringify({ inProcess: { sum: [...(sum?.data ?? [])] }, rest }));
  await server.close();
}
