/**
 * Vfs.openWrite: where the bytes go, and what happens once they are durable.
 *
 * - An OS junk name (JUNK_PATTERNS) or an announced size of 0 => the bytes are collected and kept as a
 *   local-only file in the store. Otherwise they stream (or spool, size unknown) to remote.put at the path.
 *   An upload of unknown size that turns out empty also becomes a local empty file.
 * - On success: the new entry's metadata is recorded under its id (modTime = opts.modTime ?? now, md5,
 *   sha1; the dead properties of the replaced file are carried over), the cached listing is updated in
 *   place, and only then is the replaced file (remote or local) removed: the old version survives any
 *   failure before that point. A failure to remove the old one is logged; it stays as a duplicate (shown
 *   as `name (2).ext`), the new file keeps the name. 'finish' and `result` come after all that.
 * - On a remote without duplicate names (put would throw EEXIST), the replaced remote file has to be
 *   removed before the upload starts (at openWrite).
 *
 * Concurrency: the parent listing is read at openWrite; two writes of one path racing each other both
 * succeed and the later commit removes the earlier file only if it was the one seen at its open.
 */
import { Writable } from 'node:stream';
import { FsError } from '../core/errors.ts';
import { baseName, normPath } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { deleteFileNode, deleteReplaced, nodeId, type VfsContext } from './context.ts';
import { localToVfs, remoteToVfs } from './entry.ts';
import { newLocalId } from './local.ts';
import type { Node } from './tree.ts';
import type { VfsEntry, VfsWriteStream, WriteOptions } from './types.ts';
import { createUploadStream, type UploadOutcome, type UploadStream } from './write.ts';

/** Start a write of `rawPath`. Throws EISDIR (a folder, or the root), ENOENT/ENOTDIR (parent). */
export async function openWrite(ctx: VfsContext, rawPath: string, opts: WriteOptions = {}): Promise<VfsWriteStream> {
  const path = normPath(rawPath);
  if (path === '') throw new FsError('EISDIR', 'is a directory', { path });
  const { child } = await ctx.tree.parentAndChild(path, opts.signal);
  if (child?.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path });
  const collect = ctx.isJunk(baseName(path)) || opts.size === 0;
  let old = child;
  if (!collect && old?.remote && !ctx.remote.facts.duplicateNames) {
    await deleteFileNode(ctx, old, opts.signal);
    old = undefined;
  }
  const upload = createUploadStream({
    remote: ctx.remote,
    path,
    ...(opts.size !== undefined ? { size: opts.size } : {}),
    spoolDir: ctx.spoolDir,
    ...(opts.expect ? { expect: opts.expect } : {}),
    collect,
    ...(opts.signal ? { signal: opts.signal } : {}),
    logger: ctx.logger,
  });
  const replaced = child !== undefined;
  return new VfsWriter(ctx, path, upload, (outcome) => commit(ctx, path, old, outcome, opts), replaced);
}

/** Record a finished upload (see the module doc) and return the new entry. Throws ENOSPC (local store full). */
async function commit(ctx: VfsContext, path: string, old: Node | undefined, outcome: UploadOutcome, opts: WriteOptions): Promise<VfsEntry> {
  const modTime = opts.modTime ?? ctx.clock.now();
  const name = baseName(path);
  if (!outcome.entry) {
    const id = old?.local ? old.local.id : newLocalId();
    const file = { path, id, content: outcome.content ?? Buffer.alloc(0), modTime };
    try {
      ctx.store.putLocal(file);
    } catch (err) {
      throw new FsError('ENOSPC', 'local file too large', { path, cause: err });
    }
    if (old?.remote) {
      ctx.store.copyMeta(old.remote.id, id);
      await deleteReplaced(ctx, old);
    }
    return localToVfs(path, name, file);
  }
  const entry: RemoteEntry = outcome.entry;
  if (old) ctx.store.copyMeta(nodeId(old), entry.id);
  ctx.store.setMeta(entry.id, { modTime, md5: outcome.md5, sha1: outcome.sha1 });
  ctx.cache.upsert(entry);
  ctx.io.uploads += 1;
  ctx.io.uploadBytes += outcome.size;
  await deleteReplaced(ctx, old);
  return remoteToVfs(path, name, entry, ctx.store.getMeta(entry.id));
}

function asFsError(err: unknown, path: string): FsError {
  return err instanceof FsError ? err : new FsError('EIO', 'write failed', { path, cause: err });
}

/** The stream handed to callers: forwards to the upload stream, finishes only after the commit. */
class VfsWriter extends Writable implements VfsWriteStream {
  readonly result: Promise<VfsEntry>;
  readonly replaced: boolean;
  readonly #inner: UploadStream;
  readonly #commit: (o: UploadOutcome) => Promise<VfsEntry>;
  readonly #path: string;
  #resolve!: (e: VfsEntry) => void;
  #reject!: (e: FsError) => void;

  constructor(ctx: VfsContext, path: string, inner: UploadStream, commit: (o: UploadOutcome) => Promise<VfsEntry>, replaced: boolean) {
    super();
    this.#inner = inner;
    this.#commit = commit;
    this.#path = path;
    this.replaced = replaced;
    this.result = new Promise<VfsEntry>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.result.catch(() => undefined);
    inner.on('error', (err: Error) => this.destroy(err));
    ctx.io.activeWrites += 1;
    this.once('close', () => (ctx.io.activeWrites -= 1));
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#inner.write(chunk, (err) => cb(err ?? null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#inner.end();
    this.#inner.done.then(this.#commit).then(
      (entry) => {
        this.#resolve(entry);
        cb();
      },
      (err: unknown) => cb(asFsError(err, this.#path)),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const fsErr = asFsError(err ?? new FsError('EIO', 'write aborted'), this.#path);
    if (!this.#inner.destroyed) this.#inner.destroy(fsErr);
    this.#reject(fsErr);
    cb(err ? fsErr : null);
  }
}
