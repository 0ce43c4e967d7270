import { describeEngineConformance } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '../src/index.js';

describeEngineConformance({
  name: 'onnxruntime',
  createEngine: () => createOnnxRuntimeEngine(),
  formats: ['onnx'],
  // ONNX Runtime cannot reshape a model or transpose its inputs; both are refused at load.
  capabilities: { reshape: false, layout: false },
});
