import { OpenAiError } from './openai-error.js';

/** Default largest `/v3` request body: 4 MiB, far above any prompt a context holds. */
export const DEFAULT_MAX_OPENAI_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Reads a JSON body of at most `maxBytes`: a larger Content-Length is refused before reading,
 * a body that grows past the limit is refused as soon as it does (413).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () =>
    new OpenAiError(413, `request body is larger than the limit of ${maxBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OpenAiError(
      400,
      `request body is not valid JSON: ${(error as Error).message}`,
      'body',
    );
  }
}
