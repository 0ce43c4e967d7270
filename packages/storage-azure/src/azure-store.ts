import type { AzureLocation } from './azure-uri.js';
import type { RemoteTree } from '@ovms/storage';

/** One Azure service (Blob or Files) behind the backend's StorageBackend methods. */
export interface AzureStore {
  /** Names directly under `location`; PATH_INVALID when nothing is there. */
  list(location: AzureLocation, signal?: AbortSignal): Promise<string[]>;
  /** With a trailing `/` in the path only a directory counts. */
  exists(location: AzureLocation, signal?: AbortSignal): Promise<boolean>;
  readText(location: AzureLocation, signal?: AbortSignal): Promise<string>;
  /** The files under `location`, to download or fingerprint. */
  tree(location: AzureLocation): RemoteTree;
}

/** Sorts by path as the listings of both services do (code-unit order). */
export function byPath<T extends { readonly path: string }>(a: T, b: T): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The next page of an SDK listing, typed (the iterator's `value` is `any` once done). */
export async function nextPage<T>(pages: AsyncIterator<T>): Promise<T | undefined> {
  const next = await pages.next();
  return next.done === true ? undefined : next.value;
}

/** How Azure names the checksum it stores for a blob or file (base64), for messages. */
export const CONTENT_MD5 = { algorithm: 'Content-MD5' } as const;
