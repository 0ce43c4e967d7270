/** `<transport> transport loop stopped` records of an ovms log: requests per loop, by loop. */
export function loopRequests(output: string, transport: 'gRPC' | 'REST'): number[] {
  return loopCounts(output, transport, 'requests');
}

/** A count of the `<transport> transport loop stopped` records (`requests`, `decoded`), by loop. */
export function loopCounts(output: string, transport: 'gRPC' | 'REST', count: string): number[] {
  const message = `"${transport} transport loop stopped"`;
  return output
    .split('\n')
    .filter((line) => line.includes(message))
    .map((line) => JSON.parse(line) as { loop: number } & Record<string, number>)
    .sort((a, b) => a.loop - b.loop)
    .map((record) => record[count] ?? Number.NaN);
}
