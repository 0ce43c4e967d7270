import type { GrpcServerOptions } from '@ovms/api-grpc';

/** grpc-js server options, named through api-grpc so the app needs no grpc-js import. */
export type ChannelOptions = NonNullable<GrpcServerOptions['channelOptions']>;

/**
 * `--grpc_channel_arguments key=value,…` (already split by @ovms/config) as grpc-js server
 * options. gRPC channel arguments are integers or strings, so integer-looking values become
 * numbers (`grpc.max_concurrent_streams=100`) and the rest stay strings. Keys grpc-js does not
 * know are passed through and ignored by it, as gRPC core ignores unknown arguments.
 */
export function toChannelOptions(args: Readonly<Record<string, string>>): ChannelOptions {
  const options: ChannelOptions = {};
  for (const [key, value] of Object.entries(args)) {
    options[key] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return options;
}
