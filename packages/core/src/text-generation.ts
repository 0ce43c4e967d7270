/**
 * The text-generation contract (SPEC "Text generation"): what a generative model version offers
 * besides tensors. Engines that serve LLMs (engine-genai) put a TextGenerator on their
 * LoadedModel; the model servable hands it on, and the OpenAI-compatible REST routes use it.
 */

/** One chat message after the transport flattened its content parts to text. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** A chat (rendered with the model's own chat template) or a raw completion prompt. */
export type GenerationPrompt =
  | { readonly kind: 'chat'; readonly messages: readonly ChatMessage[] }
  | { readonly kind: 'text'; readonly prompt: string };

/** Sampling and stopping settings, already checked for range by the transport. */
export interface GenerationParams {
  /** New tokens at most; absent: until EOS or the model's context is full. */
  readonly maxTokens?: number;
  /** 0 = greedy; absent = greedy too (GenAI's default, not OpenAI's 1). */
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly seed?: number;
  /** Text that ends a choice; it is not part of the answer. */
  readonly stop?: readonly string[];
  /** Choices generated from the one prompt. Default 1. */
  readonly n?: number;
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  readonly repetitionPenalty?: number;
  readonly ignoreEos?: boolean;
  /** Report the log probability of each generated token. */
  readonly logprobs?: boolean;
}

export interface GenerationRequest {
  readonly prompt: GenerationPrompt;
  readonly params: GenerationParams;
  /** Aborting it (the client went away) stops the generation and frees its place. */
  readonly signal?: AbortSignal;
}

export interface TokenLogprob {
  readonly token: string;
  readonly logprob: number;
}

export type FinishReason = 'stop' | 'length';

/** What a generation streams, in order: one start, then deltas and one end per choice. */
export type GenerationEvent =
  | { readonly type: 'start'; readonly promptTokens: number }
  | {
      readonly type: 'delta';
      readonly index: number;
      readonly text: string;
      readonly logprobs?: readonly TokenLogprob[];
    }
  | {
      readonly type: 'end';
      readonly index: number;
      readonly finishReason: FinishReason;
      readonly completionTokens: number;
    };

/**
 * A loaded generative model. `generate` fails with a ServingError: INVALID_ARGUMENT for a
 * request the model cannot take (a prompt over its context), INTERNAL_INFERENCE_ERROR when the
 * engine failed while generating.
 */
export interface TextGenerator {
  generate(request: GenerationRequest): AsyncIterable<GenerationEvent>;
}
