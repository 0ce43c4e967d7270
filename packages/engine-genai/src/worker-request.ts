import type { GenerationRequest } from '@ovms/core';

/**
 * A generation request as the worker takes it (docs/genai.md, "Worker protocol"): snake_case
 * parameters as GenAI's GenerationConfig names them, absent ones left out.
 */
export function toWorkerRequest(id: number, request: GenerationRequest): Record<string, unknown> {
  const p = request.params;
  const params: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined) params[key] = value;
  };
  put('max_tokens', p.maxTokens);
  put('temperature', p.temperature);
  put('top_p', p.topP);
  put('top_k', p.topK);
  put('seed', p.seed);
  put('stop', p.stop);
  put('n', p.n);
  put('presence_penalty', p.presencePenalty);
  put('frequency_penalty', p.frequencyPenalty);
  put('repetition_penalty', p.repetitionPenalty);
  put('ignore_eos', p.ignoreEos);
  put('logprobs', p.logprobs);
  const prompt =
    request.prompt.kind === 'chat'
      ? { messages: request.prompt.messages }
      : { prompt: request.prompt.prompt };
  return { op: 'generate', id, ...prompt, params };
}
