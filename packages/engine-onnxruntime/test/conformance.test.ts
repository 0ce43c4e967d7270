import { describeEngineConformance } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '../src/index.js';

// Every capability: shape and batch_size rewrite the graph inputs, layout adds a Transpose.
describeEngineConformance({
  name: 'onnxruntime',
  createEngine: () => createOnnxRuntimeEngine(),
  formats: ['onnx'],
});
