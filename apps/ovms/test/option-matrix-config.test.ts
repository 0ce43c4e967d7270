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
import { expectLoadRefused, metricSamples } from './support/option-matrix-server.js';
import { MATRIX_ENGINES, describeMatrix } from './support/option-matrix-suite.js';
import type { MatrixEngine } from './support/option-matrix-suite.js';
import { startReadyServer, type GrpcServerProcess } from './support/server-process.js';

// Every model option of config.json, one model entry per variant, on each engine (the `engine`
// key picks it), through the real `ovms` command and the Python clients over TFS gRPC, TFS REST,
// KServe gRPC and KServe REST. Options an engine refuses are asserted as clear load errors.

const oneRow = { x: denseInput(1) };

/** One model entry of config.json, the cells it must pass, and why its load is refused if it is. */
interface ConfigVariant {
  readonly config: { readonly name: string; readonly base_path: string } & Record<string, unknown>;
  readonly cells: readonly Cell[];
  /** Words the load failure's reason must hold, when the option is refused. */
  readonly refused?: readonly string[];
}

function variant(
  name: string,
  basePath: string,
  options: Record<string, unknown>,
  cells: (name: string) => Cell[],
  refused?: readonly string[],
): ConfigVariant {
  return {
    config: { name, base_path: basePath, ...options },
    cells: cells(name),
    ...(refused !== undefined && { refused }),
  };
}

function variants(engine: MatrixEngine): ConfigVariant[] {
  const threeRows = (name: string) => fixedDenseCells(name, 3);
  const autoShape = (name: string) => autoDenseCells(name, 'shape');
  const autoBatch = (name: string) => autoDenseCells(name, 'batch');
  const refusedPair = (name: string) => refusedCells(name, PAIR_INPUTS);
  const refusedDense = (name: string) => refusedCells(name, oneRow);
  const versions = (served: number[]) => (name: string) => versionCells(name, served);
  const ortRefusesAuto = engine === 'onnxruntime';
  return [
    variant('dense_fixed', 'dense', {}, (name) => fixedDenseCells(name)),
    variant('dense_shape_anon', 'dense', { shape: '(3,1024)' }, threeRows),
    variant('dense_shape_named', 'dense', { shape: { x: '(3,1024)' } }, threeRows),
    variant('dense_shape_auto', 'dense', { shape: 'auto' }, autoShape),
    variant('dense_shape_auto_named', 'dense', { shape: { x: 'auto' } }, autoShape),
    variant('dense_batch_4', 'dense', { batch_size: 4 }, (name) => fixedDenseCells(name, 4)),
    variant('dense_batch_auto', 'dense', { batch_size: 'auto' }, autoBatch),
    // The model of dense_pipeline (PIPELINE), auto-batched.
    variant('pipe_dense', 'dense', { batch_size: 'auto' }, (name) =>
      pipelineCells('dense_pipeline', name),
    ),
    variant('nchw_layout', 'nchw', { layout: 'NHWC:NCHW' }, layoutCells),
    variant('nchw_layout_named', 'nchw', { layout: { x: 'NHWC:NCHW' } }, layoutCells),
    ...(engine === 'openvino'
      ? [variant('nchw_layout_ir', 'nchw_ir', { layout: 'NHWC:NCHW' }, layoutCells)]
      : []),
    variant('pair_shape_anon', 'pair', { shape: '(2,3)' }, refusedPair, ['left', 'right']),
    variant('pair_layout_anon', 'pair', { layout: 'NHWC:NCHW' }, refusedPair, ['left', 'right']),
    variant('versions_default', 'offset', {}, versions([3])),
    variant('versions_all', 'offset', { model_version_policy: { all: {} } }, versions([1, 2, 3])),
    variant(
      'versions_latest2',
      'offset',
      { model_version_policy: { latest: { num_versions: 2 } } },
      versions([2, 3]),
    ),
    variant(
      'versions_specific',
      'offset',
      { model_version_policy: { specific: { versions: [1, 3] } } },
      versions([1, 3]),
    ),
    variant('nireq_2', 'dense', { nireq: 2 }, servesDenseCells),
    variant('device_cpu', 'dense', { target_device: 'CPU' }, servesDenseCells),
    ortRefusesAuto
      ? variant('device_auto', 'dense', { target_device: 'AUTO' }, refusedDense, [
          'target device AUTO is not supported by onnxruntime engine; supported: CPU',
        ])
      : variant('device_auto', 'dense', { target_device: 'AUTO' }, servesDenseCells),
    variant(
      'plugin_cfg',
      'dense',
      { plugin_config: { INFERENCE_NUM_THREADS: 1 } },
      servesDenseCells,
    ),
    variant('plugin_bad', 'dense', { plugin_config: { NOT_A_PLUGIN_KEY: 'x' } }, refusedDense, [
      'NOT_A_PLUGIN_KEY',
    ]),
  ];
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

for (const engine of MATRIX_ENGINES) {
  describeMatrix(engine, `config.json model options on ${engine}`, () => {
    let root: string;
    let cacheDir: string;
    let server: GrpcServerProcess;
    let results: MatrixResults;
    const all = variants(engine);
    const cells = all.flatMap((entry) => entry.cells);

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), `ovms-matrix-${engine}-`));
      await writeMatrixModels(root, { ir: engine === 'openvino' });
      cacheDir = join(root, 'cache');
      await mkdir(cacheDir);
      const config = {
        model_config_list: all.map(({ config }) => ({ config: { ...config, engine } })),
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
      for (const { config, refused } of all)
        if (refused !== undefined) expectLoadRefused(server.output(), config.name, refused);
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
