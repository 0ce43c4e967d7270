// The load generator of bench/server/loops.ts, in a process of its own: KServe ModelInfer over
// several HTTP/2 connections (one per request in flight, at most MAX_CONNECTIONS), so that a
// server with several transport loops gets connections on each (SO_REUSEPORT spreads them).
import type { ClientHttp2Session } from 'node:http2';
import { ModelInferResponse } from '@ovms/proto';
import { connectGrpc, grpcSender } from './grpc-sender.js';
import { serveBenchRequests } from './ipc.js';
import { BENCH_MODELS, kserveInferMessage, measureClosedLoop } from './workload.js';
import type { BenchModelName, CellResult } from './workload.js';

const MAX_CONNECTIONS = 16;

export interface LoopsClientRequest {
  readonly grpcPort: number;
  readonly model: BenchModelName;
  readonly inflight: number;
  readonly seconds: number;
}

const sessions = new Map<number, ClientHttp2Session[]>();

function connections(port: number, count: number): ClientHttp2Session[] {
  const open = (sessions.get(port) ?? []).filter((session) => !session.closed);
  while (open.length < count) open.push(connectGrpc(port));
  sessions.set(port, open);
  return open.slice(0, count);
}

serveBenchRequests<LoopsClientRequest, CellResult>(async (request) => {
  const model = BENCH_MODELS[request.model];
  const message = kserveInferMessage(model);
  const senders = connections(request.grpcPort, Math.min(request.inflight, MAX_CONNECTIONS)).map(
    (session) => grpcSender(session, '/inference.GRPCInferenceService/ModelInfer', message),
  );
  const answer = ModelInferResponse.decode((await senders[0]!()).subarray(5));
  if (answer.rawOutputContents.length === 0) throw new Error('ModelInfer answered no outputs');
  // Each request in flight keeps to one connection: lane i uses connection i mod count.
  let lane = 0;
  const lanes = senders.length;
  return measureClosedLoop(() => senders[lane++ % lanes]!(), request.inflight, request.seconds);
});
