/**
 * The memory remote: an in-memory tree implementing the whole Remote contract (required surface and every
 * optional feature). It is the reference behaviour the contract suite (test/support/remote-contract.ts) is written
 * against, and the fast backend of VFS unit tests.
 *
 * - ids are 'mem:<n>' for files and folders (the root is 'mem:0'); stable across move and rename, new on copy.
 * - modTime comes from the injected clock: upload/copy time for files, creation time for folders; a move keeps it.
 * - Facts are configurable (`opts.facts`) so callers can exercise both sides of each one: with
 *   `duplicateNames` a file's name is not exclusive: a put, move or copy onto a taken name adds a second file,
 *   and a folder may share its name with files (never with another folder); without it any taken name throws
 *   EEXIST. With `emptyFiles: false` a 0-byte put throws EINVAL. `hashes` lists the digests computed on put
 *   (md5, sha1, whirlpool). A put into a removed folder always throws ENOENT (putFailsOnMissingParent).
 *   `readOnly` is refused (EINVAL at creation): an empty remote nothing can be written to tests nothing.
 * - Parents and files are found by id (the entry handed in), never by path.
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
import { isWithin, joinPath } from '../../core/path.ts';
import { assertSpan } from '../../core/span.ts';
import type { About, Remote, RemoteEntry, RemoteFacts } from '../types.ts';
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
  putFailsOnMissingParent: true,
  readOnly: false,
});

/** Bytes per chunk of an openRead stream. */
const READ_CHUNK = 64 * 1024;

/** Creates an empty memory remote (only the root folder exists). */
export function createMemoryRemote(opts: MemoryRemoteOptions = {}): Remote {
  const clock = opts.clock ?? systemClock;
  const facts: RemoteFacts = { ...DEFAULT_MEMORY_FACTS, ...opts.facts };
  // A read-only memory remote could never hold anything: the fact is refused rather than ignored.
  if (facts.readOnly) throw new FsError('EINVAL', 'the memory remote is always writable (facts.readOnly is not supported)', { path: '' });
  facts.hashes = [...facts.hashes];
  const quota = opts.quota ?? 2 ** 40;
  const tree = new MemoryTree(clock.now());

  /**
   * Throws EEXIST when `name` is taken in `dir` for a new item of `kind` (`self` excepted): with duplicateNames
   * only a folder clashes, and only with another folder; without it any entry of that name clashes.
   */
  const ensureFree = (dir: DirNode, name: string, kind: 'file' | 'dir', self?: DirNode | FileNode): void => {
    const taken = tree.named(dir, name).filter((n) => n !== self && (!facts.duplicateNames || (kind === 'dir' && n.kind === 'dir')));
    if (taken.length > 0) throw new FsError('EEXIST', 'already exists', { path: joinPath(tree.pathOf(dir), name) });
  };

  /** Moves `node` to `name` in `dir` (EEXIST when the name is taken for its kind) and returns its new entry. */
  const relocate = (node: DirNode | FileNode, dir: DirNode, name: string): RemoteEntry => {
    ensureFree(dir, name, node.kind, node);
    tree.detach(node, false);
    node.name = name;
    tree.attach(node, dir);
    return tree.entryOf(node);
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
      if (range) assertSpan(range, node.data.length, file.path);
      const stream = Readable.from(chunks(node.data, range?.start ?? 0, (range?.end ?? node.data.length - 1) + 1));
      return signal ? addAbortSignal(signal, stream) : stream;
    },

    async put(parentEntry, name, source, putOpts) {
      let path = joinPath(parentEntry.path, name);
      let parent: DirNode;
      try {
        putOpts.signal?.throwIfAborted();
        parent = tree.dirOf(parentEntry);
        path = joinPath(tree.pathOf(parent), name);
        checkName(name, path);
        checkSize(putOpts.size, facts, path);
        ensureFree(parent, name, 'file');
        ensureSpace(putOpts.size, path);
      } catch (err) {
        source.destroy();
        throw err;
      }
      const data = await readExactly(source, putOpts.size, path, putOpts.signal);
      const hashes = await digestsOf(data, facts.hashes);
      putOpts.signal?.throwIfAborted();
      if (!tree.isLive(parent)) throw new FsError('ENOENT', 'parent folder removed during upload', { path });
      ensureFree(parent, name, 'file');
      ensureSpace(data.length, path);
      return attachFile(parent, name, data, hashes);
    },

    async remove(file, signal) {
      signal?.throwIfAborted();
      tree.detach(tree.fileOf(file), true);
    },

    async mkdir(parentEntry, name, signal) {
      signal?.throwIfAborted();
      const parent = tree.dirOf(parentEntry);
      checkName(name, joinPath(parentEntry.path, name));
      ensureFree(parent, name, 'dir');
      const node: DirNode = { kind: 'dir', id: tree.newId(), name, parent, modTime: clock.now(), children: [] };
      tree.attach(node, parent);
      return tree.entryOf(node);
    },

    async rmdir(dir, signal) {
      signal?.throwIfAborted();
      const node = tree.dirOf(dir);
      if (node === tree.root) throw new FsError('EINVAL', 'cannot remove the root', { path: '' });
      if (node.children.length > 0) throw new FsError('ENOTEMPTY', 'directory not empty', { path: tree.pathOf(node) });
      tree.detach(node, true);
    },

    async move(file, parentEntry, name, signal) {
      signal?.throwIfAborted();
      const node = tree.fileOf(file);
      const parent = tree.dirOf(parentEntry);
      checkName(name, joinPath(parentEntry.path, name));
      if (parent === node.parent && name === node.name) return tree.entryOf(node);
      return relocate(node, parent, name);
    },

    async dirMove(dir, parentEntry, name, signal) {
      signal?.throwIfAborted();
      const node = tree.dirOf(dir);
      if (node === tree.root) throw new FsError('EINVAL', 'cannot move the root', { path: '' });
      const parent = tree.dirOf(parentEntry);
      const dst = joinPath(tree.pathOf(parent), name);
      checkName(name, dst);
      if (isWithin(dst, tree.pathOf(node))) throw new FsError('EINVAL', 'cannot move a folder into itself', { path: dst });
      return relocate(node, parent, name);
    },

    async copy(file, parentEntry, name, signal) {
      signal?.throwIfAborted();
      const node = tree.fileOf(file);
      const parent = tree.dirOf(parentEntry);
      const path = joinPath(tree.pathOf(parent), name);
      checkName(name, path);
      ensureFree(parent, name, 'file');
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

/** Throws EINVAL for a name that is not one path segment ('', '.', '..', a '/' or NUL inside). */
function checkName(name: string, path: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new FsError('EINVAL', 'invalid name', { path });
  }
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
