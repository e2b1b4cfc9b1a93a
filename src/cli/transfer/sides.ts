/**
 * The two sides of a transfer (a local path, or a path in the account through the VFS) seen the same way:
 * an item's kind, size, modTime and (account side) whirlpool; the files and folders below a folder.
 *
 * Choices where rclone's behaviour is not followed or not defined:
 * - Local symbolic links below the source folder are not followed: they are skipped with a notice (rclone's
 *   default without -L/--copy-links); so are sockets, devices and FIFOs. A named path itself (SRC, DST) is
 *   followed when it is a link.
 * - Relative paths always use '/', whatever the platform; `localJoin` turns them into local paths.
 * - Local modTimes are the mtime in whole milliseconds (truncated).
 * - Names match as everywhere else (core/names.ts): a local destination that exists under another Unicode
 *   spelling of the same name (NFC on Linux, NFD written by macOS) is that file (`existingSpelling`), so a
 *   download never creates a second file that looks identical to one already there.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isFsError } from '../../core/errors.ts';
import { NameIndex } from '../../core/names.ts';
import { joinPath } from '../../core/path.ts';
import type { Vfs, VfsEntry } from '../../vfs/types.ts';
import { walkFrom } from '../commands/list-walk.ts';

export type Side = { kind: 'local'; path: string } | { kind: 'remote'; path: string };

export interface Item {
  kind: 'file' | 'dir';
  size: number;
  /** ms since the epoch. */
  modTime: number;
  /** The account's whirlpool, when known (account side only). */
  whirlpool?: string;
}

/** An item below a folder, by its path relative to that folder ('/'-separated). */
export interface Listed extends Item {
  rel: string;
}

/** `rel` ('/'-separated) below the side's path, on the same side. */
export function sideJoin(side: Side, rel: string): Side {
  if (rel === '') return side;
  return side.kind === 'local' ? { kind: 'local', path: localJoin(side.path, rel) } : { kind: 'remote', path: joinPath(side.path, rel) };
}

/** A '/'-separated relative path under the local directory `base`. */
export function localJoin(base: string, rel: string): string {
  return join(base, ...rel.split('/'));
}

/** How a side's path is shown in messages: local paths as given, account paths as `/path`. */
export function showSide(side: Side): string {
  return side.kind === 'local' ? side.path : `/${side.path}`;
}

function fromStats(st: Stats): Item {
  return { kind: st.isDirectory() ? 'dir' : 'file', size: st.isDirectory() ? 0 : st.size, modTime: Math.floor(st.mtimeMs) };
}

function fromEntry(e: VfsEntry): Item {
  return { kind: e.kind === 'dir' ? 'dir' : 'file', size: e.size, modTime: e.modTime, ...(e.hashes.whirlpool ? { whirlpool: e.hashes.whirlpool.toLowerCase() } : {}) };
}

/**
 * `side` itself, or for a local path that does not exist, the path of the entry of its folder spelled differently
 * with the same name (core/names.ts). Account paths are returned as they are: the VFS matches names itself.
 */
export async function existingSpelling(side: Side): Promise<Side> {
  if (side.kind === 'remote') return side;
  try {
    await lstat(side.path);
    return side;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return side;
  }
  let names: string[];
  try {
    names = await readdir(dirname(side.path));
  } catch {
    return side;
  }
  const found = new NameIndex(names, (n) => n).find(basename(side.path));
  return found === undefined ? side : { kind: 'local', path: join(dirname(side.path), found) };
}

/**
 * The item at `side` (a local link followed), or undefined when there is nothing there (or a parent is a
 * file). Throws other local fs errors, what Vfs.stat throws besides ENOENT/ENOTDIR, and EINVAL for a local
 * path that is neither a file nor a folder (a device, a FIFO...).
 */
export async function statSide(vfs: Vfs, side: Side): Promise<Item | undefined> {
  if (side.kind === 'remote') {
    try {
      return fromEntry(await vfs.stat(side.path));
    } catch (err) {
      if (isFsError(err, 'ENOENT') || isFsError(err, 'ENOTDIR')) return undefined;
      throw err;
    }
  }
  let st: Stats;
  try {
    st = await stat(side.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  if (!st.isFile() && !st.isDirectory()) {
    const err = new Error(`not a regular file or folder: ${side.path}`) as NodeJS.ErrnoException;
    err.code = 'EINVAL';
    throw err;
  }
  return fromStats(st);
}

/**
 * Every file and folder below the folder at `side` (not the folder itself), parents before children, sorted
 * by name within a folder. `onSkip(rel, why)` hears about local entries that are not followed. Throws what
 * listing throws (local fs errors; ENOENT, ENOTDIR, EAGAIN/EIO from the VFS).
 */
export async function listTree(vfs: Vfs, side: Side, onSkip: (rel: string, why: string) => void): Promise<Listed[]> {
  const out: Listed[] = [];
  if (side.kind === 'remote') {
    for await (const { entry, rel } of walkFrom(vfs, await vfs.stat(side.path), -1)) out.push({ rel, ...fromEntry(entry) });
    return out;
  }
  await listLocal(side.path, '', out, onSkip);
  return out;
}

async function listLocal(dir: string, rel: string, out: Listed[], onSkip: (rel: string, why: string) => void): Promise<void> {
  const dirents: Dirent[] = await readdir(dir, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs: [string, string][] = [];
  for (const d of dirents) {
    const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
    const full = join(dir, d.name);
    if (d.isSymbolicLink()) {
      onSkip(childRel, 'a symbolic link: not followed (as rclone without -L)');
      continue;
    }
    if (!d.isFile() && !d.isDirectory()) {
      onSkip(childRel, 'not a regular file or folder');
      continue;
    }
    out.push({ rel: childRel, ...fromStats(await lstat(full)) });
    if (d.isDirectory()) subdirs.push([full, childRel]);
  }
  for (const [full, childRel] of subdirs) await listLocal(full, childRel, out, onSkip);
}
