/**
 * The listing walk the listing commands share (ls, lsd, lsjson, delete, link -R), with rclone's depth rules:
 * `--max-depth N` (1 = the folder's own entries, -1 = no limit), and a command that is not recursive by
 * default (lsd, lsjson) looks one level deep unless -R or --max-depth says otherwise.
 *
 * Order: a folder's entries sorted by name, then the entries of each of its sub-folders in the same order
 * (rclone lists folders concurrently, so its order is unspecified; this one is stable for scripts).
 */
import { InvalidArgumentError, Option } from 'commander';
import { joinPath } from '../../core/path.ts';
import type { Vfs, VfsEntry } from '../../vfs/types.ts';

export interface Listed {
  entry: VfsEntry;
  /** The entry's path relative to the listed path; the file's own name when the listed path is a file. */
  rel: string;
}

/** `--max-depth N`: an integer >= -1. */
export function maxDepthOption(): Option {
  return new Option('--max-depth <n>', 'descend at most N levels below the path (1 = its own entries, -1 = no limit)').argParser((v: string) => {
    if (!/^-?\d+$/.test(v) || Number(v) < -1) throw new InvalidArgumentError('expected an integer >= -1');
    return Number(v);
  });
}

/** rclone's ConfigMaxDepth: the given depth when recursive (default unlimited), else the given depth or 1. */
export function effectiveDepth(maxDepth: number | undefined, recursive: boolean): number {
  const depth = maxDepth ?? -1;
  return !recursive && depth < 0 ? 1 : depth;
}

const byName = (a: VfsEntry, b: VfsEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function* walkDir(vfs: Vfs, dir: string, rel: string, depth: number, maxDepth: number): AsyncGenerator<Listed> {
  const entries = (await vfs.readdir(dir)).sort(byName);
  for (const entry of entries) yield { entry, rel: joinPath(rel, entry.name) };
  if (maxDepth >= 0 && depth >= maxDepth) return;
  for (const entry of entries) {
    if (entry.kind === 'dir') yield* walkDir(vfs, entry.path, joinPath(rel, entry.name), depth + 1, maxDepth);
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

/** `walk` from an entry the caller has already looked up. Throws what Vfs.readdir throws. */
export async function* walkFrom(vfs: Vfs, root: VfsEntry, maxDepth: number): AsyncGenerator<Listed> {
  if (root.kind === 'file') {
    yield { entry: root, rel: root.name };
    return;
  }
  if (maxDepth === 0) return;
  yield* walkDir(vfs, root.path, '', 1, maxDepth);
}

/** Every entry `walkFrom` yields, in order. */
export async function walkAll(vfs: Vfs, root: VfsEntry, maxDepth: number): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const item of walkFrom(vfs, root, maxDepth)) out.push(item);
  return out;
}
