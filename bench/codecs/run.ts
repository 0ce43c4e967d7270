// Runs every codec benchmark in one process, so the figures are comparable side by side.
//   pnpm bench:codecs
import { loadavg } from 'node:os';
import { float32JsonPath } from '@ovms/codecs';
import { printAdversarialJsonBench, runAdversarialJsonBench } from './adversarial.js';
import { runGrpcCodecBench } from './grpc.js';
import { runRestCodecBench } from './rest.js';

const grpc = await runGrpcCodecBench();
const rest = await runRestCodecBench();
const width = Math.max(...[...grpc, ...rest].map((row) => row.path.length));
console.log('\ngRPC codec paths, 1x3x224x224 FP32 (588 KiB payload), MB/s of tensor data:');
for (const row of grpc) {
  console.log(`  ${row.path.padEnd(width)}  ${row.mbPerSec.toFixed(0).padStart(7)} MB/s`);
}
console.log(
  `\nREST codec paths, FP32, MB/s of tensor data: wall clock, then CPU time of this process (FP32 text path: ${float32JsonPath()}; load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')})`,
);
for (const row of rest) {
  console.log(
    `  ${row.path.padEnd(width)}  ${row.mbPerSec.toFixed(0).padStart(7)} MB/s  ${row.cpuMbPerSec.toFixed(0).padStart(7)} MB/s CPU`,
  );
}
printAdversarialJsonBench(await runAdversarialJsonBench());
