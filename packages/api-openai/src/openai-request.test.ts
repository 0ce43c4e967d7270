import { describe, expect, it } from 'vitest';
import { OpenAiError } from './openai-error.js';
import { parseChatRequest, parseCompletionRequest } from './openai-request.js';

const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

function refusal(parse: () => unknown): { param: string | null; message: string; status: number } {
  try {
    parse();
  } catch (error) {
    if (error instanceof OpenAiError)
      return { param: error.param, message: error.message, status: error.status };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseChatRequest', () => {
  it('maps OpenAI parameters to GenAI terms and flattens text content parts', () => {
    const request = parseChatRequest({
      ...chat,
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'be ' },
            { type: 'text', text: 'brief' },
          ],
        },
        { role: 'user', content: 'hi' },
      ],
      max_completion_tokens: 7,
      max_tokens: 99,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      seed: 3,
      stop: 'END',
      n: 2,
      presence_penalty: 0.1,
      frequency_penalty: -0.1,
      repetition_penalty: 1.1,
      ignore_eos: true,
      logprobs: true,
      stream: true,
      stream_options: { include_usage: true },
      user: 'ignored',
    });
    expect(request).toEqual({
      model: 'm',
      prompt: {
        kind: 'chat',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hi' },
        ],
      },
      params: {
        maxTokens: 7,
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        seed: 3,
        stop: ['END'],
        n: 2,
        presencePenalty: 0.1,
        frequencyPenalty: -0.1,
        repetitionPenalty: 1.1,
        ignoreEos: true,
        logprobs: true,
      },
      stream: true,
      includeUsage: true,
    });
  });

  it.each([
    [{ ...chat, temperature: '1' }, 'temperature', 'temperature must be a number; got "1"'],
    [
      { ...chat, presence_penalty: 3 },
      'presence_penalty',
      'presence_penalty must be between -2 and 2; got 3',
    ],
    [
      { ...chat, stop: ['a', 'b', 'c', 'd', 'e'] },
      'stop',
      'stop must be a non-empty string or an array of at most 4 of them',
    ],
    [
      { ...chat, stop: [''] },
      'stop',
      'stop must be a non-empty string or an array of at most 4 of them',
    ],
    [{ ...chat, ignore_eos: 1 }, 'ignore_eos', 'ignore_eos must be a boolean; got 1'],
    [
      { ...chat, top_logprobs: 2 },
      'top_logprobs',
      'top_logprobs is not supported: only 0 (GenAI reports the sampled token)',
    ],
    [
      { ...chat, messages: [{ content: 'no role' }] },
      'messages[0]',
      'messages[0] must be an object with a role',
    ],
    [
      { ...chat, messages: [{ role: 'user', content: [{ type: 'image_url' }] }] },
      'messages[0].content',
      'messages[0].content parts must be {"type": "text", "text": "..."}',
    ],
    [
      { ...chat, messages: [{ role: 'user', content: 5 }] },
      'messages[0].content',
      'messages[0].content must be a string',
    ],
    [
      { ...chat, stream: true, stream_options: [] },
      'stream_options',
      'stream_options must be an object',
    ],
    [[], 'body', 'the request body must be a JSON object'],
  ])('refuses %j with 400 naming %s', (body, param, message) => {
    expect(refusal(() => parseChatRequest(body))).toEqual({ param, message, status: 400 });
  });
});

describe('parseCompletionRequest', () => {
  it('takes a prompt string or an array of one, with OpenAI’s default of 16 tokens', () => {
    expect(parseCompletionRequest({ model: 'm', prompt: ['once'] })).toEqual({
      model: 'm',
      prompt: { kind: 'text', prompt: 'once' },
      params: { maxTokens: 16 },
      stream: false,
      includeUsage: false,
    });
    expect(parseCompletionRequest({ model: 'm', prompt: 'x', logprobs: 1 }).params.logprobs).toBe(
      true,
    );
  });

  it.each([
    [
      { model: 'm', prompt: ['a', 'b'] },
      'prompt',
      'prompt must be a string (or an array of exactly one string)',
    ],
    [{ model: 'm', prompt: 'x', echo: true }, 'echo', 'echo is not supported'],
    [
      { model: 'm', prompt: 'x', logprobs: 3 },
      'logprobs',
      'logprobs above 1 are not supported (GenAI reports the sampled token); got 3',
    ],
    [
      { model: 'm', prompt: 'x', max_tokens: 0 },
      'max_tokens',
      'max_tokens must be between 1 and 9007199254740991; got 0',
    ],
  ])('refuses %j with 400 naming %s', (body, param, message) => {
    expect(refusal(() => parseCompletionRequest(body))).toEqual({ param, message, status: 400 });
  });
});
