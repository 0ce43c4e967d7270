import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runMatrix } from './support/option-matrix.js';
import type { Cell, MatrixResults } from './support/option-matrix.js';
import {
  autoDenseCells,
  fixedDenseCells,
  layoutCells,
  pipelineCells,
  refusedCells,
  servesDenseCells,
  versionCells,
} from './support/option-matrix-cells.js';
import { PAIR_INPUTS, denseInput, writeMatrixModels } from './support/option-matrix-models.js';
import {
  expectLoadRefused,
  metricSamples,
  startReadyServer,
} from './support/option-matrix-server.js';
import { MATRIX_ENGINES, describeMatrix } from './support/option-matrix-suite.js';
import type { MatrixEngine } from './support/option-matrix-suite.js';
import type { GrpcServerProcess } from './support/server-process.js';

// Every model option of config.json, one model entry per variant, on each engine (the `engine`
// key picks it), through the real `ovms` command and the Python clients over TFS gRPC, TFS REST,
// KServe gRPC and KServe REST. Options an engine refuses are asserted as clear load errors.

const oneRow = { x: denseInput(1) };

/** The model entries, each an option variant; `refused` ones must fail to load, naming `why`. */
function modelEntries(engine: MatrixEngine): { config: object; refused?: readonly string[] }[] {
  const entries: { config: Record<string, unknown>; refused?: readonly string[] }[] = [
    { config: { name: 'dense_fixed', base_path: 'dense' } },
    { config: { name: 'dense_shape_anon', base_path: 'dense', shape: '(3,1024)' } },
    { config: { name: 'dense_shape_named', base_path: 'dense', shape: { x: '(3,1024)' } } },
    { config: { name: 'dense_shape_auto', base_path: 'dense', shape: 'auto' } },
    { config: { name: 'dense_shape_auto_named', base_path: 'dense', shape: { x: 'auto' } } },
    { config: { name: 'dense_batch_4', base_path: 'dense', batch_size: 4 } },
    { config: { name: 'dense_batch_auto', base_path: 'dense', batch_size: 'auto' } },
    { config: { name: 'pipe_dense', base_path: 'dense', batch_size: 'auto' } },
    { config: { name: 'nchw_layout', base_path: 'nchw', layout: 'NHWC:NCHW' } },
    { config: { name: 'nchw_layout_named', base_path: 'nchw', layout: { x: 'NHWC:NCHW' } } },
    {
      config: { name: 'pair_shape_anon', base_path: 'pair', shape: '(2,3)' },
      refused: ['left', 'right'],
    },
    {
      config: { name: 'pair_layout_anon', base_path: 'pair', layout: 'NHWC:NCHW' },
      refused: ['left', 'right'],
    },
    { config: { name: 'versions_default', base_path: 'offset' } },
    { config: { name: 'versions_all', base_path: 'offset', model_version_policy: { all: {} } } },
    {
      config: {
        name: 'versions_latest2',
        base_path: 'offset',
        model_version_policy: { latest: { num_versions: 2 } },
      },
    },
    {
      config: {
        name: 'versions_specific',
        base_path: 'offset',
        model_version_policy: { specific: { versions: [1, 3] } },
      },
    },
    { config: { name: 'nireq_2', base_path: 'dense', nireq: 2 } },
    { config: { name: 'device_cpu', base_path: 'dense', target_device: 'CPU' } },
    {
      config: { name: 'device_auto', base_path: 'dense', target_device: 'AUTO' },
      ...(engine === 'onnxruntime' && {
        refused: ['target device AUTO is not supported by onnxruntime engine; supported: CPU'],
      }),
    },
    {
      config: {
        name: 'plugin_cfg',
        base_path: 'dense',
        plugin_config: { INFERENCE_NUM_THREADS: 1 },
      },
    },
    {
      config: { name: 'plugin_bad', base_path: 'dense', plugin_config: { NOT_A_PLUGIN_KEY: 'x' } },
      refused: ['NOT_A_PLUGIN_KEY'],
    },
  ];
  if (engine === 'openvino')
    entries.push({ config: { name: 'nchw_layout_ir', base_path: 'nchw_ir', layout: 'NHWC:NCHW' } });
  return entries.map((entry) => ({ ...entry, config: { ...entry.config, engine } }));
}

const PIPELINE = {
  name: 'dense_pipeline',
  inputs: ['x'],
  nodes: [
    {
      name: 'dense',
      type: 'DL model',
      model_name: 'pipe_dense',
      inputs: [{ x: { node_name: 'request', data_item: 'x' } }],
      outputs: [{ data_item: 'y', alias: 'y' }],
    },
  ],
  outputs: [{ y: { node_name: 'dense', data_item: 'y' } }],
};

function cellsFor(engine: MatrixEngine): Cell[] {
  const refused = modelEntries(engine).filter((entry) => entry.refused !== undefined);
  const refusedNames = new Set(refused.map((entry) => (entry.config as { name: string }).name));
  return [
    ...fixedDenseCells('dense_fixed'),
    ...fixedDenseCells('dense_shape_anon', 3),
    ...fixedDenseCells('dense_shape_named', 3),
    ...autoDenseCells('dense_shape_auto', 'shape'),
    ...autoDenseCells('dense_shape_auto_named', 'shape'),
    ...fixedDenseCells('dense_batch_4', 4),
    ...autoDenseCells('dense_batch_auto', 'batch'),
    ...pipelineCells('dense_pipeline', 'pipe_dense'),
    ...layoutCells('nchw_layout'),
    ...layoutCells('nchw_layout_named'),
    ...(engine === 'openvino' ? layoutCells('nchw_layout_ir') : []),
    ...refusedCells('pair_shape_anon', PAIR_INPUTS),
    ...refusedCells('pair_layout_anon', PAIR_INPUTS),
    ...versionCells('versions_default', [3]),
    ...versionCells('versions_all', [1, 2, 3]),
    ...versionCells('versions_latest2', [2, 3]),
    ...versionCells('versions_specific', [1, 3]),
    ...servesDenseCells('nireq_2'),
    ...servesDenseCells('device_cpu'),
    ...(refusedNames.has('device_auto')
      ? refusedCells('device_auto', oneRow)
      : servesDenseCells('device_auto')),
    ...servesDenseCells('plugin_cfg'),
    ...refusedCells('plugin_bad', oneRow),
  ];
}

for (const engine of MATRIX_ENGINES) {
  describeMatrix(engine, `config.json model options on ${engine}`, () => {
    let root: string;
    let cacheDir: string;
    let server: GrpcServerProcess;
    let results: MatrixResults;
    const cells = cellsFor(engine);

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), `ovms-matrix-${engine}-`));
      await writeMatrixModels(root, { ir: engine === 'openvino' });
      cacheDir = join(root, 'cache');
      await mkdir(cacheDir);
      const config = {
        model_config_list: modelEntries(engine).map(({ config }) => ({ config })),
        pipeline_config_list: [PIPELINE],
        monitoring: { metrics: { enable: true, metrics_list: ['ovms_infer_req_queue_size'] } },
      };
      const configPath = join(root, 'config.json');
      await writeFile(configPath, JSON.stringify(config, null, 1));
      server = await startReadyServer([
        ...['--config_path', configPath, '--file_system_poll_wait_seconds', '0'],
        ...['--cache_dir', cacheDir],
      ]);
      results = await runMatrix({ grpc: server.grpcAddress, rest: server.restAddress }, cells);
    }, 240_000);
    afterAll(async () => {
      await server?.stop();
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    it.each(cells.map((cell) => cell.name))('%s', (name) => {
      expect(results.actual(name)).toEqual(results.expected(name));
    });

    it('a refused option says why in the log, naming what is wrong', () => {
      for (const { config, refused = [] } of modelEntries(engine).filter((e) => e.refused))
        expectLoadRefused(server.output(), (config as { name: string }).name, refused);
    });

    it('nireq sets the infer request pool (ovms_infer_req_queue_size)', async () => {
      expect(await metricSamples(server.restUrl, 'ovms_infer_req_queue_size', 'nireq_2')).toEqual([
        'ovms_infer_req_queue_size{name="nireq_2",version="1"} 2',
      ]);
    });

    if (engine === 'openvino') {
      it('--cache_dir receives the compiled models', async () => {
        expect((await readdir(cacheDir)).length).toBeGreaterThan(0);
      });
    } else {
      it('--cache_dir is accepted and left empty: onnxruntime has no compiled-model cache', async () => {
        expect(await readdir(cacheDir)).toEqual([]);
      });
    }
  });
}
