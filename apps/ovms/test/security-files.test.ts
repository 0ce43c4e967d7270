import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTransportSecurity } from '../src/transport-security.js';
import { writeTestPki } from './support/tls.js';
import type { TestPki } from './support/tls.js';

// The files behind --tls_cert, --tls_key, --tls_client_ca and --api_key_file, read as the
// server reads them at start; every way they can be unusable is refused naming the flag.
let dir: string;
let pki: TestPki;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-security-files-'));
  pki = await writeTestPki(dir);
  await writeFile(file('not-pem.txt'), 'hello\n');
  await writeFile(file('key.txt'), '\n\t my-key \n');
  await writeFile(file('blank.txt'), ' \n\n');
  await writeFile(file('two-words.txt'), 'my key\n');
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readTransportSecurity', () => {
  it('is empty when no flag is set', async () => {
    expect(await readTransportSecurity({})).toEqual({});
  });

  it('reads TLS, the client CA and the key (trimmed)', async () => {
    const security = await readTransportSecurity({
      tlsCert: pki.serverCert,
      tlsKey: pki.serverKey,
      tlsClientCa: pki.caCert,
      apiKeyFile: file('key.txt'),
    });
    expect(security).toEqual({
      tls: {
        cert: await readFile(pki.serverCert, 'utf8'),
        key: await readFile(pki.serverKey, 'utf8'),
        clientCa: await readFile(pki.caCert, 'utf8'),
      },
      apiKey: 'my-key',
    });
  });

  it.each([
    [
      'a missing certificate',
      () => ({ tlsCert: file('nope.pem'), tlsKey: pki.serverKey }),
      () => `--tls_cert: cannot read ${file('nope.pem')} (ENOENT)`,
    ],
    [
      'a certificate file that is not PEM',
      () => ({ tlsCert: file('not-pem.txt'), tlsKey: pki.serverKey }),
      () => `--tls_cert: ${file('not-pem.txt')} holds no PEM certificate`,
    ],
    [
      'a key given as the certificate',
      () => ({ tlsCert: pki.serverKey, tlsKey: pki.serverKey }),
      () => `--tls_cert: ${pki.serverKey} holds no PEM certificate`,
    ],
    [
      'a missing key',
      () => ({ tlsCert: pki.serverCert, tlsKey: file('nope.key') }),
      () => `--tls_key: cannot read ${file('nope.key')} (ENOENT)`,
    ],
    [
      'a key file that is not PEM',
      () => ({ tlsCert: pki.serverCert, tlsKey: file('not-pem.txt') }),
      () => `--tls_key: ${file('not-pem.txt')} holds no PEM private key`,
    ],
    [
      'the key of another certificate',
      () => ({ tlsCert: pki.serverCert, tlsKey: pki.clientKey }),
      () =>
        `--tls_key: the key in ${pki.clientKey} does not belong to the certificate in ${pki.serverCert}`,
    ],
    [
      'a directory as the client CA',
      () => ({ tlsCert: pki.serverCert, tlsKey: pki.serverKey, tlsClientCa: dir }),
      () => `--tls_client_ca: cannot read ${dir} (EISDIR)`,
    ],
    [
      'a client CA that is not PEM',
      () => ({ tlsCert: pki.serverCert, tlsKey: pki.serverKey, tlsClientCa: file('not-pem.txt') }),
      () => `--tls_client_ca: ${file('not-pem.txt')} holds no PEM certificate`,
    ],
    [
      'a missing API key file',
      () => ({ apiKeyFile: file('nope.txt') }),
      () => `--api_key_file: cannot read ${file('nope.txt')} (ENOENT)`,
    ],
    [
      'a blank API key file',
      () => ({ apiKeyFile: file('blank.txt') }),
      () => `--api_key_file: ${file('blank.txt')} is empty`,
    ],
    [
      'a key with blanks inside',
      () => ({ apiKeyFile: file('two-words.txt') }),
      () => `--api_key_file: the key in ${file('two-words.txt')} contains whitespace`,
    ],
  ])('refuses %s', async (_name, settings, message) => {
    await expect(readTransportSecurity(settings())).rejects.toThrow(
      expect.objectContaining({ name: 'SecurityFileError', message: message() }),
    );
  });
});
