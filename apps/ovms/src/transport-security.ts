import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerSettings } from '@ovms/config';
import type { ServerTls } from '@ovms/core';

/** TLS material and the API key as both transports take them; absent parts are off. */
export interface TransportSecurity {
  readonly tls?: ServerTls;
  /** Never logged. */
  readonly apiKey?: string;
}

type SecuritySettings = Pick<ServerSettings, 'tlsCert' | 'tlsKey' | 'tlsClientCa' | 'apiKeyFile'>;

/** A security flag's file that cannot be used; the message names the flag and the path. */
export class SecurityFileError extends Error {
  override readonly name = 'SecurityFileError';
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SecurityFileError(`--${flag}: cannot read ${path} (${reason})`);
  }
}

function parseCertificate(flag: string, path: string, pem: string): X509Certificate {
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM block');
    return new X509Certificate(pem);
  } catch {
    throw new SecurityFileError(`--${flag}: ${path} holds no PEM certificate`);
  }
}

/**
 * Reads and checks the files of `--tls_cert`, `--tls_key`, `--tls_client_ca` and
 * `--api_key_file` before anything listens, so that a wrong path, a file that is not PEM, a
 * key that does not match the certificate or an empty key file stops the start with a message
 * naming the flag (the flag pairs themselves are checked by @ovms/config).
 */
export async function readTransportSecurity(
  settings: SecuritySettings,
): Promise<TransportSecurity> {
  return {
    ...(settings.tlsCert !== undefined &&
      settings.tlsKey !== undefined && {
        tls: await readTls(settings.tlsCert, settings.tlsKey, settings.tlsClientCa),
      }),
    ...(settings.apiKeyFile !== undefined && { apiKey: await readApiKey(settings.apiKeyFile) }),
  };
}

async function readTls(certPath: string, keyPath: string, caPath?: string): Promise<ServerTls> {
  const cert = await readFlagFile('tls_cert', certPath);
  const certificate = parseCertificate('tls_cert', certPath, cert);
  const key = await readFlagFile('tls_key', keyPath);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new SecurityFileError(`--tls_key: ${keyPath} holds no PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey))
    throw new SecurityFileError(
      `--tls_key: the key in ${keyPath} does not belong to the certificate in ${certPath}`,
    );
  if (caPath === undefined) return { cert, key };
  const clientCa = await readFlagFile('tls_client_ca', caPath);
  parseCertificate('tls_client_ca', caPath, clientCa);
  return { cert, key, clientCa };
}

async function readApiKey(path: string): Promise<string> {
  const key = (await readFlagFile('api_key_file', path)).trim();
  if (key === '') throw new SecurityFileError(`--api_key_file: ${path} is empty`);
  // Clients send it as `Bearer <key>`: a key with blanks inside could never match.
  if (/\s/.test(key))
    throw new SecurityFileError(`--api_key_file: the key in ${path} contains whitespace`);
  return key;
}
