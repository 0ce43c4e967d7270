export { createOpenAiRoutes } from './openai-routes.js';
export type { GenerationRecord, OpenAiRoutesOptions } from './openai-routes.js';
export { DEFAULT_MAX_OPENAI_BODY_BYTES } from './json-body.js';
export { OpenAiError, openAiFailure } from './openai-error.js';
export { parseChatRequest, parseCompletionRequest } from './openai-request.js';
export type { OpenAiRequest } from './openai-request.js';
