import { TestServableProvider } from '@ovms/testing';
import { describe, expect, it } from 'vitest';
import { createRestApp } from '../src/index.js';
import type { RestPage } from '../src/index.js';

/** A page whose files are `/ui` and `/ui/file.js`, and whose data is `/ui/data`. */
const page: RestPage = {
  path: '/ui',
  isPublic: (path) => path === '/ui' || path === '/ui/file.js',
  fetch: (request) =>
    Promise.resolve(new Response(`${request.method} ${new URL(request.url).pathname}`)),
};

function app(apiKey?: string) {
  const provider = new TestServableProvider();
  return createRestApp({
    provider,
    admin: provider,
    serverName: 'n',
    serverVersion: 'v',
    page,
    ...(apiKey !== undefined && { apiKey }),
  });
}

const answer = async (response: Response) => [response.status, await response.text()];

describe('a page mounted on the REST app', () => {
  it('answers its path and every path under it, for every method', async () => {
    const open = app();
    expect(await answer(await open.request('/ui'))).toEqual([200, 'GET /ui']);
    expect(await answer(await open.request('/ui/'))).toEqual([200, 'GET /ui/']);
    expect(await answer(await open.request('/ui/data'))).toEqual([200, 'GET /ui/data']);
    expect(await answer(await open.request('/ui/a/b', { method: 'POST' }))).toEqual([
      200,
      'POST /ui/a/b',
    ]);
  });

  it('leaves the other paths to the API: /uix is not under /ui', async () => {
    const response = await app().request('/uix');
    expect([response.status, await response.json()]).toEqual([
      404,
      { error: 'Requested REST resource not found - GET /uix' },
    ]);
  });

  it('serves its public paths without the API key and the rest only with it', async () => {
    const guarded = app('secret');
    expect(await answer(await guarded.request('/ui'))).toEqual([200, 'GET /ui']);
    expect(await answer(await guarded.request('/ui/file.js'))).toEqual([200, 'GET /ui/file.js']);
    const refused = await guarded.request('/ui/data');
    expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    const allowed = await guarded.request('/ui/data', {
      headers: { authorization: 'Bearer secret' },
    });
    expect(await answer(allowed)).toEqual([200, 'GET /ui/data']);
    // The page's public paths open nothing else.
    expect((await guarded.request('/v1/config')).status).toBe(401);
  });
});
