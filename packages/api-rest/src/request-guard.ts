import type { Logger } from '@ovms/core';
import type { MiddlewareHandler } from 'hono';
import type { RestContext, RestEnv } from './context.js';
import { failureResponse } from './errors.js';

/**
 * Gives the request's memory lease back once its response is written (or its connection is
 * gone): a response still holds the output bytes until then. Without a Node response (the app
 * served by `fetch`) the answer is in the caller's hands, so the lease goes back at once.
 */
function releaseWhenWritten(c: RestContext): void {
  const lease = c.get('memoryLease');
  if (lease === undefined) return;
  const outgoing = (c.env as RestEnv['Bindings'] | undefined)?.outgoing;
  if (outgoing === undefined || outgoing.writableFinished || outgoing.destroyed) lease.release();
  else outgoing.once('close', () => lease.release());
}

/**
 * The outermost middleware: answers whatever a route throws that hono's error handler does not
 * take (hono hands it only `Error`s; a rejected non-Error would reach @hono/node-server, which
 * answers an empty 500) with `{"error"}`, and releases the request's memory lease on every path.
 */
export function guardRequests(logger: Logger): MiddlewareHandler<RestEnv> {
  return async (c, next) => {
    try {
      await next();
    } catch (thrown) {
      c.res = failureResponse(thrown, logger, `${c.req.method} ${c.req.path}`);
    } finally {
      releaseWhenWritten(c);
    }
  };
}
