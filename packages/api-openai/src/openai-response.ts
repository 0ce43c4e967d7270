import { randomBytes } from 'node:crypto';
import type { FinishReason, GenerationEvent, TokenLogprob } from '@ovms/core';

/** Which API a response answers: the chat or the legacy completions shape. */
export type ApiKind = 'chat' | 'completion';

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** What every response and chunk of one request share. */
export interface ResponseHead {
  readonly kind: ApiKind;
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function responseHead(kind: ApiKind, model: string): ResponseHead {
  const prefix = kind === 'chat' ? 'chatcmpl-' : 'cmpl-';
  return {
    kind,
    id: prefix + randomBytes(12).toString('hex'),
    created: Math.floor(Date.now() / 1000),
    model,
  };
}

function objectName(head: ResponseHead, chunk: boolean): string {
  if (head.kind === 'completion') return 'text_completion';
  return chunk ? 'chat.completion.chunk' : 'chat.completion';
}

/** OpenAI's logprobs object of a choice (or of one chunk's share of it). */
export function logprobsJson(kind: ApiKind, tokens: readonly TokenLogprob[]): object {
  if (kind === 'chat')
    return {
      content: tokens.map((t) => ({
        token: t.token,
        logprob: t.logprob,
        bytes: [...Buffer.from(t.token, 'utf8')],
        top_logprobs: [],
      })),
    };
  return {
    tokens: tokens.map((t) => t.token),
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map(() => null),
  };
}

interface Choice {
  text: string;
  logprobs: TokenLogprob[];
  finishReason: FinishReason | null;
  tokens: number;
}

/** Gathers a whole generation into one (non-streaming) response body. */
export class ResponseCollector {
  readonly #head: ResponseHead;
  readonly #choices: Choice[] = [];
  readonly #logprobs: boolean;
  promptTokens = 0;

  constructor(head: ResponseHead, logprobs: boolean) {
    this.#head = head;
    this.#logprobs = logprobs;
  }

  add(event: GenerationEvent): void {
    if (event.type === 'start') {
      this.promptTokens = event.promptTokens;
      return;
    }
    const choice = (this.#choices[event.index] ??= {
      text: '',
      logprobs: [],
      finishReason: null,
      tokens: 0,
    });
    if (event.type === 'delta') {
      choice.text += event.text;
      if (event.logprobs !== undefined) choice.logprobs.push(...event.logprobs);
    } else {
      choice.finishReason = event.finishReason;
      choice.tokens = event.completionTokens;
    }
  }

  get completionTokens(): number {
    return this.#choices.reduce((sum, c) => sum + c.tokens, 0);
  }

  body(): object {
    const head = this.#head;
    const completionTokens = this.completionTokens;
    return {
      id: head.id,
      object: objectName(head, false),
      created: head.created,
      model: head.model,
      choices: this.#choices.map((choice, index) => ({
        index,
        ...(head.kind === 'chat'
          ? { message: { role: 'assistant', content: choice.text } }
          : { text: choice.text }),
        logprobs: this.#logprobs ? logprobsJson(head.kind, choice.logprobs) : null,
        finish_reason: choice.finishReason,
      })),
      usage: usageOf(this.promptTokens, completionTokens),
    };
  }
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/**
 * Server-sent events of a streaming response, OpenAI's way: each chunk a `data: {...}` line;
 * a chat choice opens with the assistant role; each choice closes with its finish_reason; with
 * `include_usage` every chunk carries `usage: null` and a last chunk with no choices the
 * counts; `data: [DONE]` ends the stream.
 */
export class ChunkWriter {
  readonly #head: ResponseHead;
  readonly #includeUsage: boolean;
  readonly #logprobs: boolean;
  readonly #opened = new Set<number>();
  promptTokens = 0;
  completionTokens = 0;

  constructor(head: ResponseHead, includeUsage: boolean, logprobs: boolean) {
    this.#head = head;
    this.#includeUsage = includeUsage;
    this.#logprobs = logprobs;
  }

  /** The SSE text for one event (empty when the event shows nothing to the client). */
  write(event: GenerationEvent): string {
    if (event.type === 'start') {
      this.promptTokens = event.promptTokens;
      return '';
    }
    let out = '';
    const chat = this.#head.kind === 'chat';
    if (chat && !this.#opened.has(event.index)) {
      this.#opened.add(event.index);
      out += this.#chunk(event.index, { role: 'assistant', content: '' }, null, null);
    }
    if (event.type === 'delta') {
      if (event.text === '' && event.logprobs === undefined) return out;
      const logprobs =
        this.#logprobs && event.logprobs !== undefined
          ? logprobsJson(this.#head.kind, event.logprobs)
          : null;
      return (
        out + this.#chunk(event.index, chat ? { content: event.text } : event.text, logprobs, null)
      );
    }
    this.completionTokens += event.completionTokens;
    return out + this.#chunk(event.index, chat ? {} : '', null, event.finishReason);
  }

  /** The usage chunk (when asked for) and `[DONE]`. */
  end(): string {
    let out = '';
    if (this.#includeUsage)
      out += sse({
        ...this.#common(),
        choices: [],
        usage: usageOf(this.promptTokens, this.completionTokens),
      });
    return out + 'data: [DONE]\n\n';
  }

  #common(): object {
    const head = this.#head;
    return {
      id: head.id,
      object: objectName(head, true),
      created: head.created,
      model: head.model,
    };
  }

  #chunk(
    index: number,
    content: object | string,
    logprobs: object | null,
    finishReason: FinishReason | null,
  ): string {
    const choice =
      typeof content === 'string'
        ? { index, text: content, logprobs, finish_reason: finishReason }
        : { index, delta: content, logprobs, finish_reason: finishReason };
    return sse({
      ...this.#common(),
      choices: [choice],
      ...(this.#includeUsage && { usage: null }),
    });
  }
}

export function sse(body: object): string {
  return `data: ${JSON.stringify(body)}\n\n`;
}
