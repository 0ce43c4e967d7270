import { silentLogger } from '@ovms/core';
import type {
  GenerationEvent,
  Logger,
  ServableAdmin,
  ServableLease,
  ServableProvider,
  TextGenerator,
} from '@ovms/core';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { DEFAULT_MAX_OPENAI_BODY_BYTES, readJsonBody } from './json-body.js';
import { notTextGeneration, openAiErrorResponse, openAiFailure } from './openai-error.js';
import { parseChatRequest, parseCompletionRequest } from './openai-request.js';
import type { OpenAiRequest } from './openai-request.js';
import { ChunkWriter, ResponseCollector, responseHead, sse } from './openai-response.js';
import type { ApiKind } from './openai-response.js';

/** One finished `/v3` generation request, for OVMS's metrics (docs/metrics.md). */
export interface GenerationRecord {
  readonly name: string;
  readonly version: number;
  readonly stream: boolean;
  /** False when it failed or the client went away before the end. */
  readonly ok: boolean;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** From the request's arrival to its first generated text; absent when none came. */
  readonly firstTokenUs?: number;
  /** From the request's arrival to its end. */
  readonly durationUs: number;
}

export interface OpenAiRoutesOptions {
  readonly provider: ServableProvider;
  /** Lists the servables `GET /v3/models` checks for text generation. */
  readonly admin: Pick<ServableAdmin, 'servableNames'>;
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /** Called once per generation request that reached a model. */
  readonly observe?: (record: GenerationRecord) => void;
}

type Clock = () => number;
const nowUs: Clock = () => performance.now() * 1000;

/**
 * OVMS's OpenAI-compatible API (SPEC "Text generation") as a hono app to mount at `/v3`:
 * `POST chat/completions`, `POST completions`, `GET models`, `GET models/{id}`, each also under
 * `v1/`. Bodies, streaming chunks and errors follow OpenAI's API.
 */
export function createOpenAiRoutes(options: OpenAiRoutesOptions): Hono {
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_OPENAI_BODY_BYTES;
  const app = new Hono();
  for (const prefix of ['', '/v1']) {
    app.post(`${prefix}/chat/completions`, (c) => generate(c, 'chat'));
    app.post(`${prefix}/completions`, (c) => generate(c, 'completion'));
    app.get(`${prefix}/models`, () => listModels());
    app.get(`${prefix}/models/:model{.+}`, (c) => describeModel(c.req.param('model')));
  }

  async function generate(c: Context, kind: ApiKind): Promise<Response> {
    const arrived = nowUs();
    let request: OpenAiRequest;
    let lease: ServableLease;
    let generator: TextGenerator;
    try {
      const body = await readJsonBody(c.req.raw, maxBodyBytes);
      request = kind === 'chat' ? parseChatRequest(body) : parseCompletionRequest(body);
      lease = await options.provider.acquire(request.model);
      const found = lease.servable.textGenerator;
      if (found === undefined) {
        await lease[Symbol.asyncDispose]();
        throw notTextGeneration(request.model);
      }
      generator = found;
    } catch (error) {
      return openAiErrorResponse(error);
    }
    const run = new GenerationRun(request, lease, generator, c.req.raw.signal, arrived);
    run.onDone = (record) => options.observe?.(record);
    try {
      // The first event decides the status: a prompt over the context is a 400, not a stream.
      await run.first();
    } catch (error) {
      await run.finish(false);
      return openAiErrorResponse(error);
    }
    return request.stream ? run.streamResponse(kind, logger) : run.jsonResponse(kind);
  }

  async function listModels(): Promise<Response> {
    const data: object[] = [];
    for (const name of options.admin.servableNames()) {
      const entry = await modelEntry(name);
      if (entry !== undefined) data.push(entry);
    }
    return Response.json({ object: 'list', data });
  }

  async function describeModel(name: string): Promise<Response> {
    try {
      // An unknown or unloaded model answers as the generation routes do (404, 503).
      await using lease = await options.provider.acquire(name);
      if (lease.servable.textGenerator === undefined) throw notTextGeneration(name);
      return Response.json(modelJson(name));
    } catch (error) {
      return openAiErrorResponse(error);
    }
  }

  async function modelEntry(name: string): Promise<object | undefined> {
    try {
      await using lease = await options.provider.acquire(name);
      return lease.servable.textGenerator === undefined ? undefined : modelJson(name);
    } catch {
      return undefined; // not loaded (yet): not listed
    }
  }

  return app;
}

/** OpenAI's model object; the load time is not kept, so `created` is 0. */
function modelJson(name: string): object {
  return { id: name, object: 'model', created: 0, owned_by: 'OVMS' };
}

/** One generation from its first event to its end, holding the model's lease throughout. */
class GenerationRun {
  readonly #request: OpenAiRequest;
  readonly #lease: ServableLease;
  readonly #abort = new AbortController();
  readonly #events: AsyncIterator<GenerationEvent>;
  readonly #arrived: number;
  #firstEvent: GenerationEvent | undefined;
  #firstTokenUs: number | undefined;
  #promptTokens = 0;
  #completionTokens = 0;
  #finished = false;
  onDone: ((record: GenerationRecord) => void) | undefined;

  constructor(
    request: OpenAiRequest,
    lease: ServableLease,
    generator: TextGenerator,
    clientSignal: AbortSignal,
    arrived: number,
  ) {
    this.#request = request;
    this.#lease = lease;
    this.#arrived = arrived;
    // The client going away cancels the generation: the worker frees its seat at once.
    clientSignal.addEventListener('abort', () => this.#abort.abort(), { once: true });
    const events = generator.generate({
      prompt: request.prompt,
      params: request.params,
      signal: this.#abort.signal,
    });
    this.#events = events[Symbol.asyncIterator]();
  }

  async first(): Promise<void> {
    const first = await this.#events.next();
    if (!first.done) this.#firstEvent = first.value;
  }

  async *events(): AsyncGenerator<GenerationEvent> {
    if (this.#firstEvent !== undefined) yield this.#note(this.#firstEvent);
    for (;;) {
      const next = await this.#events.next();
      if (next.done) return;
      yield this.#note(next.value);
    }
  }

  #note(event: GenerationEvent): GenerationEvent {
    if (event.type === 'start') this.#promptTokens = event.promptTokens;
    else if (event.type === 'delta') this.#firstTokenUs ??= nowUs() - this.#arrived;
    else this.#completionTokens += event.completionTokens;
    return event;
  }

  async jsonResponse(kind: ApiKind): Promise<Response> {
    const collector = new ResponseCollector(
      responseHead(kind, this.#request.model),
      this.#request.params.logprobs === true,
    );
    try {
      for await (const event of this.events()) collector.add(event);
    } catch (error) {
      await this.finish(false);
      return openAiErrorResponse(error);
    }
    await this.finish(true);
    return Response.json(collector.body());
  }

  streamResponse(kind: ApiKind, logger: Logger): Response {
    const writer = new ChunkWriter(
      responseHead(kind, this.#request.model),
      this.#request.includeUsage,
      this.#request.params.logprobs === true,
    );
    const encoder = new TextEncoder();
    const events = this.events();
    const stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const next = await events.next();
          if (next.done) {
            controller.enqueue(encoder.encode(writer.end()));
            controller.close();
            await this.finish(true);
            return;
          }
          const text = writer.write(next.value);
          if (text !== '') controller.enqueue(encoder.encode(text));
        } catch (error) {
          // Headers are gone: the error travels as an event, as OpenAI's streams do.
          logger.debug({ error: (error as Error).message }, 'generation failed mid-stream');
          controller.enqueue(encoder.encode(sse(openAiFailure(error).body)));
          controller.close();
          await this.finish(false);
        }
      },
      cancel: async () => {
        this.#abort.abort();
        await events.return(undefined);
        await this.finish(false);
      },
    });
    return new Response(stream, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      },
    });
  }

  /** Releases the lease and reports the request once. */
  async finish(ok: boolean): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (!ok) this.#abort.abort();
    await this.#events.return?.(undefined);
    const servable = this.#lease.servable;
    await this.#lease[Symbol.asyncDispose]();
    this.onDone?.({
      name: servable.name,
      version: servable.version,
      stream: this.#request.stream,
      ok,
      promptTokens: this.#promptTokens,
      completionTokens: this.#completionTokens,
      ...(this.#firstTokenUs !== undefined && { firstTokenUs: this.#firstTokenUs }),
      durationUs: nowUs() - this.#arrived,
    });
  }
}
