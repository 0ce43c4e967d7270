import { isDimRange, type ShapeDim } from '@ovms/core';
import type {
  InputLayout,
  OutputTensor,
  OvBinding,
  OvCompiledModel,
  OvInferRequest,
  OvModel,
  PortInfo,
} from './binding.js';
import type {
  NodeAddon,
  NodeCompiledModel,
  NodeCore,
  NodeInferRequest,
  NodeModel,
  NodeOutput,
  NodeTensor,
  TypedArray,
  Wide,
} from './node-addon.js';
import { OpenvinoError, messageOf } from './openvino-error.js';
import { boundedDims } from './port-dims.js';

/** openvino-node wraps typed arrays only; these views share the request's bytes (no copy). */
const VIEW_OF: Record<
  string,
  (b: ArrayBufferLike, offset: number, length: number) => TypedArray | Wide
> = {
  u8: (b, o, n) => new Uint8Array(b, o, n),
  i8: (b, o, n) => new Int8Array(b, o, n),
  u16: (b, o, n) => new Uint16Array(b, o, n),
  i16: (b, o, n) => new Int16Array(b, o, n),
  u32: (b, o, n) => new Uint32Array(b, o, n),
  i32: (b, o, n) => new Int32Array(b, o, n),
  u64: (b, o, n) => new BigUint64Array(b, o, n),
  i64: (b, o, n) => new BigInt64Array(b, o, n),
  f32: (b, o, n) => new Float32Array(b, o, n),
  f64: (b, o, n) => new Float64Array(b, o, n),
};
const BYTES: Record<string, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  u64: 8,
  i64: 8,
  f64: 8,
};

function wrap<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new OpenvinoError(`${what}: ${messageOf(error)}`, undefined, { cause: error });
  }
}

class NodeBinding implements OvBinding {
  readonly kind = 'openvino-node';
  private readonly core: NodeCore;

  constructor(private readonly addon: NodeAddon) {
    this.core = new addon.Core();
  }

  availableDevices(): string[] {
    return wrap('listing devices', () => this.core.getAvailableDevices());
  }

  async readModel(modelPath: string, weightsPath?: string): Promise<OvModel> {
    try {
      const model = await this.core.readModel(modelPath, weightsPath);
      return new NodeModelAdapter(this.addon, this.core, model);
    } catch (error) {
      throw new OpenvinoError(`reading ${modelPath}: ${messageOf(error)}`, undefined, {
        cause: error,
      });
    }
  }
}

function portInfo(port: NodeOutput, elementType: string): PortInfo {
  const dims = port
    .getPartialShape()
    .getDimensions()
    .map((d) =>
      Array.isArray(d)
        ? { min: d[0], max: d[1] }
        : d < 0
          ? { min: 0, max: -1 }
          : { min: d, max: d },
    );
  return { name: port.getAnyName(), elementType, ...boundedDims(dims) };
}

/** openvino-node gives element types as `element` enum values or their names. */
function elementName(addon: NodeAddon, value: unknown): string {
  if (typeof value === 'string') return value;
  const entry = Object.entries(addon.element).find(([, v]) => v === value);
  return entry?.[0] ?? String(value);
}

class NodeModelAdapter implements OvModel {
  constructor(
    private readonly addon: NodeAddon,
    private readonly core: NodeCore,
    private readonly model: NodeModel,
  ) {}

  inputs(): PortInfo[] {
    // openvino-node's Output has no element type; the compiled model's inputs report it.
    return wrap('reading inputs', () => this.model.inputs.map((port) => portInfo(port, 'dynamic')));
  }

  outputs(): PortInfo[] {
    return wrap('reading outputs', () =>
      this.model.outputs.map((port, i) => portInfo(port, this.model.getOutputElementType(i))),
    );
  }

  reshape(shapes: ReadonlyMap<string, readonly ShapeDim[]>): void {
    // OpenVINO's partial shape text: `?` any size, `100..200` an interval.
    const dimText = (d: ShapeDim) => (isDimRange(d) ? `${d.min}..${d.max}` : d < 0 ? '?' : d);
    const text = new Map(
      [...shapes].map(([name, dims]) => [name, `[${dims.map(dimText).join(',')}]`]),
    );
    wrap('reshape', () => this.model.reshape(text));
  }

  applyLayouts(layouts: ReadonlyMap<string, InputLayout>): void {
    wrap('layout', () => {
      const ppp = new this.addon.preprocess.PrePostProcessor(this.model);
      for (const [name, layout] of layouts) {
        ppp.input(name).model().setLayout(layout.model);
        if (layout.tensor !== undefined) ppp.input(name).tensor().setLayout(layout.tensor);
      }
      ppp.build();
    });
  }

  async compile(
    device: string,
    properties: Readonly<Record<string, string>>,
  ): Promise<OvCompiledModel> {
    try {
      const compiled = await this.core.compileModel(this.model, device, { ...properties });
      return new NodeCompiledModelAdapter(this.addon, this.model, compiled);
    } catch (error) {
      throw new OpenvinoError(`compiling for ${device}: ${messageOf(error)}`, undefined, {
        cause: error,
      });
    }
  }

  free(): void {
    // openvino-node frees native objects when they are garbage collected.
  }
}

class NodeCompiledModelAdapter implements OvCompiledModel {
  constructor(
    private readonly addon: NodeAddon,
    private readonly model: NodeModel,
    private readonly compiled: NodeCompiledModel,
  ) {}

  inputs(): PortInfo[] {
    return wrap('reading inputs', () => {
      const probe = this.compiled.createInferRequest();
      return this.compiled.inputs.map((port, i) =>
        portInfo(port, elementName(this.addon, probe.getInputTensor(i).getElementType())),
      );
    });
  }

  outputs(): PortInfo[] {
    return wrap('reading outputs', () =>
      this.compiled.outputs.map((port, i) => portInfo(port, this.model.getOutputElementType(i))),
    );
  }

  optimalInferRequests(): number {
    const value = Number(
      wrap('nireq', () => this.compiled.getProperty('OPTIMAL_NUMBER_OF_INFER_REQUESTS')),
    );
    return Number.isSafeInteger(value) && value > 0 ? value : 1;
  }

  numStreams(): number | undefined {
    let value: number;
    try {
      value = Number(this.compiled.getProperty('NUM_STREAMS'));
    } catch {
      // A device without the property has no streams to report; serving is unaffected.
      return undefined;
    }
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }

  createInferRequest(): OvInferRequest {
    return new NodeInferRequestAdapter(
      this.addon,
      wrap('creating an infer request', () => this.compiled.createInferRequest()),
    );
  }

  free(): void {
    // Garbage collected by openvino-node.
  }
}

class NodeInferRequestAdapter implements OvInferRequest {
  private readonly tensors: NodeTensor[] = [];

  constructor(
    private readonly addon: NodeAddon,
    private readonly request: NodeInferRequest,
  ) {}

  setInput(index: number, elementType: string, shape: readonly number[], data: Uint8Array): void {
    const view = VIEW_OF[elementType];
    const size = BYTES[elementType];
    if (view === undefined || size === undefined) {
      throw new OpenvinoError(`input ${index}: openvino-node cannot wrap ${elementType} data`);
    }
    // Typed arrays cannot start at a misaligned offset; only then is the input copied.
    const bytes = data.byteOffset % size === 0 ? data : data.slice();
    const typed = view(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
    this.tensors[index] = wrap(
      `input ${index}`,
      () => new this.addon.Tensor(elementType, [...shape], typed),
    );
  }

  async infer(): Promise<void> {
    try {
      await this.request.inferAsync(this.tensors);
    } catch (error) {
      throw new OpenvinoError(`infer: ${messageOf(error)}`, undefined, { cause: error });
    }
  }

  getOutput(index: number): OutputTensor {
    return wrap(`output ${index}`, () => {
      const tensor = this.request.getOutputTensor(index);
      const typed = tensor.getData();
      // One copy: the request reuses this memory on its next infer (see c-api/binding.ts).
      const data = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength).slice();
      return {
        elementType: elementName(this.addon, tensor.getElementType()),
        shape: tensor.getShape(),
        data,
      };
    });
  }

  free(): void {
    this.tensors.length = 0;
  }
}

/**
 * The openvino-node binding when `import('openvino-node')` loads and its native addon works;
 * undefined otherwise (the package is optional and its runtime download may not have run).
 */
export async function tryCreateNodeBinding(): Promise<OvBinding | undefined> {
  // A variable specifier keeps TypeScript from requiring the optional package at build time.
  const specifier = 'openvino-node';
  try {
    const mod = (await import(specifier)) as { addon?: NodeAddon; default?: { addon?: NodeAddon } };
    const addon = mod.addon ?? mod.default?.addon;
    return addon === undefined ? undefined : new NodeBinding(addon);
  } catch {
    return undefined;
  }
}
