import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAI_CLIENT_DIR, SMOLLM2_GGUF, ensureGenai, genaiWorkerPids } from './support/genai.js';
import { PYTHON_DIR } from './support/paths.js';
import { run } from './support/process.js';
import { eventually, startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';

// Text generation end to end (SPEC "Text generation", docs/genai.md): the real ovms binary
// serving SmolLM2 on OpenVINO GenAI, driven by the real `openai` Python client and by
// curl-shaped fetch requests. One server for the file: the model load is the slow part.
ensureGenai();

const KEY = 'genai-test-key';
let server: GrpcServerProcess;
let dir: string;
const auth = { authorization: `Bearer ${KEY}` };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-genai-'));
  await writeFile(join(dir, 'key.txt'), `${KEY}\n`);
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      model_config_list: [
        {
          config: {
            name: 'smollm2',
            base_path: SMOLLM2_GGUF,
            task: 'text_generation',
            max_num_seqs: 16,
            plugin_config: { INFERENCE_NUM_THREADS: 2 },
          },
        },
      ],
      monitoring: { metrics: { enable: true } },
    }),
  );
  server = await startReadyServer([
    '--config_path',
    join(dir, 'config.json'),
    '--api_key_file',
    join(dir, 'key.txt'),
  ]);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.restUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
    ...(signal !== undefined && { signal }),
  });
}

const capital = {
  model: 'smollm2',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  temperature: 0,
  max_tokens: 24,
};

describe('the openai Python client', () => {
  let checks: Record<string, { ok?: unknown; error?: unknown }>;
  beforeAll(async () => {
    const result = await run(
      'python3',
      [join(PYTHON_DIR, 'openai_client.py'), `${server.restUrl}/v3`, KEY, 'smollm2'],
      {
        env: {
          ...process.env,
          PYTHONPATH: [OPENAI_CLIENT_DIR, PYTHON_DIR].join(delimiter),
          PYTHONDONTWRITEBYTECODE: '1',
        },
        timeoutMs: 240_000,
      },
    );
    if (result.code !== 0)
      throw new Error(`openai_client.py exited ${result.code}: ${result.stderr}`);
    checks = JSON.parse(result.stdout) as typeof checks;
  }, 300_000);
  const ok = (name: string) => {
    const check = checks[name];
    if (check?.ok === undefined) throw new Error(`${name}: ${JSON.stringify(check)}`);
    return check.ok as Record<string, unknown>;
  };

  it('chats, not streaming: the answer, its finish reason and token usage', () => {
    const chat = ok('chat');
    expect(chat).toMatchObject({
      object: 'chat.completion',
      id_prefix: 'chatcmpl-',
      model: 'smollm2',
      role: 'assistant',
    });
    expect(chat.content).toContain('Paris');
    const usage = chat.usage as Record<string, number>;
    expect(usage.prompt_tokens).toBeGreaterThan(10);
    expect(usage.total_tokens).toBe(usage.prompt_tokens! + usage.completion_tokens!);
  });

  it('chats, streaming: role first, the same text as not streaming, usage last', () => {
    const stream = ok('chat_stream');
    expect(stream.roles).toEqual(['assistant']);
    expect(stream.content).toBe(ok('chat').content);
    expect(stream.usage).toEqual(ok('chat').usage);
    expect(stream.chunks).toBeGreaterThan(3);
  });

  it('completes text, streaming and not, alike', () => {
    expect(ok('completion')).toMatchObject({
      object: 'text_completion',
      finish_reason: 'length',
      completion_tokens: 8,
    });
    expect(ok('completion_stream')).toEqual({
      text: ok('completion').text,
      finish_reason: 'length',
    });
  });

  it('ends at a stop sequence, which is left out', () => {
    const full = ok('chat').content as string;
    expect(ok('stop')).toEqual({
      content: full.slice(0, full.indexOf(' Paris')),
      finish_reason: 'stop',
    });
  });

  it('repeats a sampled answer for the same seed; n gives that many choices; logprobs', () => {
    const [first, second] = ok('seeded') as unknown as string[];
    expect(first).toBe(second);
    expect(ok('choices')).toEqual({ indexes: [0, 1], completion_tokens: 12 });
    expect(ok('logprobs')).toEqual({ tokens: 4, all_negative: true, text: true });
    expect(ok('models')).toEqual(['smollm2']);
  });

  it('gets OpenAI errors with the right status for bad requests', () => {
    expect(ok('bad_temperature')).toEqual({
      status: 400,
      type: 'invalid_request_error',
      param: 'temperature',
      message: 'temperature must be between 0 and 2; got 5',
    });
    expect(ok('unknown_model')).toMatchObject({
      status: 404,
      type: 'not_found_error',
      message: 'Model with requested name is not found',
    });
    expect(ok('too_long')).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(ok('too_long').message).toMatch(/maximum context length is 8192 tokens/);
    expect(ok('wrong_key')).toMatchObject({ status: 401 });
  });
});

describe('curl-shaped requests', () => {
  it('answers under /v3/v1 too, and refuses a request without the API key', async () => {
    const response = await post('/v3/v1/chat/completions', capital);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toContain('Paris');
    const open = await fetch(`${server.restUrl}/v3/models`);
    expect(open.status).toBe(401);
  });

  it('streams server-sent events ending in [DONE]', async () => {
    const response = await post('/v3/chat/completions', { ...capital, stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const events = text.split('\n\n').filter((e) => e !== '');
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const last = JSON.parse(events.at(-2)!.slice(6)) as { choices: { finish_reason: string }[] };
    expect(last.choices[0]?.finish_reason).toBe('stop');
  });

  it.each([
    [{ ...capital, messages: [] }, 'messages', 'messages must be a non-empty array'],
    [{ ...capital, n: 0 }, 'n', 'n must be between 1 and 16; got 0'],
    [
      { ...capital, stop: 7 },
      'stop',
      'stop must be a non-empty string or an array of at most 4 of them',
    ],
    [{ ...capital, top_p: 0 }, 'top_p', 'top_p must be greater than 0; got 0'],
    [{ ...capital, max_tokens: 1.5 }, 'max_tokens', 'max_tokens must be an integer; got 1.5'],
    [
      { ...capital, stream_options: { include_usage: true } },
      'stream_options',
      'stream_options is only allowed when stream is true',
    ],
    [
      { messages: capital.messages },
      'model',
      'model is required: the name of a text generation model',
    ],
  ])('refuses %j with 400 naming the parameter', async (body, param, message) => {
    const response = await post('/v3/chat/completions', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message, type: 'invalid_request_error', param, code: null },
    });
  });

  it('refuses a body that is not JSON, or one over the size limit', async () => {
    const notJson = await fetch(`${server.restUrl}/v3/completions`, {
      method: 'POST',
      headers: auth,
      body: '{"model":',
    });
    expect(notJson.status).toBe(400);
    const big = await post('/v3/completions', {
      model: 'smollm2',
      prompt: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      error: { message: 'request body is larger than the limit of 4194304 bytes' },
    });
  });

  it('serves 6 concurrent streaming chats, each to its end', async () => {
    const topics = ['the sea', 'a cat', 'the moon', 'bread', 'rain', 'a train'];
    const answers = await Promise.all(
      topics.map(async (topic) => {
        const response = await post('/v3/chat/completions', {
          model: 'smollm2',
          messages: [{ role: 'user', content: `Write one sentence about ${topic}.` }],
          max_tokens: 16,
          temperature: 0,
          stream: true,
        });
        return response.text();
      }),
    );
    for (const text of answers) expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('counts tokens and times first and later tokens in /metrics', async () => {
    await post('/v3/chat/completions', capital);
    const text = await metricsText();
    const value = (series: string) => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${series}{name="smollm2",version="1"} `));
      return Number(line?.split(' ')[1]);
    };
    expect(value('ovms_prompt_tokens')).toBeGreaterThan(30);
    expect(value('ovms_generated_tokens')).toBeGreaterThan(5);
    expect(value('ovms_time_to_first_token_us_count')).toBeGreaterThan(0);
    expect(value('ovms_time_per_output_token_us_count')).toBeGreaterThan(0);
    expect(value('ovms_kv_cache_usage_percent')).toBeGreaterThanOrEqual(0);
  });

  it('stops generating for a client that goes away mid-stream', async () => {
    const controller = new AbortController();
    const response = await post(
      '/v3/completions',
      {
        model: 'smollm2',
        prompt: 'Tell a long story.',
        max_tokens: 4000,
        ignore_eos: true,
        stream: true,
      },
      controller.signal,
    );
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    expect(await metricsText()).toMatch(/^ovms_current_requests\{name="smollm2",version="1"\} 1$/m);
    controller.abort();
    // 4000 tokens take far longer than this wait: the scheduler gauge drops because the
    // worker dropped the request.
    await eventually(
      async () =>
        /^ovms_current_requests\{name="smollm2",version="1"\} 0$/m.test(await metricsText()),
      20_000,
      () => server.output(),
    );
  });

  it('fails only the in-flight request when the worker dies, then serves the next', async () => {
    const [worker] = await genaiWorkerPids(server.pid!);
    expect(worker).toBeDefined();
    const running = post('/v3/completions', {
      model: 'smollm2',
      prompt: 'Tell a long story.',
      max_tokens: 4000,
      ignore_eos: true,
      stream: true,
    });
    const response = await running;
    let text = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      // The first chunk proves the generation is under way; then the worker dies.
      if (text === '') process.kill(worker!, 'SIGKILL');
      text += Buffer.from(chunk).toString('utf8');
    }
    expect(text).toContain(
      '"message":"Internal inference error - the text generation worker exited (SIGKILL)"',
    );
    const next = await post('/v3/chat/completions', capital);
    expect(next.status).toBe(200);
    const [restarted] = await genaiWorkerPids(server.pid!);
    expect(restarted).not.toBe(worker);
  }, 120_000);
});

async function metricsText(): Promise<string> {
  return (await fetch(`${server.restUrl}/metrics`, { headers: auth })).text();
}

describe('the lifecycle', () => {
  it('reports the model AVAILABLE and refuses tensor inference on it, pointing at /v3', async () => {
    const status = await fetch(`${server.restUrl}/v1/models/smollm2`, { headers: auth });
    expect(await status.json()).toEqual({
      model_version_status: [
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: 'OK' } },
      ],
    });
    const infer = await post('/v2/models/smollm2/infer', { inputs: [] });
    expect(infer.status).toBe(501);
    expect(await infer.json()).toEqual({
      error:
        'Not implemented - this is a text generation model: use POST /v3/chat/completions or /v3/completions',
    });
  });

  it('unloads the model on a config reload without it: the worker exits', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_config_list: [] }));
    const reload = await post('/v1/config/reload', {});
    expect(reload.status).toBe(201);
    await eventually(
      async () => (await genaiWorkerPids(server.pid!)).length === 0,
      30_000,
      () => server.output(),
    );
    const gone = await post('/v3/chat/completions', capital);
    expect(gone.status).toBe(404);
  });
});
