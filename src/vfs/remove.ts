/**
 * Deletions: unlink (one file), rmdir (one empty folder), removeTree (a file or a folder with everything
 * below it, depth first, one remote call at a time). Every success updates the cached listing of the parent
 * in place; a removed folder's listings and ids are forgotten (forgetTree); metadata of deleted files goes.
 */
import { FsError } from '../core/errors.ts';
import { normPath, parentOf } from '../core/path.ts';
import { deleteFileNode, type VfsContext } from './context.ts';
import type { Node } from './tree.ts';

/** Delete a file (remote or local-only). Throws ENOENT, EISDIR. */
export async function unlink(ctx: VfsContext, rawPath: string, signal?: AbortSignal): Promise<void> {
  const path = normPath(rawPath);
  const node = await ctx.tree.lookup(path, signal);
  if (!node || node.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path });
  await deleteFileNode(ctx, node, signal);
}

/** Remove an empty folder. Throws ENOENT, ENOTDIR, ENOTEMPTY (remote entries or local-only files), EINVAL (root). */
export async function rmdir(ctx: VfsContext, rawPath: string, signal?: AbortSignal): Promise<void> {
  const path = normPath(rawPath);
  if (path === '') throw new FsError('EINVAL', 'cannot remove the root', { path });
  const node = await ctx.tree.lookup(path, signal);
  if (!node || node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path });
  if (ctx.store.listLocal(path).length > 0) throw new FsError('ENOTEMPTY', 'directory not empty', { path });
  await removeDirNode(ctx, node, signal);
}

/** Delete a file, or a folder and everything below it. Throws ENOENT, EINVAL (root). */
export async function removeTree(ctx: VfsContext, rawPath: string, signal?: AbortSignal): Promise<void> {
  const path = normPath(rawPath);
  if (path === '') throw new FsError('EINVAL', 'cannot remove the root', { path });
  const node = await ctx.tree.lookup(path, signal);
  if (!node) throw new FsError('EINVAL', 'cannot remove the root', { path });
  await removeNode(ctx, node, signal);
}

/** Delete `node` and, for a folder, everything below it. */
export async function removeNode(ctx: VfsContext, node: Node, signal?: AbortSignal): Promise<void> {
  if (node.kind !== 'dir') return deleteFileNode(ctx, node, signal);
  const view = await ctx.tree.view(node.path, signal);
  for (const child of view.nodes) await removeNode(ctx, child, signal);
  ctx.store.removeLocalTree(node.path);
  await removeDirNode(ctx, node, signal);
}

/** rmdir one folder node on the remote and update the cache and the store. */
async function removeDirNode(ctx: VfsContext, node: Node, signal?: AbortSignal): Promise<void> {
  if (!node.remote) return;
  await ctx.remote.rmdir(node.path, signal);
  ctx.cache.remove(parentOf(node.path), node.remote.id);
  ctx.cache.forgetTree(node.path);
  ctx.store.deleteMeta(node.remote.id);
}
