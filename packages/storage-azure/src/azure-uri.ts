import { ServingError, StatusCode } from '@ovms/core';

/** `az://` names Blob storage containers, `azfs://` Azure Files shares (as OVMS does). */
export type AzureService = 'blob' | 'share';

/** An `az://container/path` or `azfs://share/path` location; `path` is "" for the root. */
export interface AzureLocation {
  readonly service: AzureService;
  /** The blob container or the file share. */
  readonly container: string;
  readonly path: string;
}

const SCHEMES: Readonly<Record<string, AzureService>> = { az: 'blob', azfs: 'share' };

/**
 * Splits `az://models/resnet/1` into service, container and path. The scheme is
 * case-insensitive (the StorageRegistry lower-cases it); a URI without a container or share
 * is PATH_INVALID naming it.
 */
export function parseAzureUri(uri: string): AzureLocation {
  const match = /^([a-z]+):\/\/([^/]*)\/*(.*)$/is.exec(uri);
  const service = SCHEMES[(match?.[1] ?? '').toLowerCase()];
  const container = match?.[2] ?? '';
  if (!match || service === undefined || container === '')
    throw new ServingError(
      StatusCode.PATH_INVALID,
      `not an az://container/path or azfs://share/path URI: ${uri}`,
    );
  return { service, container, path: match[3] ?? '' };
}

export function formatAzureUri(location: AzureLocation, path = location.path): string {
  const scheme = location.service === 'blob' ? 'az' : 'azfs';
  return path === ''
    ? `${scheme}://${location.container}`
    : `${scheme}://${location.container}/${path}`;
}

/** The prefix naming everything "inside" `path` as a directory: "" or "a/b/". */
export function dirPrefix(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** What the container or share is called in messages: "container az://models". */
export function describeContainer(location: AzureLocation): string {
  const what = location.service === 'blob' ? 'container' : 'file share';
  return `${what} ${formatAzureUri(location, '')}`;
}
