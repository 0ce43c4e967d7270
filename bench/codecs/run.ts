// Runs every codec benchmark in one process, so the figures are comparable side by side.
//   pnpm bench:codecs
import { printAdversarialJsonBench, runAdversarialJsonBench } from './adversarial.js';
import { runGrpcCodecBench } from './grpc.js';
import { runRestCodecBench } from './rest.js';

const rows = [...(await runGrpcCodecBench()), ...(await runRestCodecBench())];
const width = Math.max(...rows.map((row) => row.path.length));
console.log('\nAll codec paths, 1x3x224x224 FP32 (588 KiB payload):');
for (const row of rows)
  console.log(`  ${row.path.padEnd(width)}  ${row.mbPerSec.toFixed(0).padStart(7)} MB/s`);
printAdversarialJsonBench(await runAdversarialJsonBench());
