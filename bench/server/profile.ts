// Where a server's CPU went: self time from a V8 .cpuprofile (`node --cpu-prof`), grouped by
// package and by function. Also runs alone:
//   node --import tsx bench/server/profile.ts <file.cpuprofile>
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package a frame belongs to: an npm package, an @ovms workspace package, node core or V8. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:internal/'))
    return `node:${url.slice('node:internal/'.length).split('/')[0]}`;
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? path);
  }
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(path);
  if (workspace !== null) return workspace[1] === 'apps' ? `@ovms/server` : `@ovms/${workspace[2]}`;
  return path;
}

function shortFile(url: string): string {
  const parts = url.split('/');
  return parts.slice(-2).join('/');
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byPackage: readonly { readonly name: string; readonly ms: number }[];
  readonly byFunction: readonly FunctionSelfTime[];
}

export interface FunctionSelfTime {
  readonly name: string;
  readonly where: string;
  ms: number;
  /** The caller that accounts for most of this self time (the first non-native frame up). */
  readonly callers: Map<string, number>;
}

/** Monotonic microseconds (V8's profile clock on Linux, as process.hrtime). */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

function frameName(frame: ProfileNode['callFrame']): string {
  return frame.functionName === '' ? '(anonymous)' : frame.functionName;
}

/**
 * Self time per package and per function, counting only samples inside `window` when given
 * (the measured cells, not start-up and model loading).
 */
export async function summarizeCpuProfile(
  file: string,
  window?: ProfileWindow,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window !== undefined && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, FunctionSelfTime>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) continue;
    totalUs += us;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us / 1000);
    const name = frameName(frame);
    const where = frame.url === '' ? pkg : `${pkg} ${shortFile(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, ms: 0, callers: new Map<string, number>() };
    entry.ms += us / 1000;
    let parent = nodes.get(parents.get(id) ?? -1);
    for (let depth = 0; parent !== undefined && parent.callFrame.url === '' && depth < 8; depth++) {
      parent = nodes.get(parents.get(parent.id) ?? -1);
    }
    if (parent !== undefined) {
      const caller = `${frameName(parent.callFrame)} (${shortFile(parent.callFrame.url)})`;
      entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + us / 1000);
    }
    byFunction.set(key, entry);
  }
  return {
    totalMs: totalUs / 1000,
    byPackage: [...byPackage].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
    byFunction: [...byFunction.values()].sort((a, b) => b.ms - a.ms),
  };
}

export function printProfileSummary(summary: ProfileSummary, topFunctions = 30): void {
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)} %`;
  console.log(
    `Main thread (V8 samples, wall time): ${summary.totalMs.toFixed(0)} ms sampled, self time by package:`,
  );
  for (const { name, ms } of summary.byPackage.slice(0, 20)) {
    console.log(`  ${name.padEnd(34)} ${ms.toFixed(0).padStart(8)} ms ${pct(ms)}`);
  }
  console.log(`\nTop ${topFunctions} functions by self time:`);
  for (const { name, where, ms, callers } of summary.byFunction.slice(0, topFunctions)) {
    const [caller] = [...callers].sort((a, b) => b[1] - a[1]);
    const from = caller === undefined ? '' : `  <- ${caller[0]}`;
    console.log(`  ${pct(ms)}  ${name.slice(0, 32).padEnd(32)} ${where}${from}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: profile.ts <file.cpuprofile>');
  printProfileSummary(await summarizeCpuProfile(file));
}
