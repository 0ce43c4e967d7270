import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A TEST DOUBLE for the Azure Files REST API. Azurite serves Blob, Queue and Table but not
 * Files, and no Files server installs from this machine's registries, so the azfs:// tests
 * talk to this instead, through the official @azure/storage-file-share client over real HTTP.
 * It serves only what the backend asks for: share and directory properties, directory
 * listings (paged, with ETags), file properties and file GETs (whole or by x-ms-range), with
 * the service's error codes. It does NOT check shared-key signatures, permissions, leases or
 * API versions — those are exercised against Azurite's Blob service only.
 */
export interface FakeFileShare {
  /** The FileEndpoint for a connection string. */
  readonly fileEndpoint: string;
  put(share: string, path: string, body: string | Buffer): void;
  remove(share: string, path: string): void;
  close(): Promise<void>;
}

interface StoredFile {
  readonly bytes: Buffer;
  readonly etag: string;
}

const ACCOUNT = 'devstoreaccount1';

export async function startFakeFileShare(): Promise<FakeFileShare> {
  const shares = new Map<string, Map<string, StoredFile>>();
  let revision = 0;
  const server = createServer((req, res) => {
    req.resume();
    handle(shares, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    fileEndpoint: `http://127.0.0.1:${address.port}/${ACCOUNT}`,
    put(share, path, body) {
      const files = shares.get(share) ?? new Map<string, StoredFile>();
      shares.set(share, files);
      revision += 1;
      files.set(path, {
        bytes: Buffer.from(body),
        etag: `"0x8D${revision.toString(16).padStart(12, '0')}"`,
      });
    },
    remove: (share, path) => void shares.get(share)?.delete(path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(
  shares: Map<string, Map<string, StoredFile>>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  const [, account, share = '', ...rest] = url.pathname.split('/').map(decodeURIComponent);
  const path = rest.filter((part) => part !== '').join('/');
  const files = shares.get(share);
  const restype = url.searchParams.get('restype');
  if (account !== ACCOUNT || files === undefined) return fail(res, req, 404, 'ShareNotFound');
  if (restype === 'share') return ok(res, req, 200, {}, '');

  if (restype === 'directory') {
    const prefix = path === '' ? '' : `${path}/`;
    const under = [...files.keys()].filter((name) => name.startsWith(prefix));
    if (path !== '' && under.length === 0) return fail(res, req, 404, 'ResourceNotFound');
    if (url.searchParams.get('comp') !== 'list') return ok(res, req, 200, {}, '');
    const entries = new Map<string, { dir: boolean; file?: StoredFile }>();
    for (const name of under) {
      const [first = '', ...deeper] = name.slice(prefix.length).split('/');
      entries.set(
        first,
        deeper.length > 0 ? { dir: true } : { dir: false, file: files.get(name) as StoredFile },
      );
    }
    const names = [...entries.keys()].sort();
    const start = Number(url.searchParams.get('marker') ?? 0);
    const max = Number(url.searchParams.get('maxresults') ?? 5000);
    const page = names.slice(start, start + max);
    const next = start + max < names.length ? String(start + max) : '';
    const xml = page
      .map((name) => {
        const entry = entries.get(name);
        if (entry?.file === undefined)
          return `<Directory><Name>${escape(name)}</Name><Properties/></Directory>`;
        const { bytes, etag } = entry.file;
        return `<File><Name>${escape(name)}</Name><Properties><Content-Length>${bytes.length}</Content-Length><Etag>${etag}</Etag></Properties></File>`;
      })
      .join('');
    const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://fake/" ShareName="${escape(share)}" DirectoryPath="${escape(path)}"><MaxResults>${max}</MaxResults><Entries>${xml}</Entries><NextMarker>${next}</NextMarker></EnumerationResults>`;
    return ok(res, req, 200, { 'content-type': 'application/xml' }, body);
  }

  const file = files.get(path);
  if (file === undefined) return fail(res, req, 404, 'ResourceNotFound');
  const headers = {
    etag: file.etag,
    'x-ms-type': 'File',
    'last-modified': new Date(0).toUTCString(),
    'content-md5': createHash('md5').update(file.bytes).digest('base64'),
  };
  const range = /bytes=(\d+)-(\d*)/.exec(
    String(req.headers['x-ms-range'] ?? req.headers.range ?? ''),
  );
  if (range === null || req.method === 'HEAD') return ok(res, req, 200, headers, file.bytes);
  const first = Number(range[1]);
  const last =
    range[2] === '' ? file.bytes.length - 1 : Math.min(Number(range[2]), file.bytes.length - 1);
  const slice = file.bytes.subarray(first, last + 1);
  // Content-MD5 describes the whole file: a range answer leaves it out, as the service does.
  const partial: Record<string, string> = { ...headers };
  delete partial['content-md5'];
  partial['content-range'] = `bytes ${first}-${last}/${file.bytes.length}`;
  return ok(res, req, 206, partial, slice);
}

function ok(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  res.writeHead(status, {
    ...headers,
    'content-length': String(Buffer.byteLength(body)),
    'x-ms-version': '2025-11-05',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function fail(res: ServerResponse, req: IncomingMessage, status: number, code: string): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>fake: ${code}</Message></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'x-ms-error-code': code,
    'content-length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
