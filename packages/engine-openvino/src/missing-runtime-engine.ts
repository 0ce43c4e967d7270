import { ServingError, StatusCode, findModelFiles, formatName, type Engine } from '@ovms/core';

/**
 * Stands in for the OpenVINO engine when its runtime was not found (`reason` says where it was
 * looked for). Listed after the engines that are present, it claims the model directories only
 * OpenVINO reads (IR, TensorFlow, TensorFlow Lite, Paddle; ONNX goes to onnxruntime first) so
 * their load fails naming the format and the missing runtime instead of "no engine".
 */
export function createMissingOpenvinoEngine(reason: string): Engine {
  return {
    name: 'openvino',
    async canLoad(dir: string): Promise<boolean> {
      return (await findModelFiles(dir)) !== undefined;
    },
    async load(dir: string): Promise<never> {
      const files = await findModelFiles(dir);
      const what =
        files === undefined
          ? `The model in ${dir}`
          : `${formatName(files.format)} model ${files.model}`;
      throw new ServingError(
        StatusCode.MODEL_FILE_INVALID,
        `${what} needs the OpenVINO runtime, which was not found: ${reason}`,
      );
    },
  };
}
