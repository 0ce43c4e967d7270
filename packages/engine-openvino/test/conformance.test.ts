import { describeEngineConformance } from '@ovms/testing';
import { createOpenvinoEngine } from '../src/index.js';
import { tryCreateNodeBinding } from '../src/node-binding.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

describeEngineConformance({
  name: 'openvino (C API through koffi)',
  createEngine: () => createOpenvinoEngine({ binding: 'c-api', libDir: openvinoLibDir ?? '' }),
  formats: ['ir', 'onnx'],
  ...(openvinoMissing === undefined ? {} : { skipReason: openvinoMissing }),
});

// openvino-node loads only where its install script could download its runtime.
const nodeBinding = await tryCreateNodeBinding();
describeEngineConformance({
  name: 'openvino (openvino-node)',
  createEngine: () => createOpenvinoEngine({ binding: 'openvino-node' }),
  formats: ['ir', 'onnx'],
  ...(nodeBinding === undefined
    ? { skipReason: 'openvino-node did not load (its native runtime is not installed here)' }
    : {}),
});
