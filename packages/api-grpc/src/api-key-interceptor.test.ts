import * as grpc from '@grpc/grpc-js';
import { silentLogger } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_GRPC_CALLS, createApiKeyInterceptor } from './api-key-interceptor.js';

// A real grpc-js server and client over two hand-made byte-echo services: one the open set
// names as a whole service (standard health checking), one it does not.
const bytes = (value: Buffer) => value;
const method = (path: string) => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: bytes,
  requestDeserialize: bytes,
  responseSerialize: bytes,
  responseDeserialize: bytes,
});
const healthService = { Check: method('/grpc.health.v1.Health/Check') };
const privateService = { Call: method('/test.Private/Call') };
const echo: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => callback(null, call.request);

let server: grpc.Server;
let address: string;

beforeAll(async () => {
  server = new grpc.Server({
    interceptors: [createApiKeyInterceptor({ apiKey: 'k3y', logger: silentLogger })],
  });
  server.addService(healthService, { Check: echo });
  server.addService(privateService, { Call: echo });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
});
afterAll(() => server.forceShutdown());

function call(path: string, authorization?: string): Promise<string> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(path, bytes, bytes, Buffer.from('ping'), metadata, (error, reply) =>
      error ? reject(error) : resolve(reply?.toString() ?? ''),
    );
  }).finally(() => client.close());
}

async function refusal(promise: Promise<unknown>): Promise<[string, string]> {
  const error = (await promise.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  )) as grpc.ServiceError;
  return [grpc.status[error.code] ?? '', error.details];
}

describe('createApiKeyInterceptor', () => {
  it('opens the health RPCs and the standard health and reflection services', () => {
    expect([...OPEN_GRPC_CALLS]).toEqual([
      '/inference.GRPCInferenceService/ServerLive',
      '/inference.GRPCInferenceService/ServerReady',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
  });

  it('lets a call of an open service through without a key', async () => {
    expect(await call('/grpc.health.v1.Health/Check')).toBe('ping');
  });

  it('runs any other call only with the key', async () => {
    expect(await call('/test.Private/Call', 'Bearer k3y')).toBe('ping');
    expect(await refusal(call('/test.Private/Call'))).toEqual([
      'UNAUTHENTICATED',
      'Missing API key - expected the header "Authorization: Bearer <key>"',
    ]);
    expect(await refusal(call('/test.Private/Call', 'Bearer nope'))).toEqual([
      'UNAUTHENTICATED',
      'Invalid API key',
    ]);
    expect(await refusal(call('/test.Private/Call', 'k3y'))).toEqual([
      'UNAUTHENTICATED',
      'Malformed Authorization header - expected "Bearer <key>"',
    ]);
  });
});
