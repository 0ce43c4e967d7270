/*
 * The part of openvino-node's addon (lib/addon.ts in openvinotoolkit/openvino) this binding
 * uses, declared here because the package is an optional dependency that is absent where its
 * runtime download cannot run, so its own .d.ts is not always there to check against.
 */
export type TypedArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type Wide = Float32Array | Float64Array | BigInt64Array | BigUint64Array;
export interface NodeTensor {
  getElementType(): unknown;
  getShape(): number[];
  getData(): TypedArray | Wide;
}
export interface NodePartialShape {
  isDynamic(): boolean;
  getDimensions(): (number | [number, number])[];
}
export interface NodeOutput {
  getAnyName(): string;
  getPartialShape(): NodePartialShape;
}
export interface NodeInferRequest {
  setInputTensor(index: number, tensor: NodeTensor): void;
  getInputTensor(index: number): NodeTensor;
  getOutputTensor(index: number): NodeTensor;
  inferAsync(inputs: NodeTensor[]): Promise<Record<string, NodeTensor>>;
}
export interface NodeCompiledModel {
  inputs: NodeOutput[];
  outputs: NodeOutput[];
  getProperty(name: string): string | number | boolean;
  createInferRequest(): NodeInferRequest;
}
export interface NodeModel {
  inputs: NodeOutput[];
  outputs: NodeOutput[];
  getOutputElementType(index: number): string;
  reshape(shapes: Map<string, string>): NodeModel;
}
export interface NodeCore {
  getAvailableDevices(): string[];
  readModel(modelPath: string, weightsPath?: string): Promise<NodeModel>;
  compileModel(
    model: NodeModel,
    device: string,
    config?: Record<string, string>,
  ): Promise<NodeCompiledModel>;
}
export interface NodeAddon {
  Core: new () => NodeCore;
  Tensor: new (type: string, shape: number[], data: TypedArray | Wide) => NodeTensor;
  element: Record<string, unknown>;
  preprocess: {
    PrePostProcessor: new (model: NodeModel) => {
      input(name: string): {
        tensor(): { setLayout(layout: string): unknown };
        model(): { setLayout(layout: string): unknown };
      };
      build(): unknown;
    };
  };
}
