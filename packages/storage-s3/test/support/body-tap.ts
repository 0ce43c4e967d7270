import { Readable, Transform } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/** What a tap may do to one GetObject body chunk, given how many calls came before. */
export type ChunkTap = (chunk: Buffer, call: number, key: string) => Buffer | Promise<Buffer>;

/**
 * Routes every GetObject response body of `client` through `tap`, as a flaky network or disk
 * would alter it; the rest of the SDK and the server stay real. `before` runs before a GET is
 * sent (e.g. to overwrite the object between the listing and the GET).
 */
export function tapGetObject(
  client: S3Client,
  hooks: {
    tap?: ChunkTap;
    before?: (key: string, call: number) => Promise<void>;
    /** Runs before each ListObjectsV2 request is sent. */
    beforeList?: () => Promise<unknown> | undefined;
  },
): void {
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListObjectsV2Command') await hooks.beforeList?.();
      if (context.commandName !== 'GetObjectCommand') return next(args);
      const call = calls++;
      const key = String((args.input as { Key?: string }).Key);
      await hooks.before?.(key, call);
      const result = await next(args);
      const output = result.output as { Body?: unknown };
      const tap = hooks.tap;
      if (tap && output.Body instanceof Readable) {
        output.Body = output.Body.pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              // a tap that throws fails the stream, as a cut connection does
              new Promise<Buffer>((resolve) => resolve(tap(chunk, call, key))).then(
                (altered) => callback(null, altered),
                (error: Error) => callback(error),
              );
            },
          }),
        );
      }
      return result;
    },
    { step: 'initialize', name: 'testBodyTap' },
  );
}

/** The chunk with its first byte flipped: same length, other bytes. */
export function flipFirstByte(chunk: Buffer): Buffer {
  const copy = Buffer.from(chunk);
  copy[0] = (copy[0] ?? 0) ^ 0xff;
  return copy;
}
