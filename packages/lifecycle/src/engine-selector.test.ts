import type { Engine } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { createEngineSelector } from './engine-selector.js';

function engine(name: string, accepts: string): Engine {
  return {
    name,
    canLoad: (dir) => Promise.resolve(dir.endsWith(accepts)),
    load: () => Promise.reject(new Error('not used')),
  };
}

describe('createEngineSelector', () => {
  const selector = createEngineSelector([
    engine('openvino', '.xml'),
    engine('onnxruntime', '.onnx'),
  ]);

  it('picks the first engine that can load the directory', async () => {
    expect((await selector.select('/m/1/model.onnx')).name).toBe('onnxruntime');
    expect((await selector.select('/m/1/model.xml')).name).toBe('openvino');
  });

  it('honours a named engine', async () => {
    expect((await selector.select('/m/1/model.xml', 'onnxruntime')).name).toBe('onnxruntime');
  });

  it('says which engines exist when the named one does not, and when none fits', async () => {
    await expect(selector.select('/m/1', 'tensorrt')).rejects.toThrow(
      'Engine tensorrt is not registered (registered: openvino, onnxruntime)',
    );
    await expect(selector.select('/m/1/model.pb')).rejects.toThrow(
      'No registered engine can load the model files in /m/1/model.pb',
    );
  });
});
