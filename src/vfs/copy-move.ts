/**
 * What rename (move.ts) and copy (copy.ts) share: checking source and destination, the overwrite rule, and the
 * file-level primitives (copy a remote file, upload a local file's content) with their metadata rules:
 * metadata is keyed by id, so a move (same id) keeps it and a copy (new id) gets store.copyMeta(old, new).
 *
 * Overwrite rule (CopyMoveOptions.overwrite): a destination directory, or any destination when the source
 * is a directory, is removed first. A destination file replaced by a file is removed only after the new one
 * is in place (the old survives a failure), except when the storage forbids duplicate names (then first,
 * or the move/put would throw EEXIST) and when both are local-only (one store transaction each).
 */
import { Readable } from 'node:stream';
import { FsError } from '../core/errors.ts';
import { baseName, isWithin, joinPath } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { LocalFile } from '../store/types.ts';
import { remoteDirOf, type VfsContext } from './context.ts';
import { localToVfs, remoteToVfs } from './entry.ts';
import { contentHashes } from './local.ts';
import { removeNode } from './remove.ts';
import type { Node, Placement } from './tree.ts';
import type { CopyMoveOptions, VfsEntry } from './types.ts';

/** Where a moved or copied item ended up. */
export type Placed = { remote: RemoteEntry; local?: undefined } | { local: LocalFile; remote?: undefined };

/** Where a moved or copied item goes: its path and name, and (asked only when needed) its folder's entry. */
export interface Dest {
  path: string;
  name: string;
  /** The remote entry of the destination folder. Throws what looking it up throws. */
  parent(signal?: AbortSignal): Promise<RemoteEntry>;
}

export interface TransferPlan {
  src: Node;
  dst: Placement;
}

/** The destination of a placement found by the caller's resolve. */
export function destOf(ctx: VfsContext, at: Placement): Dest {
  return { path: at.path, name: at.name, parent: (signal) => remoteDirOf(ctx, at.parent, signal) };
}

/** `name` in the remote folder `dir` (a folder just made by a recursive copy or move). */
export function childDest(dir: RemoteEntry, name: string): Dest {
  return { path: joinPath(dir.path, name), name, parent: async () => dir };
}

/**
 * Check a rename/copy of `src` (undefined = the root) to `dst`. Returns undefined when source and destination
 * are the same item (a no-op). Throws EINVAL (the root, a directory into itself), EEXIST (destination exists
 * and no overwrite).
 */
export function planTransfer(src: Node | undefined, dst: Placement, opts: CopyMoveOptions): TransferPlan | undefined {
  if (!src) throw new FsError('EINVAL', 'cannot move or copy the root', { path: '' });
  if (src.kind === 'dir' && isWithin(dst.path, src.path) && dst.path !== src.path) {
    throw new FsError('EINVAL', 'cannot move a directory into itself', { path: dst.path });
  }
  if (dst.path === src.path) return undefined;
  const existing = dst.existing;
  if (existing && sameItem(existing, src)) return undefined;
  if (existing && !opts.overwrite) throw new FsError('EEXIST', 'destination exists', { path: dst.path });
  return { src, dst };
}

/** True when two nodes are one item (same id). */
export function sameItem(a: Node, b: Node): boolean {
  return (a.local?.id ?? a.remote?.id) === (b.local?.id ?? b.remote?.id);
}

/** True when `file` should stay local-only under the name `name`. */
export function staysLocal(ctx: VfsContext, file: LocalFile, name: string): boolean {
  return file.content.length === 0 || ctx.isJunk(name);
}

/** Whether the existing destination must go before the transfer (see the module doc). */
export function removeFirst(ctx: VfsContext, plan: TransferPlan): boolean {
  const { src } = plan;
  const existing = plan.dst.existing;
  if (!existing) return false;
  if (existing.kind === 'dir' || src.kind === 'dir') return true;
  const dstLocal = src.local ? staysLocal(ctx, src.local, plan.dst.name) : false;
  if (existing.local) return dstLocal;
  return !dstLocal && !ctx.remote.facts.duplicateNames;
}

/**
 * Run `transfer` with the overwrite rule applied around it and return the destination's entry. Throws what
 * the removal or the transfer throws; with removal after, the old destination survives a failed transfer.
 */
export async function withOverwrite(ctx: VfsContext, plan: TransferPlan, transfer: () => Promise<Placed>, modTime?: number): Promise<VfsEntry> {
  const existing = plan.dst.existing;
  const first = removeFirst(ctx, plan);
  if (first && existing) await removeNode(ctx, existing);
  const placed = await transfer();
  if (modTime !== undefined) setPlacedModTime(ctx, placed, modTime);
  if (!first && existing) await removeNode(ctx, existing);
  return placedToEntry(ctx, plan.dst.path, placed);
}

function setPlacedModTime(ctx: VfsContext, placed: Placed, modTime: number): void {
  if (placed.local) ctx.store.putLocal({ ...placed.local, modTime });
  else ctx.store.setMeta(placed.remote.id, { modTime });
}

/** The VfsEntry of a placed item at `path`. */
function placedToEntry(ctx: VfsContext, path: string, placed: Placed): VfsEntry {
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
export async function copyRemoteFile(ctx: VfsContext, file: RemoteEntry, dst: Dest): Promise<RemoteEntry> {
  const parent = await dst.parent();
  let copied: RemoteEntry;
  if (ctx.remote.copy) {
    copied = await ctx.remote.copy(file, parent, dst.name);
  } else {
    const body = await ctx.remote.openRead(file);
    copied = await ctx.remote.put(parent, dst.name, body, { size: file.size });
  }
  ctx.store.copyMeta(file.id, copied.id);
  ctx.cache.upsert(copied);
  return copied;
}

/**
 * Upload a local-only file's content as a remote file at `dst` (a local file renamed or copied to a name
 * that is not local-only); the new file gets the local one's dead properties, modtime and digests.
 */
export async function uploadLocal(ctx: VfsContext, file: LocalFile, dst: Dest): Promise<RemoteEntry> {
  const entry = await ctx.remote.put(await dst.parent(), dst.name, Readable.from([file.content]), { size: file.content.length });
  ctx.store.copyMeta(file.id, entry.id);
  ctx.store.setMeta(entry.id, { modTime: file.modTime, ...contentHashes(file.content) });
  ctx.cache.upsert(entry);
  ctx.transfers.uploads += 1;
  ctx.transfers.uploadBytes += file.content.length;
  return entry;
}
