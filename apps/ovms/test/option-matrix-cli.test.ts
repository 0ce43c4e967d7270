import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runMatrix } from './support/option-matrix.js';
import type { Cell, MatrixResults } from './support/option-matrix.js';
import {
  autoDenseCells,
  fixedDenseCells,
  layoutCells,
  refusedCells,
  servesDenseCells,
  versionCells,
} from './support/option-matrix-cells.js';
import { PAIR_INPUTS, denseInput, writeMatrixModels } from './support/option-matrix-models.js';
import type { MatrixModel } from './support/option-matrix-models.js';
import { expectLoadRefused, metricSamples } from './support/option-matrix-server.js';
import { MATRIX_ENGINES, describeMatrix } from './support/option-matrix-suite.js';
import type { MatrixEngine } from './support/option-matrix-suite.js';
import { startReadyServer } from './support/server-process.js';

// The single-model CLI form of every model option, one `ovms --model_name … --model_path …`
// per variant, checked over the four transports as the config.json suite does. The CLI picks
// the engine by file format (ONNX → OpenVINO when it is found), so the onnxruntime servers run
// where OpenVINO is not: PYTHONHOME pointed nowhere hides the wheel in .cache/python, as on a
// machine without it (the log line saying so is asserted).

const HIDE_OPENVINO = { OPENVINO_LIB_DIR: '', PYTHONHOME: '/nonexistent-python-home' };
const ENGINE_LOG: Record<MatrixEngine, string> = {
  openvino: 'Engines: openvino (IR and ONNX), then onnxruntime',
  onnxruntime: 'OpenVINO runtime not found: serving ONNX models with onnxruntime only',
};

interface CliVariant {
  /** The served model's name, which also names the variant's cells. */
  readonly name: string;
  readonly model: MatrixModel;
  /** Flags after `--model_name`/`--model_path`; `cacheDir` is this variant's own folder. */
  flags(cacheDir: string): string[];
  readonly cells: Cell[];
  /** Words the load failure's reason must hold, when the option is refused. */
  readonly refused?: readonly string[];
}

function variants(engine: MatrixEngine): CliVariant[] {
  const deviceAutoRefused = engine === 'onnxruntime';
  return [
    {
      name: 'cli_shape_fixed',
      model: 'dense',
      flags: () => ['--shape', '(3,1024)'],
      cells: fixedDenseCells('cli_shape_fixed', 3),
    },
    {
      name: 'cli_shape_named',
      model: 'dense',
      flags: () => ['--shape', '{"x":"(3,1024)"}'],
      cells: fixedDenseCells('cli_shape_named', 3),
    },
    {
      name: 'cli_shape_auto',
      model: 'dense',
      flags: () => ['--shape', 'auto'],
      cells: autoDenseCells('cli_shape_auto', 'shape'),
    },
    {
      name: 'cli_batch_auto',
      model: 'dense',
      flags: () => ['--batch_size', 'auto'],
      cells: autoDenseCells('cli_batch_auto', 'batch'),
    },
    {
      name: 'cli_layout',
      model: 'nchw',
      flags: () => ['--layout', 'NHWC:NCHW'],
      cells: layoutCells('cli_layout'),
    },
    {
      name: 'cli_layout_named',
      model: 'nchw',
      flags: () => ['--layout', '{"x":"NHWC:NCHW"}'],
      cells: layoutCells('cli_layout_named'),
    },
    {
      name: 'cli_options',
      model: 'offset',
      flags: (cacheDir) => [
        ...['--model_version_policy', '{"latest":{"num_versions":2}}', '--nireq', '2'],
        ...['--target_device', 'CPU', '--plugin_config', '{"INFERENCE_NUM_THREADS":1}'],
        ...['--cache_dir', cacheDir],
        ...['--metrics_enable', '--metrics_list', 'ovms_infer_req_queue_size'],
      ],
      cells: versionCells('cli_options', [2, 3]),
    },
    {
      name: 'cli_device_auto',
      model: 'dense',
      flags: () => ['--target_device', 'AUTO'],
      cells: deviceAutoRefused
        ? refusedCells('cli_device_auto', { x: denseInput(1) })
        : servesDenseCells('cli_device_auto'),
      ...(deviceAutoRefused && {
        refused: ['target device AUTO is not supported by onnxruntime engine; supported: CPU'],
      }),
    },
    {
      name: 'cli_pair_shape',
      model: 'pair',
      flags: () => ['--shape', '(2,3)'],
      cells: refusedCells('cli_pair_shape', PAIR_INPUTS),
      refused: ['left', 'right'],
    },
    {
      name: 'cli_pair_layout',
      model: 'pair',
      flags: () => ['--layout', 'NHWC:NCHW'],
      cells: refusedCells('cli_pair_layout', PAIR_INPUTS),
      refused: ['left', 'right'],
    },
  ];
}

/** What one variant's server answered, kept after it stopped. */
interface Served {
  readonly cacheDir: string;
  readonly results: MatrixResults;
  /** Its whole log. */
  readonly log: string;
  /** `ovms_infer_req_queue_size` samples of its model (none without --metrics_enable). */
  readonly queueSizes: readonly string[];
}

/** Serves `variant` from the models in `root`, runs its cells and stops the server. */
async function serveVariant(
  variant: CliVariant,
  root: string,
  env: Readonly<Record<string, string>>,
): Promise<Served> {
  const cacheDir = join(root, `cache-${variant.name}`);
  await mkdir(cacheDir);
  const server = await startReadyServer(
    [
      ...['--model_name', variant.name, '--model_path', join(root, variant.model)],
      ...variant.flags(cacheDir),
    ],
    env,
  );
  try {
    const addresses = { grpc: server.grpcAddress, rest: server.restAddress };
    const results = await runMatrix(addresses, variant.cells);
    const metric = 'ovms_infer_req_queue_size';
    const queueSizes = await metricSamples(server.restUrl, metric, variant.name);
    return { cacheDir, results, queueSizes, log: server.output() };
  } finally {
    await server.stop();
  }
}

/** A few variants at a time: each server start is a node process loading the whole app. */
const CONCURRENT_SERVERS = 3;

for (const engine of MATRIX_ENGINES) {
  describeMatrix(engine, `CLI model options on ${engine}`, () => {
    let root: string;
    const served = new Map<string, Served>();
    const all = variants(engine);

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), `ovms-matrix-cli-${engine}-`));
      await writeMatrixModels(root, { ir: false });
      const env = engine === 'onnxruntime' ? HIDE_OPENVINO : {};
      for (let i = 0; i < all.length; i += CONCURRENT_SERVERS) {
        const batch = all.slice(i, i + CONCURRENT_SERVERS);
        await Promise.all(
          batch.map(async (variant) =>
            served.set(variant.name, await serveVariant(variant, root, env)),
          ),
        );
      }
    }, 300_000);
    afterAll(async () => {
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    const get = (name: string): Served => {
      const found = served.get(name);
      if (found === undefined) throw new Error(`variant ${name} did not start`);
      return found;
    };

    it(`every server runs on ${engine}`, () => {
      for (const { name } of all)
        expect([name, get(name).log]).toEqual([name, expect.stringContaining(ENGINE_LOG[engine])]);
    });

    // Cell names start with the variant's model name, which is the variant's name.
    const cells = all.flatMap((variant) =>
      variant.cells.map((cell) => [cell.name, variant.name] as const),
    );
    it.each(cells)('%s', (cell, variant) => {
      const { results } = get(variant);
      expect(results.actual(cell)).toEqual(results.expected(cell));
    });

    it('a refused option says why in the log, naming what is wrong', () => {
      for (const { name, refused = [] } of all.filter((variant) => variant.refused !== undefined))
        expectLoadRefused(get(name).log, name, refused);
    });

    it('--nireq sets the infer request pool of every version (ovms_infer_req_queue_size)', () => {
      expect(get('cli_options').queueSizes).toEqual([
        'ovms_infer_req_queue_size{name="cli_options",version="2"} 2',
        'ovms_infer_req_queue_size{name="cli_options",version="3"} 2',
      ]);
    });

    if (engine === 'openvino') {
      it('--cache_dir receives the compiled models', async () => {
        expect((await readdir(get('cli_options').cacheDir)).length).toBeGreaterThan(0);
      });
    } else {
      it('--cache_dir is accepted and left empty: onnxruntime has no compiled-model cache', async () => {
        expect(await readdir(get('cli_options').cacheDir)).toEqual([]);
      });
    }
  });
}
