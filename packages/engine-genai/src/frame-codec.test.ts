import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameError, encodeFrame } from './frame-codec.js';

describe('frame codec', () => {
  it('round-trips messages split anywhere across chunks', () => {
    const bytes = Buffer.concat([encodeFrame({ a: 1, t: 'héllo' }), encodeFrame({ b: [2] })]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new FrameDecoder();
      const got = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(got).toEqual([{ a: 1, t: 'héllo' }, { b: [2] }]);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('refuses a frame over the limit before reading its body', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025, 0);
    expect(() => new FrameDecoder(1024).push(header)).toThrow(
      new FrameError('frame of 1025 bytes is over the limit of 1024'),
    );
    expect(() => encodeFrame({ s: 'x'.repeat(2000) }, 1024)).toThrow(
      'message of 2008 bytes is over the limit of 1024',
    );
  });

  it('refuses bodies that are not JSON objects', () => {
    const frame = (body: string) => {
      const data = Buffer.from(body, 'utf8');
      const header = Buffer.alloc(4);
      header.writeUInt32BE(data.length, 0);
      return Buffer.concat([header, data]);
    };
    expect(() => new FrameDecoder().push(frame('{oops'))).toThrow(/^malformed message: /);
    expect(() => new FrameDecoder().push(frame('[1]'))).toThrow(
      'malformed message: not a JSON object',
    );
    const badUtf8 = Buffer.from([0, 0, 0, 2, 0xc3, 0x28]);
    expect(() => new FrameDecoder().push(badUtf8)).toThrow(/^malformed message: /);
  });
});
