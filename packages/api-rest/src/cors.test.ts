import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApiKeyAuth } from './api-key-auth.js';
import type { RestEnv } from './context.js';
import { DEFAULT_CORS, createCorsMiddleware } from './cors.js';
import type { RestCorsOptions } from './cors.js';
import { silentLogger } from '@ovms/core';

// The CORS middleware in front of the API key check, as createRestApp orders them.
function app(cors: RestCorsOptions): Hono<RestEnv> {
  return new Hono<RestEnv>()
    .use(createCorsMiddleware(cors))
    .use(createApiKeyAuth({ apiKey: 'k', logger: silentLogger }))
    .post('/v2/models/m/infer', (c) => c.json({ ok: true }));
}

const preflight = (origin: string, headers: Record<string, string> = {}) =>
  new Request('http://h/v2/models/m/infer', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', ...headers },
  });

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

describe('createCorsMiddleware', () => {
  const listed = app({
    allowedOrigins: ['https://a.example'],
    allowedMethods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    allowCredentials: true,
  });

  it('answers a preflight from a listed origin with the listed methods and headers', async () => {
    const response = await listed.request(preflight('https://a.example'));
    expect([response.status, corsHeaders(response)]).toEqual([
      204,
      {
        'access-control-allow-origin': 'https://a.example',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'Content-Type,Authorization',
        'access-control-expose-headers': 'Inference-Header-Content-Length',
        'access-control-max-age': '600',
      },
    ]);
  });

  it('gives an origin that is not listed no Access-Control-Allow-Origin', async () => {
    const response = await listed.request(preflight('https://b.example'));
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const actual = await listed.request('/v2/models/m/infer', {
      method: 'POST',
      headers: { origin: 'https://b.example', authorization: 'Bearer k' },
    });
    expect([actual.status, actual.headers.get('access-control-allow-origin')]).toEqual([200, null]);
  });

  it('with OVMS defaults allows any origin as `*` and echoes what the browser asks', async () => {
    const response = await app(DEFAULT_CORS).request(
      preflight('https://any.example', { 'access-control-request-headers': 'Authorization, X-A' }),
    );
    expect(corsHeaders(response)).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Authorization,X-A',
    });
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('echoes the origin instead of `*` when credentials are allowed', async () => {
    const response = await app({ ...DEFAULT_CORS, allowCredentials: true }).request(
      preflight('https://any.example'),
    );
    expect(response.headers.get('access-control-allow-origin')).toBe('https://any.example');
  });

  it('puts its headers on the 401 of a request without the key', async () => {
    const response = await listed.request('/v2/models/m/infer', {
      method: 'POST',
      headers: { origin: 'https://a.example' },
    });
    expect([
      response.status,
      response.headers.get('access-control-allow-origin'),
      await response.json(),
    ]).toEqual([
      401,
      'https://a.example',
      { error: 'Missing API key - expected the header "Authorization: Bearer <key>"' },
    ]);
  });

  it('leaves an OPTIONS without Origin (no browser preflight) to the routes', async () => {
    const response = await listed.request('/v2/models/m/infer', { method: 'OPTIONS' });
    expect([response.status, corsHeaders(response)]).toEqual([401, {}]);
  });
});
