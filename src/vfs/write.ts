/**
 * Vfs.openWrite: which sink the bytes go to, and what happens once they are stored (the stream itself is
 * write-stream.ts, the sinks write-sinks.ts).
 *
 * - An OS junk name (JUNK_PATTERNS) or an announced size of 0 => the bytes are kept as a local-only file in the
 *   store (LocalSink). Otherwise they stream (RemoteSink) or spool (SpoolSink, size unknown) to remote.put in
 *   the parent folder the caller resolved. An upload of unknown size that turns out empty is kept local too.
 * - On success: the new entry's metadata is recorded under its id (modTime = opts.modTime ?? now, md5, sha1;
 *   the dead properties of the replaced file are carried over), the cached listing is updated in place, and
 *   only then is the replaced file (remote or local) removed: the old version survives any failure before
 *   that point. A failure to remove the old one is logged; it stays as a duplicate (shown as `name (2).ext`),
 *   the new file keeps the name. 'finish' and `result` come after all that.
 * - On a remote without duplicate names (put would throw EEXIST), the replaced remote file has to be removed
 *   before the upload starts (at openWrite).
 *
 * Concurrency: the parent listing is the one read by the caller's resolve; two writes of one path racing each
 * other both succeed and the later commit removes the earlier file only if it was the one seen at its resolve.
 */
import { FsError } from '../core/errors.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { deleteFileNode, deleteReplaced, nodeId, remoteDirOf, type VfsContext } from './context.ts';
import { localToVfs, remoteToVfs } from './entry.ts';
import { newLocalId } from './local.ts';
import type { Node, Placement } from './tree.ts';
import type { VfsEntry, VfsWriteStream, WriteOptions } from './types.ts';
import { LocalSink, RemoteSink, SpoolSink, type Sink, type Stored } from './write-sinks.ts';
import { WriteStream, type Received } from './write-stream.ts';

/** The most bytes a local-only file may hold; more fails with ENOSPC (the local store is "full" for it). */
export const MAX_LOCAL_FILE_BYTES = 16 * 1024 * 1024;

/** Start a write at `at`. Throws EISDIR (a folder is there), and what the parent's remote entry throws. */
export async function openWrite(ctx: VfsContext, at: Placement, opts: WriteOptions = {}): Promise<VfsWriteStream> {
  const { path, name } = at;
  if (at.existing?.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path });
  const local = ctx.isJunk(name) || opts.size === 0;
  let old = at.existing;
  if (!local && old?.remote && !ctx.remote.facts.duplicateNames) {
    await deleteFileNode(ctx, old, opts.signal);
    old = undefined;
  }
  let sink: Sink;
  if (local) {
    sink = new LocalSink(MAX_LOCAL_FILE_BYTES, path);
  } else {
    const knownIds = at.view.nodes.flatMap((n) => (n.remote && n.remote.kind === 'file' && n.remote.name === name ? [n.remote.id] : []));
    const to = { remote: ctx.remote, parent: await remoteDirOf(ctx, at.parent, opts.signal), name, path, logger: ctx.logger, knownIds };
    sink = opts.size !== undefined ? new RemoteSink(to, opts.size) : new SpoolSink(to, ctx.spoolDir);
  }
  ctx.transfers.activeWrites += 1;
  return new WriteStream({
    path,
    ...(opts.size !== undefined ? { size: opts.size } : {}),
    ...(opts.expect ? { expect: opts.expect } : {}),
    sink,
    commit: (stored, received) => commit(ctx, at, old, stored, received, opts),
    replaced: at.existing !== undefined,
    ...(opts.signal ? { signal: opts.signal } : {}),
    remote: ctx.remote,
    logger: ctx.logger,
    onClose: () => (ctx.transfers.activeWrites -= 1),
  });
}

/** Record a stored write (see the module doc) and return the new entry. Throws ENOSPC (local store full). */
async function commit(ctx: VfsContext, at: Placement, old: Node | undefined, stored: Stored, received: Received, opts: WriteOptions): Promise<VfsEntry> {
  const modTime = opts.modTime ?? ctx.clock.now();
  const { path, name } = at;
  if (!stored.entry) {
    const id = old?.local ? old.local.id : newLocalId();
    const file = { path, id, content: stored.content, modTime };
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
  const entry: RemoteEntry = stored.entry;
  if (old) ctx.store.copyMeta(nodeId(old), entry.id);
  ctx.store.setMeta(entry.id, { modTime, md5: received.md5, sha1: received.sha1 });
  ctx.cache.upsert(entry);
  ctx.transfers.uploads += 1;
  ctx.transfers.uploadBytes += received.size;
  // An upload whose answer was lost is found again by listing: never take the replaced file for the new one.
  if (old?.remote?.id !== entry.id) await deleteReplaced(ctx, old);
  return remoteToVfs(path, name, entry, ctx.store.getMeta(entry.id));
}
