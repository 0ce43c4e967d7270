import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';

/** PEM paths of a throwaway PKI made for one test run (never committed). */
export interface TestPki {
  /** The CA the server trusts for clients and clients trust for the server. */
  readonly caCert: string;
  /** Server certificate for localhost and 127.0.0.1, signed by the CA, and its key. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate signed by the CA, and its key. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate signed by another CA, and its key. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

/** Runs openssl in `dir`; its stdin is never written (it may exit before reading it). */
function openssl(dir: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd: dir, timeout: 30_000 }, (error, _stdout, stderr) =>
      error
        ? reject(new Error(`openssl ${args.join(' ')}: ${stderr || error.message}`))
        : resolve(),
    );
  });
}

const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(dir, [
    ...['req', '-x509', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`],
    ...['-days', '2', '-subj', `/CN=${name}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
}

async function makeLeaf(dir: string, name: string, ca: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    ...['req', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`],
  ]);
  await openssl(dir, [
    ...['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`],
    ...['-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`],
  ]);
}

/** Makes a CA, a server and a client certificate from it, and a client from another CA. */
export async function writeTestPki(dir: string): Promise<TestPki> {
  await makeCa(dir, 'ca');
  await makeCa(dir, 'other-ca');
  await makeLeaf(
    dir,
    'server',
    'ca',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  await makeLeaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  await makeLeaf(dir, 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const path = (file: string) => join(dir, file);
  return {
    caCert: path('ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
    strangerCert: path('stranger.pem'),
    strangerKey: path('stranger.key'),
  };
}

/** The TLS side of a client: the CA it trusts and, for mutual TLS, its certificate. */
export interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Reads the PEM files of a client identity, as node:https and grpc-js take them. */
export async function readClientTls(
  caPath: string,
  identity?: { cert: string; key: string },
): Promise<ClientTls> {
  const ca = await readFile(caPath, 'utf8');
  if (identity === undefined) return { ca };
  return {
    ca,
    cert: await readFile(identity.cert, 'utf8'),
    key: await readFile(identity.key, 'utf8'),
  };
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request through node:https (no agent reuse, so every call does its own handshake). */
export function httpsRequest(
  url: string,
  tls: ClientTls,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        timeout: 20_000,
        ...tls,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}
