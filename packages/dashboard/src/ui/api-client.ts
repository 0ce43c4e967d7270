/** Where the page keeps the API key: for this tab only, gone when it closes. */
const KEY_ITEM = 'ovms-dashboard-api-key';

/** The server refused the request for want of the right API key (401). */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** A non-2xx answer other than 401, with the server's `{"error"}` message when it sent one. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function storedApiKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeApiKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

/**
 * `fetch` on the server's own origin with the stored API key as `Authorization: Bearer`
 * (`--api_key_file`). Resolves only on 2xx; 401 rejects with UnauthorizedError so that the
 * page can ask for the key, anything else with HttpError.
 */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = storedApiKey();
  if (key !== null) headers.set('authorization', `Bearer ${key}`);
  const response = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (response.ok) return response;
  if (response.status === 401) throw new UnauthorizedError(await errorText(response));
  throw new HttpError(response.status, await errorText(response));
}

async function errorText(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: the text itself is the message
  }
  return text === '' ? `HTTP ${response.status}` : text;
}

export async function requestJson<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}
