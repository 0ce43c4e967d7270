// gRPC over one node:http2 session with hand-made framing: the bench clients' cheap sender (no
// grpc-js channel, no per-call encoding), shared by bench/server and bench/images.
import type { IncomingHttpHeaders } from 'node:http';
import { connect, constants as h2, type ClientHttp2Session } from 'node:http2';

/** One request of a cell, resolving to the answer's bytes. */
export type Send = () => Promise<Buffer>;

/** Large enough for a det answer in one window: no flow-control round trips on the client side. */
const CLIENT_WINDOW_BYTES = 32 * 1024 * 1024;

function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1); // byte 0: not compressed
  frame.set(message, 5);
  return frame;
}

/** Sends the same encoded message on every call; rejects on a non-OK grpc-status. */
export function grpcSender(session: ClientHttp2Session, method: string, message: Uint8Array): Send {
  const frame = grpcFrame(message);
  const headers = {
    [h2.HTTP2_HEADER_METHOD]: 'POST',
    [h2.HTTP2_HEADER_PATH]: method,
    [h2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    [h2.HTTP2_HEADER_TE]: 'trailers',
  };
  return () =>
    new Promise<Buffer>((resolve, reject) => {
      const stream = session.request(headers);
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let details: string | undefined;
      const readStatus = (fields: IncomingHttpHeaders): void => {
        const [code, message] = [fields['grpc-status'], fields['grpc-message']];
        if (typeof code === 'string') status = code;
        if (typeof message === 'string') details = message;
      };
      stream.on('response', readStatus); // trailers-only answers carry the status here
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => {
        if (status === '0') resolve(Buffer.concat(chunks));
        else
          reject(
            new Error(`${method}: grpc-status ${status}: ${decodeURIComponent(details ?? '')}`),
          );
      });
      stream.end(frame);
    });
}

/** An HTTP/2 session to a local gRPC port with windows and memory sized for large messages. */
export function connectGrpc(port: number): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${port}`, {
    settings: { initialWindowSize: CLIENT_WINDOW_BYTES },
    // Node's default (10 MB) refuses new streams with ENHANCE_YOUR_CALM once 8 det requests
    // (4.9 MB each) are queued; grpc-js clients lift the limit the same way.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  });
  session.on('connect', () => session.setLocalWindowSize(CLIENT_WINDOW_BYTES));
  session.on('error', () => {}); // surfaced by the streams that fail
  return session;
}
