import { OpenvinoError, messageOf } from '../openvino-error.js';
import type { CApi, CFunction } from './bindings.js';
import { errorFor } from './ports.js';

/**
 * Runs a C call on a koffi worker thread (so slow calls — reading, compiling, inferring —
 * never block the event loop) and turns a non-OK status into an OpenvinoError. OpenVINO keeps
 * one process-wide last-error text, so `lastMessage` is only asked for where calls rarely
 * overlap (loading); infer failures report the status' own description.
 */
export function callAsync<A extends unknown[]>(
  api: CApi,
  fn: CFunction<A, number>,
  args: A,
  what: string,
  lastMessage: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, status: number) => {
      if (error !== null && error !== undefined) {
        reject(new OpenvinoError(`${what}: ${messageOf(error)}`));
      } else if (status === 0) {
        resolve();
      } else if (lastMessage) {
        reject(errorFor(api, status, what));
      } else {
        const info = api.getErrorInfo(status) ?? `status ${status}`;
        reject(new OpenvinoError(`${what}: ${info}`, status));
      }
    });
  });
}
