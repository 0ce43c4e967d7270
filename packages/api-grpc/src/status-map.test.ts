import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode } from '@ovms/core';
import { STATUS_TO_GRPC, grpcStatusOfUnknown } from './status-map.js';

describe('STATUS_TO_GRPC', () => {
  it('maps every StatusCode', () => {
    expect(Object.keys(STATUS_TO_GRPC).sort()).toEqual(Object.keys(StatusCode).sort());
  });

  it('follows OVMS grpcStatusMap for the serving codes', () => {
    expect(STATUS_TO_GRPC.MODEL_NAME_MISSING).toBe(status.NOT_FOUND);
    expect(STATUS_TO_GRPC.MODEL_VERSION_NOT_LOADED_YET).toBe(status.NOT_FOUND);
    expect(STATUS_TO_GRPC.MODEL_VERSION_NOT_LOADED_ANYMORE).toBe(status.NOT_FOUND);
    expect(STATUS_TO_GRPC.MODEL_SPEC_MISSING).toBe(status.INVALID_ARGUMENT);
    expect(STATUS_TO_GRPC.INVALID_SHAPE).toBe(status.INVALID_ARGUMENT);
    expect(STATUS_TO_GRPC.RESHAPE_ERROR).toBe(status.FAILED_PRECONDITION);
    expect(STATUS_TO_GRPC.INTERNAL_INFERENCE_ERROR).toBe(status.INTERNAL);
    expect(STATUS_TO_GRPC.SERVER_NOT_READY).toBe(status.UNAVAILABLE);
    expect(STATUS_TO_GRPC.RESOURCE_EXHAUSTED).toBe(status.RESOURCE_EXHAUSTED);
    expect(STATUS_TO_GRPC.NOT_IMPLEMENTED).toBe(status.UNIMPLEMENTED);
  });
});

describe('grpcStatusOfUnknown', () => {
  it('keeps a ServingError message with its detail', () => {
    const thrown = new ServingError(StatusCode.INVALID_SHAPE, 'Expected: (1); Actual: (2)');
    expect(grpcStatusOfUnknown(thrown).status).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'Invalid input shape - Expected: (1); Actual: (2)',
    });
  });

  it('answers anything else as INTERNAL without leaking its message', () => {
    const { error, status: answer } = grpcStatusOfUnknown(new Error('secret path /x'));
    expect(answer).toEqual({ code: status.INTERNAL, details: 'Internal server error' });
    expect(error.cause).toBeInstanceOf(Error);
  });
});
