import type { ShapeDim } from '@ovms/core';
import koffi from 'koffi';
import type {
  InputLayout,
  OvBinding,
  OvCompiledModel,
  OvInferRequest,
  OvModel,
  PortInfo,
} from '../binding.js';
import { loadCApi, type CApi, type Out, type Ptr } from './bindings.js';
import { callAsync } from './call-async.js';
import { CInferRequest } from './infer-request.js';
import { check, readPorts, taken, takeString, toPartialShape } from './ports.js';
import { applyLayoutsC } from './layouts.js';

class CCompiledModel implements OvCompiledModel {
  private outputPorts: PortInfo[] | undefined;

  constructor(
    private readonly api: CApi,
    private handle: Ptr,
    /** Compiled with INFERENCE_NUM_THREADS 1: its requests infer inline another way. */
    private readonly oneThread: boolean,
  ) {}

  inputs(): PortInfo[] {
    const api = this.api;
    return readPorts(
      api,
      this.handle,
      api.compiledModelInputsSize,
      api.compiledModelInputByIndex,
      'input',
    );
  }

  outputs(): PortInfo[] {
    const api = this.api;
    return readPorts(
      api,
      this.handle,
      api.compiledModelOutputsSize,
      api.compiledModelOutputByIndex,
      'output',
    );
  }

  optimalInferRequests(): number {
    const value = Number.parseInt(this.property('OPTIMAL_NUMBER_OF_INFER_REQUESTS', 'nireq'), 10);
    return Number.isSafeInteger(value) && value > 0 ? value : 1;
  }

  numStreams(): number | undefined {
    // Asked only where the device lists it: a failed query would overwrite OpenVINO's
    // process-wide last-error text while another model's load may be about to read its own.
    if (!this.supports('NUM_STREAMS')) return undefined;
    let text: string;
    try {
      text = this.property('NUM_STREAMS', 'streams');
    } catch {
      // A device without the property has no streams to report; serving is unaffected.
      return undefined;
    }
    const value = Number.parseInt(text, 10);
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }

  /** Whether the compiled model lists `name` among its SUPPORTED_PROPERTIES. */
  private supports(name: string): boolean {
    let listed: string;
    try {
      listed = this.property('SUPPORTED_PROPERTIES', 'supported properties');
    } catch {
      return false;
    }
    return listed.split(/[\s,]+/).some((entry) => entry.replace(/:.*$/, '') === name);
  }

  private property(name: string, what: string): string {
    const out: Out<Ptr> = [null];
    const api = this.api;
    check(api, api.compiledModelGetProperty(this.handle, name, out), what);
    return takeString(api, taken(out, what));
  }

  createInferRequest(): OvInferRequest {
    const out: Out<Ptr> = [null];
    check(
      this.api,
      this.api.compiledModelCreateInferRequest(this.handle, out),
      'creating an infer request',
    );
    // Output ports are read once per compiled model: each request maps its static outputs.
    this.outputPorts ??= this.outputs();
    return new CInferRequest(
      this.api,
      taken(out, 'infer request'),
      this.outputPorts,
      this.oneThread,
    );
  }

  free(): void {
    if (this.handle === 0n) return;
    this.api.compiledModelFree(this.handle);
    this.handle = 0n;
  }
}

class CModel implements OvModel {
  constructor(
    private readonly api: CApi,
    private readonly core: Ptr,
    private handle: Ptr,
  ) {}

  inputs(): PortInfo[] {
    const api = this.api;
    return readPorts(api, this.handle, api.modelInputsSize, api.modelConstInputByIndex, 'input');
  }

  outputs(): PortInfo[] {
    const api = this.api;
    return readPorts(api, this.handle, api.modelOutputsSize, api.modelConstOutputByIndex, 'output');
  }

  reshape(shapes: ReadonlyMap<string, readonly ShapeDim[]>): void {
    const names = [...shapes.keys()];
    const partial = [...shapes.values()].map(toPartialShape);
    check(this.api, this.api.modelReshape(this.handle, names, partial, names.length), 'reshape');
  }

  applyLayouts(layouts: ReadonlyMap<string, InputLayout>): void {
    this.handle = applyLayoutsC(this.api, this.handle, layouts);
  }

  async compile(
    device: string,
    properties: Readonly<Record<string, string>>,
  ): Promise<OvCompiledModel> {
    const props = Object.entries(properties).map(([key, value]) => ({ key, value }));
    const out: Out<Ptr> = [null];
    await callAsync(
      this.api,
      this.api.coreCompileModelProps,
      [this.core, this.handle, device, props.length, props, out],
      `compiling for ${device}`,
      true,
    );
    const oneThread = properties['INFERENCE_NUM_THREADS'] === '1';
    return new CCompiledModel(this.api, taken(out, 'compiled model'), oneThread);
  }

  free(): void {
    if (this.handle === 0n) return;
    this.api.modelFree(this.handle);
    this.handle = 0n;
  }
}

class CApiBinding implements OvBinding {
  readonly kind = 'c-api';

  constructor(
    private readonly api: CApi,
    private readonly core: Ptr,
  ) {}

  availableDevices(): string[] {
    const api = this.api;
    const list: { devices?: Ptr; size?: number | bigint } = {};
    check(api, api.coreGetAvailableDevices(this.core, list), 'listing devices');
    try {
      const size = Number(list.size ?? 0);
      return size === 0 ? [] : (koffi.decode(list.devices, 'char*', size) as string[]);
    } finally {
      api.availableDevicesFree(list);
    }
  }

  async readModel(modelPath: string, weightsPath?: string): Promise<OvModel> {
    const out: Out<Ptr> = [null];
    const args: [Ptr, string, string | null, Out<Ptr>] = [
      this.core,
      modelPath,
      weightsPath ?? null,
      out,
    ];
    await callAsync(this.api, this.api.coreReadModel, args, `reading ${modelPath}`, true);
    return new CModel(this.api, this.core, taken(out, `reading ${modelPath}`));
  }
}

const cores = new Map<string, CApiBinding>();

/** The C API binding for the `libopenvino_c` in `libDir`; one OpenVINO core per library. */
export function createCApiBinding(libDir: string): OvBinding {
  let binding = cores.get(libDir);
  if (binding === undefined) {
    const api = loadCApi(libDir);
    const out: Out<Ptr> = [null];
    check(api, api.coreCreate(out), 'creating the OpenVINO core');
    binding = new CApiBinding(api, taken(out, 'core'));
    cores.set(libDir, binding);
  }
  return binding;
}
