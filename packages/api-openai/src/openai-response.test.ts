import { describe, expect, it } from 'vitest';
import { ChunkWriter, ResponseCollector } from './openai-response.js';
import type { ResponseHead } from './openai-response.js';

const head = (kind: 'chat' | 'completion'): ResponseHead => ({
  kind,
  id: 'id-1',
  created: 1700000000,
  model: 'm',
});

const events = [
  { type: 'start', promptTokens: 5 },
  { type: 'delta', index: 0, text: 'Hel', logprobs: [{ token: 'Hel', logprob: -0.5 }] },
  { type: 'delta', index: 0, text: 'lo', logprobs: [{ token: 'lo', logprob: -0.25 }] },
  { type: 'end', index: 0, finishReason: 'stop', completionTokens: 2 },
] as const;

function dataLines(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => (e === 'data: [DONE]' ? '[DONE]' : (JSON.parse(e.slice(6)) as unknown)));
}

describe('ResponseCollector', () => {
  it('builds a chat completion with logprobs and usage', () => {
    const collector = new ResponseCollector(head('chat'), true);
    for (const event of events) collector.add(event);
    expect(collector.body()).toEqual({
      id: 'id-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello' },
          logprobs: {
            content: [
              { token: 'Hel', logprob: -0.5, bytes: [72, 101, 108], top_logprobs: [] },
              { token: 'lo', logprob: -0.25, bytes: [108, 111], top_logprobs: [] },
            ],
          },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
  });
});

describe('ChunkWriter', () => {
  it('streams a chat: the role first, content deltas, the finish reason, usage, [DONE]', () => {
    const writer = new ChunkWriter(head('chat'), true, false);
    const text = events.map((e) => writer.write(e)).join('') + writer.end();
    const common = { id: 'id-1', object: 'chat.completion.chunk', created: 1700000000, model: 'm' };
    const choice = (delta: object, finish: string | null) => ({
      ...common,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    });
    expect(dataLines(text)).toEqual([
      choice({ role: 'assistant', content: '' }, null),
      choice({ content: 'Hel' }, null),
      choice({ content: 'lo' }, null),
      choice({}, 'stop'),
      {
        ...common,
        choices: [],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      },
      '[DONE]',
    ]);
  });

  it('streams a completion as text_completion chunks without usage unless asked', () => {
    const writer = new ChunkWriter(head('completion'), false, true);
    const text = events.map((e) => writer.write(e)).join('') + writer.end();
    const lines = dataLines(text);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({
      id: 'id-1',
      object: 'text_completion',
      created: 1700000000,
      model: 'm',
      choices: [
        {
          index: 0,
          text: 'Hel',
          logprobs: { tokens: ['Hel'], token_logprobs: [-0.5], top_logprobs: [null] },
          finish_reason: null,
        },
      ],
    });
    expect(lines.at(-1)).toBe('[DONE]');
  });
});
