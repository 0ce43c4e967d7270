import { describe, expect, it } from 'vitest';
import { ServingError } from '@ovms/core';
import type { PortInfo } from './binding.js';
import { batchIndexOf, checkDevice, parseLayout, planLoad } from './load-options.js';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const image: PortInfo = { name: 'image', elementType: 'f32', shape: [1, 3, 8, 8] };
const out: PortInfo = { name: 'scores', elementType: 'f32', shape: [1, 10] };

describe('layouts', () => {
  it('parses TENSOR:MODEL and bare layouts, and finds N', () => {
    expect(parseLayout('NHWC:NCHW', 'x')).toEqual({ tensor: 'NHWC', model: 'NCHW' });
    expect(parseLayout('[N,C,H,W]', 'x')).toEqual({ model: '[N,C,H,W]' });
    expect(batchIndexOf('CN')).toBe(1);
    expect(batchIndexOf('[C,N]')).toBe(1);
    expect(batchIndexOf('CHW')).toBeUndefined();
  });

  it('refuses a malformed layout naming it', () => {
    const error = thrown(() => parseLayout('NC:HW:X', 'image'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'Invalid argument - layout "NC:HW:X" of image is not LAYOUT or TENSOR_LAYOUT:MODEL_LAYOUT',
    );
  });
});

describe('planLoad', () => {
  it('sets the batch at the layout N and reports it where clients send it', () => {
    const plan = planLoad(
      { batchSize: 4, layout: { image: 'NHWC:CNHW' } },
      [image],
      [out],
      undefined,
    );
    expect(plan.reshape.get('image')).toEqual([1, 4, 8, 8]);
    expect(plan.inputs.get('image')?.batchDim).toBe(0);
  });

  it('reports the layout clients send: the tensor side, else the model layout', () => {
    const sent = planLoad({ layout: { image: 'NHWC:NCHW' } }, [image], [out], undefined);
    expect(sent.inputs.get('image')?.layout).toBe('NHWC');
    const bare = planLoad({ layout: { image: 'NCHW' } }, [image], [out], undefined);
    expect(bare.inputs.get('image')?.layout).toBe('NCHW');
    expect(planLoad({}, [image], [out], undefined).inputs.get('image')?.layout).toBeUndefined();
  });

  it('lets shape win over batch_size and marks auto dims', () => {
    const plan = planLoad({ shape: { image: 'auto' }, batchSize: 2 }, [image], [out], undefined);
    expect(plan.reshape.size).toBe(0);
    expect(plan.inputs.get('image')?.autoDims).toBe('all');
    const auto = planLoad({ batchSize: 'auto' }, [image], [out], undefined);
    expect(auto.inputs.get('image')?.autoDims).toEqual(new Set([0]));
  });

  it('passes plugin config as strings and the cache dir as CACHE_DIR', () => {
    const plan = planLoad(
      { pluginConfig: { NUM_STREAMS: 2, PERF_COUNT: true } },
      [image],
      [out],
      '/cache',
    );
    expect(plan.properties).toEqual({ NUM_STREAMS: '2', PERF_COUNT: 'YES', CACHE_DIR: '/cache' });
    const own = planLoad({ cacheDir: '/mine' }, [image], [out], '/cache');
    expect(own.properties).toEqual({ CACHE_DIR: '/mine' });
  });

  it('refuses shapes and layouts for tensors the model does not have', () => {
    const shape = thrown(() => planLoad({ shape: { img: [1] } }, [image], [out], undefined));
    expect(shape.code).toBe('RESHAPE_ERROR');
    expect(shape.message).toBe(
      'Model could not be reshaped with requested shape - shape is set for img, which the model does not have; inputs: image',
    );
    const layout = thrown(() => planLoad({ layout: { img: 'NCHW' } }, [image], [out], undefined));
    expect(layout.code).toBe('INVALID_ARGUMENT');
    expect(layout.message).toBe(
      'Invalid argument - layout is set for img, which the model does not have; inputs: image',
    );
  });

  it('accepts a bare output layout and refuses an output conversion', () => {
    expect(planLoad({ layout: { scores: 'NC' } }, [image], [out], undefined).layouts.size).toBe(0);
    const error = thrown(() =>
      planLoad({ layout: { scores: 'CN:NC' } }, [image], [out], undefined),
    );
    expect(error.message).toBe(
      'Invalid argument - layout conversion CN:NC for output scores is not supported',
    );
  });

  it('refuses batch_size on an input without a batch dimension', () => {
    const scalar: PortInfo = { name: 's', elementType: 'f32', shape: [] };
    const error = thrown(() => planLoad({ batchSize: 2 }, [scalar], [], undefined));
    expect(error.code).toBe('RESHAPE_ERROR');
    expect(error.message).toBe(
      'Model could not be reshaped with requested shape - batch size 2 needs a batch dimension; input s has shape ()',
    );
  });
});

describe('checkDevice', () => {
  const available = ['CPU', 'GPU.0'];

  it('accepts present devices, GPU for GPU.0, and virtual devices over present ones', () => {
    for (const device of [
      'CPU',
      'GPU',
      'GPU.0',
      'AUTO',
      'AUTO:GPU,CPU',
      'MULTI:CPU',
      'HETERO:GPU,CPU',
      'BATCH:GPU(4)',
    ]) {
      expect(() => checkDevice(device, available)).not.toThrow();
    }
  });

  it('names the missing device and the available ones', () => {
    const error = thrown(() => checkDevice('NPU', available));
    expect(error.code).toBe('CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE');
    expect(error.message).toBe(
      'Cannot compile model into target device - target device NPU is not available; available devices: CPU, GPU.0',
    );
    expect(thrown(() => checkDevice('HETERO:NPU,CPU', ['CPU'])).message).toBe(
      'Cannot compile model into target device - target device NPU is not available; available devices: CPU',
    );
    expect(thrown(() => checkDevice('MULTI', ['CPU'])).message).toBe(
      'Cannot compile model into target device - target device MULTI needs a device list, e.g. MULTI:CPU',
    );
    expect(thrown(() => checkDevice('CPU', [])).message).toBe(
      'Cannot compile model into target device - target device CPU is not available; available devices: none',
    );
  });
});
