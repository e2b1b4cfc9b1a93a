/**
 * The memory remote: an in-memory tree implementing the whole Remote contract (required surface and every
 * optional feature). It is the reference behaviour the contract suite (test/support/remote-contract.ts) is written
 * against, and the fast backend of VFS unit tests.
 *
 * - ids are 'mem:<n>' for files and folders (the root is 'mem:0'); stable across move and rename, new on copy.
 * - modTime comes from the injected clock: upload/copy time for files, creation time for folders; a move keeps it.
 * - Facts are configurable (`opts.facts`) so callers can exercise both sides of each one: with
 *   `duplicateNames` a put, move or copy onto a taken name adds a second file (a file may then also share its
 *   name with a folder); without it they throw EEXIST. With `emptyFiles: false` a 0-byte put throws EINVAL.
 *   `hashes` lists the digests computed on put (md5, sha1, whirlpool).
 * - List order is insertion order (a moved file goes last in its new folder); stat of a duplicate name gives
 *   the first in that order.
 *
 * Concurrency: every operation is synchronous on the tree except put, which awaits its source (and the
 * digests) and then re-checks parent, name and quota before attaching the file in one synchronous step: a
 * concurrent reader sees the file either complete or not at all.
 */
import { Readable, addAbortSignal } from 'node:stream';
import { systemClock, type Clock } from '../../util/clock.ts';
import { FsError, isFsError } from '../../core/errors.ts';
import { isWithin, normPath } from '../../core/path.ts';
import type { About, ReadRange, Remote, RemoteEntry, RemoteFacts } from '../types.ts';
import { digestsOf } from './hashes.ts';
import { MemoryTree, type DirNode, type FileNode } from './tree.ts';

export interface MemoryRemoteOptions {
  /** Time source for modTime. Default: the system clock. */
  clock?: Clock;
  /** Overrides of the default facts (no duplicates, empty files and dirs allowed, no settable modTime, no
   * hashes, cheap seeks). */
  facts?: Partial<RemoteFacts>;
  /** Account size in bytes, reported by `about` and enforced by put and copy (ENOSPC). Default 1 TiB. */
  quota?: number;
}

export const DEFAULT_MEMORY_FACTS: Readonly<RemoteFacts> = Object.freeze({
  duplicateNames: false,
  emptyFiles: true,
  emptyDirs: true,
  setModTime: false,
  hashes: [],
  cheapSeek: true,
});

/** Bytes per chunk of an openRead stream. */
const READ_CHUNK = 64 * 1024;

/** Creates an empty memory remote (only the root folder exists). */
export function createMemoryRemote(opts: MemoryRemoteOptions = {}): Remote {
  const clock = opts.clock ?? systemClock;
  const facts: RemoteFacts = { ...DEFAULT_MEMORY_FACTS, ...opts.facts };
  facts.hashes = [...facts.hashes];
  const quota = opts.quota ?? 2 ** 40;
  const tree = new MemoryTree(clock.now());

  /** Throws EEXIST when `name` is taken in `dir` and the facts forbid a second entry of that name. */
  const ensureFree = (dir: DirNode, name: string, path: string, kind: 'file' | 'dir', self?: FileNode): void => {
    const taken = tree.named(dir, name).filter((n) => n !== self);
    if (taken.length === 0) return;
    if (kind === 'file' && facts.duplicateNames) return;
    throw new FsError('EEXIST', 'already exists', { path });
  };

  const ensureSpace = (bytes: number, path: string): void => {
    if (tree.usedBytes() + bytes > quota) throw new FsError('ENOSPC', 'quota exceeded', { path });
  };

  /** Puts a copy of `data` at `path` as a new file (new id, modTime now). Synchronous: callers re-check first. */
  const attachFile = (dir: DirNode, name: string, data: Buffer, hashes: FileNode['hashes']): RemoteEntry => {
    const node: FileNode = { kind: 'file', id: tree.newId(), name, parent: dir, modTime: clock.now(), data, hashes };
    tree.attach(node, dir);
    return tree.entryOf(node);
  };

  return {
    name: 'memory:',
    facts,

    async list(dir, signal) {
      signal?.throwIfAborted();
      const node = tree.resolveDir(dir);
      return node.children.map((c) => tree.entryOf(c));
    },

    async stat(path, signal) {
      signal?.throwIfAborted();
      return tree.entryOf(tree.resolve(path));
    },

    async openRead(file, range, signal) {
      signal?.throwIfAborted();
      const node = tree.fileOf(file);
      const { start, end } = clampRange(range, node.data.length, file.path);
      const stream = Readable.from(chunks(node.data, start, end + 1));
      return signal ? addAbortSignal(signal, stream) : stream;
    },

    async put(path, source, putOpts) {
      let target: { parent: DirNode; name: string; path: string };
      try {
        putOpts.signal?.throwIfAborted();
        target = tree.parentAndName(path);
        checkSize(putOpts.size, facts, target.path);
        ensureFree(target.parent, target.name, target.path, 'file');
        ensureSpace(putOpts.size, target.path);
      } catch (err) {
        source.destroy();
        throw err;
      }
      const data = await readExactly(source, putOpts.size, target.path, putOpts.signal);
      const hashes = await digestsOf(data, facts.hashes);
      putOpts.signal?.throwIfAborted();
      if (!tree.isLive(target.parent)) throw new FsError('ENOENT', 'parent folder removed during upload', { path: target.path });
      ensureFree(target.parent, target.name, target.path, 'file');
      ensureSpace(data.length, target.path);
      return attachFile(target.parent, target.name, data, hashes);
    },

    async remove(file, signal) {
      signal?.throwIfAborted();
      tree.detach(tree.fileOf(file), true);
    },

    async mkdir(path, signal) {
      signal?.throwIfAborted();
      if (normPath(path) === '') throw new FsError('EEXIST', 'the root exists', { path: '' });
      const { parent, name, path: p } = tree.parentAndName(path);
      ensureFree(parent, name, p, 'dir');
      const node: DirNode = { kind: 'dir', id: tree.newId(), name, parent, modTime: clock.now(), children: [] };
      tree.attach(node, parent);
      return tree.entryOf(node);
    },

    async rmdir(path, signal) {
      signal?.throwIfAborted();
      const node = tree.resolveDir(path);
      if (node === tree.root) throw new FsError('EINVAL', 'cannot remove the root', { path: '' });
      if (node.children.length > 0) throw new FsError('ENOTEMPTY', 'directory not empty', { path: normPath(path) });
      tree.detach(node, true);
    },

    async move(file, dstPath, signal) {
      signal?.throwIfAborted();
      const node = tree.fileOf(file);
      const { parent, name, path } = tree.parentAndName(dstPath);
      if (parent === node.parent && name === node.name) return tree.entryOf(node);
      ensureFree(parent, name, path, 'file', node);
      tree.detach(node, false);
      node.name = name;
      tree.attach(node, parent);
      return tree.entryOf(node);
    },

    async dirMove(srcPath, dstPath, signal) {
      signal?.throwIfAborted();
      const node = tree.resolveDir(srcPath);
      if (node === tree.root) throw new FsError('EINVAL', 'cannot move the root', { path: '' });
      const src = tree.pathOf(node);
      const dst = normPath(dstPath);
      if (isWithin(dst, src)) throw new FsError('EINVAL', 'cannot move a folder into itself', { path: dst });
      const { parent, name } = tree.parentAndName(dst);
      ensureFree(parent, name, dst, 'dir');
      tree.detach(node, false);
      node.name = name;
      tree.attach(node, parent);
      return tree.entryOf(node);
    },

    async copy(file, dstPath, signal) {
      signal?.throwIfAborted();
      const node = tree.fileOf(file);
      const { parent, name, path } = tree.parentAndName(dstPath);
      ensureFree(parent, name, path, 'file');
      ensureSpace(node.data.length, path);
      return attachFile(parent, name, node.data, { ...node.hashes });
    },

    async about(signal): Promise<About> {
      signal?.throwIfAborted();
      const used = tree.usedBytes();
      return { total: quota, used, free: Math.max(0, quota - used) };
    },

    async publicLink(file, signal) {
      signal?.throwIfAborted();
      return `memory://files/${encodeURIComponent(tree.fileOf(file).id)}`;
    },

    async close() {},
  };
}

/** Throws EINVAL for a size that is not a non-negative integer, or 0 when the facts forbid empty files. */
function checkSize(size: number, facts: RemoteFacts, path: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new FsError('EINVAL', 'invalid size', { path });
  if (size === 0 && !facts.emptyFiles) throw new FsError('EINVAL', 'empty files cannot be stored', { path });
}

/** The inclusive [start, end] to serve. Throws ERANGE when the range starts past the end or is inverted. */
function clampRange(range: ReadRange | undefined, size: number, path: string): { start: number; end: number } {
  const start = range?.start ?? 0;
  const end = Math.min(range?.end ?? size - 1, size - 1);
  const bad = !Number.isSafeInteger(start) || start < 0 || (range?.end !== undefined && range.end < start);
  if (bad || (size > 0 && start >= size) || (size === 0 && start > 0)) {
    throw new FsError('ERANGE', 'range outside the file', { path });
  }
  return { start, end };
}

function* chunks(data: Buffer, from: number, to: number): Generator<Buffer> {
  for (let at = from; at < to; at += READ_CHUNK) yield data.subarray(at, Math.min(to, at + READ_CHUNK));
}

/**
 * Reads `source` to its end and returns its bytes. Throws EINVAL (and stops reading) when it holds more or
 * fewer than `size` bytes, the signal's reason on abort, EIO (with the cause) when the source fails.
 */
async function readExactly(source: Readable, size: number, path: string, sig?: AbortSignal): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  const onAbort = () => source.destroy();
  sig?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string | Uint8Array>) {
      const buf = Buffer.from(chunk);
      got += buf.length;
      if (got > size) throw new FsError('EINVAL', `source longer than the declared ${size} bytes`, { path });
      parts.push(buf);
    }
  } catch (err) {
    source.destroy();
    sig?.throwIfAborted();
    if (isFsError(err)) throw err;
    throw new FsError('EIO', 'reading the upload source failed', { path, cause: err });
  } finally {
    sig?.removeEventListener('abort', onAbort);
  }
  sig?.throwIfAborted();
  if (got !== size) throw new FsError('EINVAL', `source shorter than the declared ${size} bytes (got ${got})`, { path });
  return Buffer.concat(parts, got);
}
