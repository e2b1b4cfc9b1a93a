/**
 * A depth-first walk over the Vfs interface, shared by the CLI's listing commands (ls, lsjson, delete, link -R,
 * copy) and the account operations (links for a folder): a folder's entries sorted by name, then the entries
 * of each of its sub-folders in the same order. The order is stable so that scripts and link lists can rely
 * on it (rclone lists folders concurrently, so its order is unspecified).
 */
import { joinPath } from '../core/path.ts';
import type { Vfs, VfsEntry } from './types.ts';

export interface Listed {
  entry: VfsEntry;
  /** The entry's path relative to the listed path; the file's own name when the listed path is a file. */
  rel: string;
}

const byName = (a: VfsEntry, b: VfsEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function* walkDir(vfs: Vfs, dir: string, rel: string, depth: number, maxDepth: number, signal?: AbortSignal): AsyncGenerator<Listed> {
  const entries = (await vfs.readdir(dir, signal)).sort(byName);
  for (const entry of entries) yield { entry, rel: joinPath(rel, entry.name) };
  if (maxDepth >= 0 && depth >= maxDepth) return;
  for (const entry of entries) {
    if (entry.kind === 'dir') yield* walkDir(vfs, entry.path, joinPath(rel, entry.name), depth + 1, maxDepth, signal);
  }
}

/**
 * The entries at `path` and below it, at most `maxDepth` levels deep (-1 = all; 0 = nothing below a folder):
 * a file yields itself (rel = its name), a folder its contents (never itself). Throws what Vfs.stat and
 * Vfs.readdir throw: ENOENT (no such path), ENOTDIR (a parent is a file), EAGAIN/EIO.
 */
export async function* walk(vfs: Vfs, path: string, maxDepth: number): AsyncGenerator<Listed> {
  yield* walkFrom(vfs, await vfs.stat(path), maxDepth);
}

/** `walk` from an entry the caller has already looked up. Throws what Vfs.readdir throws, and the signal's reason. */
export async function* walkFrom(vfs: Vfs, root: VfsEntry, maxDepth: number, signal?: AbortSignal): AsyncGenerator<Listed> {
  if (root.kind === 'file') {
    yield { entry: root, rel: root.name };
    return;
  }
  if (maxDepth === 0) return;
  yield* walkDir(vfs, root.path, '', 1, maxDepth, signal);
}

/** Every entry `walkFrom` yields, in order. */
export async function walkAll(vfs: Vfs, root: VfsEntry, maxDepth: number, signal?: AbortSignal): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const item of walkFrom(vfs, root, maxDepth, signal)) out.push(item);
  return out;
}
