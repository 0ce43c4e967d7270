/** `<transport> transport loop stopped` records of an ovms log: requests per loop, by loop. */
export function loopRequests(output: string, transport: 'gRPC' | 'REST'): number[] {
  const message = `"${transport} transport loop stopped"`;
  return output
    .split('\n')
    .filter((line) => line.includes(message))
    .map((line) => JSON.parse(line) as { loop: number; requests: number })
    .sort((a, b) => a.loop - b.loop)
    .map((record) => record.requests);
}
