import { describe, expect, it } from 'vitest';
import { toChannelOptions } from './grpc-options.js';

describe('toChannelOptions', () => {
  it('turns integer values into numbers and keeps the rest as strings', () => {
    expect(
      toChannelOptions({
        'grpc.max_concurrent_streams': '100',
        'grpc.keepalive_time_ms': '-1',
        'grpc.primary_user_agent': 'ovms 1.0',
      }),
    ).toEqual({
      'grpc.max_concurrent_streams': 100,
      'grpc.keepalive_time_ms': -1,
      'grpc.primary_user_agent': 'ovms 1.0',
    });
  });
});
