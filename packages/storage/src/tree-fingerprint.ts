import { createHash } from 'node:crypto';
import { ServingError, StatusCode } from '@ovms/core';
import type { RemoteFile, RemoteTree } from './remote-tree.js';

/**
 * Lists every object of a version tree; a tree with none is PATH_INVALID, as a missing local
 * version directory is (object stores have no empty directories to tell apart).
 */
export async function listTreeFiles(tree: RemoteTree, signal?: AbortSignal): Promise<RemoteFile[]> {
  const files = await tree.listFiles(signal);
  if (files.length === 0)
    throw new ServingError(
      StatusCode.PATH_INVALID,
      `path does not exist: ${tree.uri} has no objects`,
    );
  return files;
}

/**
 * A signature of a remote version: sha256 over each relative path, size and revision (ETag,
 * generation), in path order. It changes when an object is added, removed or rewritten, which
 * is what the lifecycle polls to reload a version; no object is read.
 */
export async function fingerprintTree(tree: RemoteTree, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listTreeFiles(tree, signal))
    hash.update(`${file.path}\0${file.size}\0${file.revision}\n`);
  return hash.digest('hex');
}
