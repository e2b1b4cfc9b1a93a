/**
 * What the VFS operations share: the remote, the store, the listing cache and tree, options with defaults
 * applied, and transfer counters. Also the helpers every operation needs to turn a node into a VfsEntry and
 * to keep the cache and the store in step after a change (one place for each rule).
 */
import { mapped } from '../util/iterable.ts';
import { FsError, isFsError } from '../core/errors.ts';
import { parentOf } from '../core/path.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import type { MetaStore } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { localToVfs, remoteToVfs, ROOT_ID, rootToVfs } from './entry.ts';
import type { ListingCache } from './listing-cache.ts';
import type { JunkMatcher } from './local.ts';
import type { Node, Tree } from './tree.ts';
import type { VfsEntry, VfsTransferCounters } from './types.ts';

export interface VfsContext {
  remote: Remote;
  store: MetaStore;
  clock: Clock;
  logger: Logger;
  cache: ListingCache;
  tree: Tree;
  isJunk: JunkMatcher;
  spoolDir: string;
  read: { chunkSize: number; chunkSizeLimit: number; retries: number };
  transfers: VfsTransferCounters;
  /** The remote's entry of the root folder (remote.stat(''), asked once). */
  remoteRoot(signal?: AbortSignal): Promise<RemoteEntry>;
}

/** The VfsEntry of `node` (undefined = the root), with the store's metadata applied. */
export function nodeToEntry(ctx: VfsContext, node: Node | undefined): VfsEntry {
  if (!node) return rootToVfs(ctx.store.getMeta(ROOT_ID));
  if (node.local) return localToVfs(node.path, node.name, node.local);
  return remoteToVfs(node.path, node.name, node.remote, ctx.store.getMeta(node.remote.id));
}

/**
 * The VfsEntries of many nodes, their metadata read in one query. Entries are built per call, not kept: a cached
 * folder holds its remote entries once (the store's memo), and what is derived from them is cheap to derive again
 * (the WebDAV layer keeps its serialised answers of hot folders instead).
 */
export function nodesToEntries(ctx: VfsContext, nodes: readonly Node[]): VfsEntry[] {
  return nodes.map(entryBuilder(ctx, nodes));
}

/** Vfs.readdirVersioned's lazyEntries: the metadata read now, each entry built when the iteration reaches it. */
export function lazyNodesToEntries(ctx: VfsContext, nodes: readonly Node[]): { ids: string[]; entries: Iterable<VfsEntry> } {
  const build = entryBuilder(ctx, nodes);
  return { ids: nodes.map(nodeId), entries: mapped(nodes, build) };
}

/** Builds the VfsEntry of any of `nodes`, with their metadata read now in one query. */
function entryBuilder(ctx: VfsContext, nodes: readonly Node[]): (n: Node) => VfsEntry {
  const metas = ctx.store.getMetaMany(nodes.flatMap((n) => (n.remote ? [n.remote.id] : [])));
  return (n) => (n.local ? localToVfs(n.path, n.name, n.local) : remoteToVfs(n.path, n.name, n.remote, metas.get(n.remote.id)));
}

/** The id metadata and dead properties are keyed by (undefined node = the root). */
export function nodeId(node: Node | undefined): string {
  if (!node) return ROOT_ID;
  return node.local ? node.local.id : node.remote.id;
}

/** The remote entry of a folder node (undefined = the root). Throws ENOTDIR for a file. */
export async function remoteDirOf(ctx: VfsContext, node: Node | undefined, signal?: AbortSignal): Promise<RemoteEntry> {
  if (!node) return ctx.remoteRoot(signal);
  if (node.kind !== 'dir' || !node.remote) throw new FsError('ENOTDIR', 'not a directory', { path: node.path });
  return node.remote;
}

/**
 * Create folder `name` in `parent` on the remote, then record it: its metadata (copied from `metaFrom`, the id
 * of the folder it is a copy or a move of, else its creation time), the parent's cached listing, and its own
 * listing, known to be empty. Throws what remote.mkdir throws.
 */
export async function makeDir(ctx: VfsContext, parent: RemoteEntry, name: string, opts: { metaFrom?: string; signal?: AbortSignal } = {}): Promise<RemoteEntry> {
  const made = await ctx.remote.mkdir(parent, name, opts.signal);
  if (opts.metaFrom !== undefined) ctx.store.copyMeta(opts.metaFrom, made.id);
  else ctx.store.setMeta(made.id, { modTime: made.modTime });
  ctx.cache.upsert(made);
  ctx.cache.putEmpty(made.path);
  return made;
}

/**
 * Delete one file node (remote or local) and update the cache and the store. A remote ENOENT (already
 * gone) still drops it from the cache, then rethrows. Throws EISDIR for a folder.
 */
export async function deleteFileNode(ctx: VfsContext, node: Node, signal?: AbortSignal): Promise<void> {
  if (node.local) {
    ctx.store.removeLocal(node.local.path);
    ctx.store.deleteMeta(node.local.id);
    return;
  }
  if (node.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path: node.path });
  const entry: RemoteEntry = node.remote;
  try {
    await ctx.remote.remove(entry, signal);
  } catch (err) {
    if (isFsError(err, 'ENOENT')) forgetEntry(ctx, entry);
    throw err;
  }
  forgetEntry(ctx, entry);
}

function forgetEntry(ctx: VfsContext, entry: RemoteEntry): void {
  ctx.cache.remove(parentOf(entry.path), entry.id);
  ctx.store.deleteMeta(entry.id);
}

/** Delete a replaced file after its successor is durable; a failure is logged, not thrown (the new one won). */
export async function deleteReplaced(ctx: VfsContext, node: Node | undefined): Promise<void> {
  if (!node) return;
  try {
    await deleteFileNode(ctx, node);
  } catch (err) {
    ctx.logger.warn({ path: node.path, err }, 'could not remove the replaced file; it stays as a duplicate');
  }
}
