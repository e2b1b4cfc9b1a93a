/**
 * What rename and copy share: checking source and destination, the overwrite rule, and the file-level
 * primitives (copy a remote file, upload a local file's content) with their metadata rules: metadata is
 * keyed by id, so a move (same id) keeps it and a copy (new id) gets store.copyMeta(old, new).
 *
 * Overwrite rule (CopyMoveOptions.overwrite): a destination directory, or any destination when the source
 * is a directory, is removed first. A destination file replaced by a file is removed only after the new one
 * is in place (the old survives a failure), except when the storage forbids duplicate names (then first,
 * or the move/put would throw EEXIST) and when both are local-only (one store transaction each).
 */
import { Readable } from 'node:stream';
import { FsError } from '../core/errors.ts';
import { baseName, isWithin, normPath } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { LocalFile } from '../store/types.ts';
import { nodeToEntry, type VfsContext } from './context.ts';
import { localToVfs, remoteToVfs } from './entry.ts';
import { contentHashes } from './local.ts';
import { removeNode } from './remove.ts';
import type { DirView, Node } from './tree.ts';
import type { CopyMoveOptions, VfsEntry } from './types.ts';

/** Where a moved or copied item ended up. */
export type Placed = { remote: RemoteEntry; local?: undefined } | { local: LocalFile; remote?: undefined };

export interface TransferPlan {
  src: Node;
  dst: string;
  dstParent: DirView;
  /** The destination node to replace, if any. */
  existing: Node | undefined;
}

/**
 * Resolve and check a rename/copy. Returns undefined when source and destination are the same item (a
 * no-op). Throws EINVAL (root, a directory into itself), ENOENT (source or destination parent), ENOTDIR,
 * EEXIST (destination exists and no overwrite).
 */
export async function planTransfer(ctx: VfsContext, rawSrc: string, rawDst: string, opts: CopyMoveOptions): Promise<TransferPlan | undefined> {
  const src = normPath(rawSrc);
  const dst = normPath(rawDst);
  if (src === '' || dst === '') throw new FsError('EINVAL', 'cannot move or copy the root', { path: src === '' ? src : dst });
  const srcNode = await ctx.tree.lookup(src);
  if (!srcNode) throw new FsError('EINVAL', 'cannot move or copy the root', { path: src });
  if (srcNode.kind === 'dir' && isWithin(dst, src) && dst !== src) {
    throw new FsError('EINVAL', 'cannot move a directory into itself', { path: dst });
  }
  if (dst === src) return undefined;
  const { parent, child } = await ctx.tree.parentAndChild(dst);
  if (child && sameItem(child, srcNode)) return undefined;
  if (child && !opts.overwrite) throw new FsError('EEXIST', 'destination exists', { path: dst });
  return { src: srcNode, dst, dstParent: parent, existing: child };
}

function sameItem(a: Node, b: Node): boolean {
  return (a.local?.id ?? a.remote?.id) === (b.local?.id ?? b.remote?.id);
}

/** True when `file` should stay local-only under the name of `dst`. */
export function staysLocal(ctx: VfsContext, file: LocalFile, dst: string): boolean {
  return file.content.length === 0 || ctx.isJunk(baseName(dst));
}

/** Whether the existing destination must go before the transfer (see the module doc). */
export function removeFirst(ctx: VfsContext, plan: TransferPlan): boolean {
  const { existing, src } = plan;
  if (!existing) return false;
  if (existing.kind === 'dir' || src.kind === 'dir') return true;
  const dstLocal = src.local ? staysLocal(ctx, src.local, plan.dst) : false;
  if (existing.local) return dstLocal;
  return !dstLocal && !ctx.remote.facts.duplicateNames;
}

/**
 * Run `transfer` with the overwrite rule applied around it and return the destination's entry. Throws what
 * the removal or the transfer throws; with removal after, the old destination survives a failed transfer.
 */
export async function withOverwrite(ctx: VfsContext, plan: TransferPlan, transfer: () => Promise<Placed>, modTime?: number): Promise<VfsEntry> {
  const first = removeFirst(ctx, plan);
  if (first && plan.existing) await removeNode(ctx, plan.existing);
  const placed = await transfer();
  if (modTime !== undefined) setPlacedModTime(ctx, placed, modTime);
  if (!first && plan.existing) await removeNode(ctx, plan.existing);
  return placedToEntry(ctx, plan.dst, placed);
}

function setPlacedModTime(ctx: VfsContext, placed: Placed, modTime: number): void {
  if (placed.local) ctx.store.putLocal({ ...placed.local, modTime });
  else ctx.store.setMeta(placed.remote.id, { modTime });
}

/** The VfsEntry of a placed item at `path`. */
export function placedToEntry(ctx: VfsContext, path: string, placed: Placed): VfsEntry {
  if (placed.local) {
    const file = ctx.store.getLocal(path) ?? placed.local;
    return localToVfs(path, baseName(path), file);
  }
  return remoteToVfs(path, baseName(path), placed.remote, ctx.store.getMeta(placed.remote.id));
}

/**
 * Copy one remote file to `dst` (server-side when the remote can, else read + put); the copy gets the
 * metadata and dead properties of the original and enters the cache. Throws what the remote throws.
 */
export async function copyRemoteFile(ctx: VfsContext, file: RemoteEntry, dst: string): Promise<RemoteEntry> {
  let copied: RemoteEntry;
  if (ctx.remote.copy) {
    copied = await ctx.remote.copy(file, dst);
  } else {
    const body = await ctx.remote.openRead(file);
    copied = await ctx.remote.put(dst, body, { size: file.size });
  }
  ctx.store.copyMeta(file.id, copied.id);
  ctx.cache.upsert(copied);
  return copied;
}

/**
 * Upload a local-only file's content as a remote file at `dst` (a local file renamed or copied to a name
 * that is not local-only); the new file gets the local one's dead properties, modtime and digests.
 */
export async function uploadLocal(ctx: VfsContext, file: LocalFile, dst: string): Promise<RemoteEntry> {
  const entry = await ctx.remote.put(dst, Readable.from([file.content]), { size: file.content.length });
  ctx.store.copyMeta(file.id, entry.id);
  ctx.store.setMeta(entry.id, { modTime: file.modTime, ...contentHashes(file.content) });
  ctx.cache.upsert(entry);
  ctx.io.uploads += 1;
  ctx.io.uploadBytes += file.content.length;
  return entry;
}

/** The entry of the source itself (for a no-op transfer). */
export async function statPath(ctx: VfsContext, rawPath: string): Promise<VfsEntry> {
  const path = normPath(rawPath);
  return nodeToEntry(ctx, await ctx.tree.lookup(path));
}
