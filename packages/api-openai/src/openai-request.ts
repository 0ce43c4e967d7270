import type { ChatMessage, GenerationParams, GenerationPrompt } from '@ovms/core';
import { invalidParam } from './openai-error.js';

/** Largest `n` and number of stop sequences accepted (OpenAI allows 4 stops). */
export const MAX_CHOICES = 16;
export const MAX_STOP_SEQUENCES = 4;
/** OpenAI's default `max_tokens` of the legacy completions endpoint. */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/** One `/v3/chat/completions` or `/v3/completions` request, checked. */
export interface OpenAiRequest {
  readonly model: string;
  readonly prompt: GenerationPrompt;
  readonly params: GenerationParams;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk carries the token counts. */
  readonly includeUsage: boolean;
}

type Body = Record<string, unknown>;

function number(body: Body, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidParam(key, `${key} must be a number; got ${JSON.stringify(value)}`);
  if (value < min || value > max)
    throw invalidParam(key, `${key} must be between ${min} and ${max}; got ${value}`);
  return value;
}

function integer(body: Body, key: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const value = number(body, key, min, max);
  if (value !== undefined && !Number.isInteger(value))
    throw invalidParam(key, `${key} must be an integer; got ${value}`);
  return value;
}

function boolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw invalidParam(key, `${key} must be a boolean; got ${JSON.stringify(value)}`);
  return value;
}

function stopOf(body: Body): string[] | undefined {
  const value = body.stop;
  if (value === undefined || value === null) return undefined;
  const stops = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(stops) ||
    stops.length > MAX_STOP_SEQUENCES ||
    !stops.every((s) => typeof s === 'string' && s.length > 0)
  )
    throw invalidParam(
      'stop',
      `stop must be a non-empty string or an array of at most ${MAX_STOP_SEQUENCES} of them`,
    );
  return stops as string[];
}

function modelOf(body: Body): string {
  if (typeof body.model !== 'string' || body.model === '')
    throw invalidParam('model', 'model is required: the name of a text generation model');
  return body.model;
}

/** The sampling parameters both endpoints share, in GenAI's terms. */
function paramsOf(body: Body, maxTokens: number | undefined): GenerationParams {
  const temperature = number(body, 'temperature', 0, 2);
  const topP = number(body, 'top_p', 0, 1);
  if (topP === 0) throw invalidParam('top_p', 'top_p must be greater than 0; got 0');
  const params: Record<string, unknown> = {
    maxTokens,
    temperature,
    topP,
    topK: integer(body, 'top_k', 0),
    seed: integer(body, 'seed', 0, 2 ** 32 - 1),
    stop: stopOf(body),
    n: integer(body, 'n', 1, MAX_CHOICES),
    presencePenalty: number(body, 'presence_penalty', -2, 2),
    frequencyPenalty: number(body, 'frequency_penalty', -2, 2),
    repetitionPenalty: number(body, 'repetition_penalty', Number.MIN_VALUE, 100),
    ignoreEos: boolean(body, 'ignore_eos'),
  };
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
  return params;
}

function streamOf(body: Body): { stream: boolean; includeUsage: boolean } {
  const stream = boolean(body, 'stream') ?? false;
  const options = body.stream_options;
  if (options === undefined || options === null) return { stream, includeUsage: false };
  if (!stream)
    throw invalidParam('stream_options', 'stream_options is only allowed when stream is true');
  if (typeof options !== 'object' || Array.isArray(options))
    throw invalidParam('stream_options', 'stream_options must be an object');
  return { stream, includeUsage: boolean(options as Body, 'include_usage') ?? false };
}

function contentOf(content: unknown, at: number): string {
  if (typeof content === 'string') return content;
  // Content parts: only text is meaningful to a text-only model.
  if (Array.isArray(content))
    return content
      .map((part: unknown) => {
        const p = part as Body | null;
        if (p?.type !== 'text' || typeof p.text !== 'string')
          throw invalidParam(
            `messages[${at}].content`,
            `messages[${at}].content parts must be {"type": "text", "text": "..."}`,
          );
        return p.text;
      })
      .join('');
  if (content === null || content === undefined) return '';
  throw invalidParam(`messages[${at}].content`, `messages[${at}].content must be a string`);
}

function messagesOf(body: Body): ChatMessage[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    throw invalidParam('messages', 'messages must be a non-empty array');
  return messages.map((message: unknown, at) => {
    const m = message as Body | null;
    if (typeof m !== 'object' || m === null || typeof m.role !== 'string')
      throw invalidParam(`messages[${at}]`, `messages[${at}] must be an object with a role`);
    return { role: m.role, content: contentOf(m.content, at) };
  });
}

function logprobsOf(body: Body, chat: boolean): boolean | undefined {
  if (chat) {
    const top = integer(body, 'top_logprobs', 0, 20);
    if (top !== undefined && top > 0)
      throw invalidParam(
        'top_logprobs',
        'top_logprobs is not supported: only 0 (GenAI reports the sampled token)',
      );
    return boolean(body, 'logprobs');
  }
  const count = integer(body, 'logprobs', 0, 5);
  if (count !== undefined && count > 1)
    throw invalidParam(
      'logprobs',
      `logprobs above 1 are not supported (GenAI reports the sampled token); got ${count}`,
    );
  return count === undefined ? undefined : count === 1;
}

function withLogprobs(params: GenerationParams, logprobs: boolean | undefined): GenerationParams {
  return logprobs === undefined ? params : { ...params, logprobs };
}

function objectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidParam('body', 'the request body must be a JSON object');
  return body as Body;
}

/** Checks a `/v3/chat/completions` body (OpenAI's Chat Completions API). */
export function parseChatRequest(raw: unknown): OpenAiRequest {
  const body = objectBody(raw);
  const model = modelOf(body);
  const messages = messagesOf(body);
  const maxTokens = integer(body, 'max_completion_tokens', 1) ?? integer(body, 'max_tokens', 1);
  const params = withLogprobs(paramsOf(body, maxTokens), logprobsOf(body, true));
  return { model, prompt: { kind: 'chat', messages }, params, ...streamOf(body) };
}

/** Checks a `/v3/completions` body (OpenAI's legacy Completions API). */
export function parseCompletionRequest(raw: unknown): OpenAiRequest {
  const body = objectBody(raw);
  const model = modelOf(body);
  let prompt = body.prompt;
  if (Array.isArray(prompt) && prompt.length === 1) prompt = prompt[0];
  if (typeof prompt !== 'string')
    throw invalidParam('prompt', 'prompt must be a string (or an array of exactly one string)');
  if (boolean(body, 'echo') === true) throw invalidParam('echo', 'echo is not supported');
  const maxTokens = integer(body, 'max_tokens', 1) ?? COMPLETIONS_DEFAULT_MAX_TOKENS;
  const params = withLogprobs(paramsOf(body, maxTokens), logprobsOf(body, false));
  return { model, prompt: { kind: 'text', prompt }, params, ...streamOf(body) };
}
