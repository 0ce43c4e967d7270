import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  ROBUSTNESS_MAX_MESSAGE_BYTES,
  UNARY_METHODS,
  addModelInfer,
  expectAnswered,
  expectServing,
  mutate,
  seededRandom,
  sendRaw,
  useServedRepository,
} from './support/robustness.js';

// Robustness of the gRPC port, on the real `ovms` process: bounded, seeded cases that a broken
// client, a fuzzer or an attacker could send. Each must be answered with a status the server
// chose (never INTERNAL, a hang or a crash), and the server must still serve afterwards.
const RANDOM_PER_METHOD = 40;
const MUTATED_PER_METHOD = 60;

const served = useServedRepository();

describe('the gRPC port under random and damaged messages', () => {
  it.each(UNARY_METHODS.map(([path]) => [path]))(
    '%s answers random bytes and mutated valid requests, then still serves',
    async (path) => {
      const valid = UNARY_METHODS.find(([candidate]) => candidate === path)?.[1];
      if (valid === undefined) throw new Error(`no valid request for ${path}`);
      const random = seededRandom(path.length * 7919);
      for (let i = 0; i < RANDOM_PER_METHOD; i++) {
        const bytes = random.bytes(random.int(i % 4 === 0 ? 4096 : 64));
        expectAnswered(await sendRaw(served().client, path, bytes), `${path} random #${i}`);
      }
      for (let i = 0; i < MUTATED_PER_METHOD; i++) {
        expectAnswered(
          await sendRaw(served().client, path, mutate(valid, random)),
          `${path} mutated #${i}`,
        );
      }
      expect(served().server.exited()).toBe(false);
      await expectServing(served().client, served().server.restUrl);
    },
  );

  it('ModelStreamInfer answers damaged requests in the stream and keeps streaming', async () => {
    const random = seededRandom(4242);
    const identity = (bytes: Buffer): Buffer => bytes;
    const stream = served().client.makeBidiStreamRequest<Buffer, Buffer>(
      '/inference.GRPCInferenceService/ModelStreamInfer',
      identity,
      identity,
      new grpc.Metadata(),
      { deadline: Date.now() + 30_000 },
    );
    const valid = 10;
    let answered = 0;
    const firstAnswers = new Promise<void>((resolve) =>
      stream.on('data', () => {
        answered += 1;
        if (answered === valid) resolve();
      }),
    );
    const ended = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    stream.on('error', () => undefined);
    // Valid requests first, each answered in the stream, then damaged ones.
    for (let i = 0; i < valid; i++) stream.write(Buffer.from(addModelInfer()));
    await firstAnswers;
    for (let i = 0; i < 50; i++) stream.write(Buffer.from(mutate(addModelInfer(), random)));
    stream.end();
    const status = await ended;
    // A message that does not decode ends the stream (gRPC's own INTERNAL "Error deserializing
    // request"); a damaged one that decodes is answered in the stream like any other. Either
    // way the call ends cleanly and the server serves on.
    expectAnswered({ code: status.code, details: status.details }, 'stream end');
    expect(answered).toBeGreaterThanOrEqual(valid);
    await expectServing(served().client, served().server.restUrl);
  });

  it('500 ModelInfer calls cancelled right after they start leave it healthy', async () => {
    const identity = (bytes: Buffer): Buffer => bytes;
    const calls = Array.from({ length: 500 }, () => {
      const call = served().client.makeUnaryRequest<Buffer, Buffer>(
        '/inference.GRPCInferenceService/ModelInfer',
        identity,
        identity,
        Buffer.from(addModelInfer()),
        new grpc.Metadata(),
        { deadline: Date.now() + 30_000 },
        () => undefined,
      );
      return call;
    });
    for (const call of calls) call.cancel();
    await expectServing(served().client, served().server.restUrl);
    expect(served().server.exited()).toBe(false);
  });

  it('refuses a message over the limit with RESOURCE_EXHAUSTED, then still serves', async () => {
    const oversize = new Uint8Array(ROBUSTNESS_MAX_MESSAGE_BYTES + 1);
    const outcome = await sendRaw(
      served().client,
      '/inference.GRPCInferenceService/ModelInfer',
      oversize,
    );
    expect(outcome.code, outcome.details).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await expectServing(served().client, served().server.restUrl);
  });
});
