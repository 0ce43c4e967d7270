import {
  ServingError,
  StatusCode,
  formatShape,
  resolveAnonymousInput,
  type ModelLoadOptions,
  type ShapeDim,
} from '@ovms/core';
import type { InputLayout, PortInfo } from './binding.js';

/** What to do to one input at load and request time, derived from OVMS model parameters. */
export interface InputPlan {
  /** Index of the batch dimension in the shape clients send (layout `N`, else 0). */
  readonly batchDim: number;
  /** Dims that follow the request: every dim for `shape: auto`, the batch dim for `batch_size: auto`. */
  readonly autoDims: 'all' | ReadonlySet<number>;
  /** The layout clients send (the tensor side of `layout`), where one was given. */
  readonly layout?: string;
}

export interface LoadPlan {
  /** Shapes to reshape the model to before compiling (in the model's own layout), ranges included. */
  readonly reshape: ReadonlyMap<string, readonly ShapeDim[]>;
  readonly layouts: ReadonlyMap<string, InputLayout>;
  readonly inputs: ReadonlyMap<string, InputPlan>;
  readonly properties: Readonly<Record<string, string>>;
}

function invalid(detail: string): ServingError {
  return new ServingError(StatusCode.INVALID_ARGUMENT, detail);
}

function deviceError(detail: string): ServingError {
  return new ServingError(StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE, detail);
}

/** `NHWC:NCHW` → clients send NHWC, the model takes NCHW; a bare `NCHW` only names the dims. */
export function parseLayout(text: string, name: string): InputLayout {
  const parts = text.split(':');
  const valid = /^(\[[^\]]*\]|[A-Za-z?.]+)$/;
  if (parts.length > 2 || parts.some((part) => !valid.test(part))) {
    throw invalid(`layout "${text}" of ${name} is not LAYOUT or TENSOR_LAYOUT:MODEL_LAYOUT`);
  }
  const [first = '', second] = parts;
  return second === undefined ? { model: first } : { tensor: first, model: second };
}

/** Index of `N` in a layout (`NCHW`, `[N,C,H,W]`), or undefined when it has none. */
export function batchIndexOf(layout: string): number | undefined {
  const dims = layout.startsWith('[') ? layout.slice(1, -1).split(',') : [...layout];
  const index = dims.findIndex((dim) => dim.trim().toUpperCase() === 'N');
  return index < 0 ? undefined : index;
}

function stringify(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'YES' : 'NO') : String(value);
}

/**
 * Turns OVMS model parameters into a plan against the model's inputs, refusing names the model
 * does not have. A shape or layout without an input name goes to the only input. `shape` wins
 * over `batch_size` for the inputs it names, as in OVMS.
 */
export function planLoad(
  given: ModelLoadOptions,
  inputs: readonly PortInfo[],
  outputs: readonly PortInfo[],
  cacheDir: string | undefined,
): LoadPlan {
  const options = resolveAnonymousInput(
    given,
    inputs.map((input) => input.name),
  );
  const known = new Set(inputs.map((input) => input.name));
  const list = inputs.map((input) => input.name).join(', ');

  const layouts = new Map<string, InputLayout>();
  for (const [name, text] of Object.entries(options.layout ?? {})) {
    const layout = parseLayout(text, name);
    if (known.has(name)) {
      layouts.set(name, layout);
    } else if (outputs.some((output) => output.name === name)) {
      // OpenVINO's C API has no output layout conversion; a bare output layout changes nothing.
      if (layout.tensor !== undefined && layout.tensor !== layout.model) {
        throw invalid(`layout conversion ${text} for output ${name} is not supported`);
      }
    } else {
      throw invalid(`layout is set for ${name}, which the model does not have; inputs: ${list}`);
    }
  }

  const reshape = new Map<string, readonly ShapeDim[]>();
  const plans = new Map<string, InputPlan>();
  for (const name of Object.keys(options.shape ?? {})) {
    if (!known.has(name)) {
      throw new ServingError(
        StatusCode.RESHAPE_ERROR,
        `shape is set for ${name}, which the model does not have; inputs: ${list}`,
      );
    }
  }
  for (const input of inputs) {
    const layout = layouts.get(input.name);
    const modelBatch = layout === undefined ? 0 : (batchIndexOf(layout.model) ?? 0);
    const tensorBatch =
      layout?.tensor === undefined ? modelBatch : (batchIndexOf(layout.tensor) ?? 0);
    const shape = options.shape?.[input.name];
    const sent = layout === undefined ? {} : { layout: layout.tensor ?? layout.model };
    if (shape === 'auto') {
      plans.set(input.name, { batchDim: tensorBatch, autoDims: 'all', ...sent });
      continue;
    }
    if (shape !== undefined) {
      reshape.set(input.name, shape);
    } else if (typeof options.batchSize === 'number' && input.shape !== undefined) {
      if (input.shape.length <= modelBatch) {
        throw new ServingError(
          StatusCode.RESHAPE_ERROR,
          `batch size ${options.batchSize} needs a batch dimension; input ${input.name} has shape ${formatShape(input.shape)}`,
        );
      }
      reshape.set(
        input.name,
        input.shape.map((dim, i) => (i === modelBatch ? (options.batchSize as number) : dim)),
      );
    }
    const autoDims =
      options.batchSize === 'auto' && shape === undefined
        ? new Set([tensorBatch])
        : new Set<number>();
    plans.set(input.name, { batchDim: tensorBatch, autoDims, ...sent });
  }

  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.pluginConfig ?? {}))
    properties[key] = stringify(value);
  const cache = options.cacheDir ?? cacheDir;
  if (cache !== undefined && properties['CACHE_DIR'] === undefined) properties['CACHE_DIR'] = cache;

  return { reshape, layouts, inputs: plans, properties };
}

/**
 * Refuses a target device that is not present, before OpenVINO's own less direct error.
 * Virtual devices (AUTO, MULTI, HETERO, BATCH) are checked through the devices they list.
 */
export function checkDevice(target: string, available: readonly string[]): void {
  const colon = target.indexOf(':');
  const head = colon < 0 ? target : target.slice(0, colon);
  const virtual = ['AUTO', 'MULTI', 'HETERO', 'BATCH'].includes(head);
  const wanted = virtual
    ? colon < 0
      ? []
      : target
          .slice(colon + 1)
          .split(',')
          .map((d) => d.replace(/\(.*\)$/, '').trim())
    : [target];
  if (virtual && colon < 0 && head !== 'AUTO') {
    throw deviceError(`target device ${target} needs a device list, e.g. ${head}:CPU`);
  }
  for (const device of wanted) {
    const present = available.some((a) => a === device || a.startsWith(`${device}.`));
    if (!present) {
      const list = available.length > 0 ? available.join(', ') : 'none';
      throw deviceError(`target device ${device} is not available; available devices: ${list}`);
    }
  }
}
