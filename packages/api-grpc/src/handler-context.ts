import type {
  Logger,
  MetricsRecorder,
  ModelControl,
  Servable,
  ServableAdmin,
  ServableLease,
  ServableProvider,
} from '@ovms/core';

/** What every handler reads: the model manager's two faces, metrics, logs, server identity. */
export interface HandlerContext {
  readonly provider: ServableProvider;
  readonly admin: ServableAdmin;
  readonly metrics: MetricsRecorder;
  readonly logger: Logger;
  readonly serverName: string;
  readonly serverVersion: string;
  /** Triton's repository and statistics extensions; absent: those RPCs are UNIMPLEMENTED. */
  readonly modelControl: ModelControl | undefined;
}

/**
 * The servable a call is about, filled in as the handler learns it: the name and version label
 * its metrics, and the lease it holds. The lease is released by the caller only after the
 * response has been serialized, because responses view the engine's output buffers (no copy).
 */
export interface CallSubject {
  name: string;
  version: number | undefined;
  lease: ServableLease | undefined;
}

export function newCallSubject(): CallSubject {
  return { name: '', version: undefined, lease: undefined };
}

/** Acquires `name` (and `version`, or the default) for the call, recording what was served. */
export async function acquireServable(
  ctx: HandlerContext,
  subject: CallSubject,
  name: string,
  version: number | undefined,
): Promise<Servable> {
  subject.name = name;
  const lease = await ctx.provider.acquire(name, version);
  subject.lease = lease;
  subject.version = lease.servable.version;
  return lease.servable;
}

/** Releases the call's lease, if any; a failing release is logged, never answered. */
export function releaseSubject(ctx: HandlerContext, subject: CallSubject): void {
  const lease = subject.lease;
  if (lease === undefined) return;
  subject.lease = undefined;
  Promise.resolve(lease[Symbol.asyncDispose]()).catch((error: unknown) => {
    ctx.logger.error(
      { name: subject.name, version: subject.version, err: error },
      'lease release failed',
    );
  });
}
