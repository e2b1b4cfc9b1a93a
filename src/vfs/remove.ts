/**
 * Deletions: unlink (one file), rmdir (one empty folder), removeTree (a file or a folder with everything
 * below it, depth first, one remote call at a time). Every success updates the cached listing of the parent
 * in place; a removed folder's listings and ids are forgotten (forgetTree); metadata of deleted files goes.
 * Each takes the node the caller looked up (undefined = the root).
 */
import { FsError } from '../core/errors.ts';
import { parentOf } from '../core/path.ts';
import { deleteFileNode, type VfsContext } from './context.ts';
import type { Node } from './tree.ts';

/** Delete a file (remote or local-only). Throws EISDIR (a folder or the root), and what the remote throws. */
export async function unlink(ctx: VfsContext, node: Node | undefined, signal?: AbortSignal): Promise<void> {
  if (!node || node.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path: node?.path ?? '' });
  await deleteFileNode(ctx, node, signal);
}

/** Remove an empty folder. Throws ENOTDIR, ENOTEMPTY (remote entries or local-only files), EINVAL (root). */
export async function rmdir(ctx: VfsContext, node: Node | undefined, signal?: AbortSignal): Promise<void> {
  if (!node) throw new FsError('EINVAL', 'cannot remove the root', { path: '' });
  if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: node.path });
  if (ctx.store.listLocal(node.path).length > 0) throw new FsError('ENOTEMPTY', 'directory not empty', { path: node.path });
  await removeDirNode(ctx, node, signal);
}

/** Delete a file, or a folder and everything below it. Throws EINVAL (root), and what the remote throws. */
export async function removeTree(ctx: VfsContext, node: Node | undefined, signal?: AbortSignal): Promise<void> {
  if (!node) throw new FsError('EINVAL', 'cannot remove the root', { path: '' });
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
  await ctx.remote.rmdir(node.remote, signal);
  ctx.cache.remove(parentOf(node.path), node.remote.id);
  ctx.cache.forgetTree(node.path, { gone: true });
  ctx.store.deleteMeta(node.remote.id);
}
