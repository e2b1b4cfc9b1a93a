/**
 * Vfs.rename: server-side when the remote can (move for files, dirMove for folders), else the declared
 * fallbacks (file: copy + remove, or read + put + remove; folder: mkdir + move each entry + rmdir).
 * A moved file keeps its id, so its modtime, digests and dead properties follow it; a fallback copy gets
 * them through store.copyMeta. Local-only files move inside the store (same id); one renamed to a name
 * that is not local-only (non-empty, not junk) is uploaded. A moved folder's cached listings and ids are
 * forgotten (forgetTree) and both parents' listings are updated in place.
 */
import { joinPath, parentOf } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { deleteFileNode, type VfsContext } from './context.ts';
import { copyRemoteFile, planTransfer, staysLocal, statPath, uploadLocal, withOverwrite, type Placed } from './transfer.ts';
import type { Node } from './tree.ts';
import type { CopyMoveOptions, VfsEntry } from './types.ts';

/** See Vfs.rename. */
export async function rename(ctx: VfsContext, src: string, dst: string, opts: CopyMoveOptions = {}): Promise<VfsEntry> {
  const plan = await planTransfer(ctx, src, dst, opts);
  if (!plan) return statPath(ctx, src);
  return withOverwrite(ctx, plan, () => moveNode(ctx, plan.src, plan.dst), opts.modTime);
}

/** Move one node to `dst` (free, parent existing). */
async function moveNode(ctx: VfsContext, node: Node, dst: string): Promise<Placed> {
  if (node.local) {
    if (staysLocal(ctx, node.local, dst)) {
      ctx.store.moveLocal(node.local.path, dst);
      return { local: ctx.store.getLocal(dst) ?? { ...node.local, path: dst } };
    }
    const remote = await uploadLocal(ctx, node.local, dst);
    await deleteFileNode(ctx, node);
    return { remote };
  }
  if (node.kind === 'dir') return { remote: await moveDir(ctx, node.remote, dst) };
  return { remote: await moveRemoteFile(ctx, node, dst) };
}

async function moveRemoteFile(ctx: VfsContext, node: Node & { remote: RemoteEntry }, dst: string): Promise<RemoteEntry> {
  const file = node.remote;
  if (!ctx.remote.move) {
    const copied = await copyRemoteFile(ctx, file, dst);
    await deleteFileNode(ctx, node);
    return copied;
  }
  const moved = await ctx.remote.move(file, dst);
  ctx.cache.remove(parentOf(file.path), file.id);
  ctx.cache.upsert(moved);
  return moved;
}

async function moveDir(ctx: VfsContext, dir: RemoteEntry, dst: string): Promise<RemoteEntry> {
  if (ctx.remote.dirMove) {
    const moved = await ctx.remote.dirMove(dir.path, dst);
    ctx.store.moveLocal(dir.path, dst);
    ctx.cache.forgetTree(dir.path);
    ctx.cache.remove(parentOf(dir.path), dir.id);
    ctx.cache.upsert(moved);
    if (moved.id !== dir.id) ctx.store.copyMeta(dir.id, moved.id);
    return moved;
  }
  const made = await ctx.remote.mkdir(dst);
  ctx.cache.upsert(made);
  ctx.cache.putEmpty(dst);
  ctx.store.copyMeta(dir.id, made.id);
  const view = await ctx.tree.view(dir.path);
  for (const child of view.nodes) await moveNode(ctx, child, joinPath(dst, child.name));
  await ctx.remote.rmdir(dir.path);
  ctx.cache.remove(parentOf(dir.path), dir.id);
  ctx.cache.forgetTree(dir.path);
  ctx.store.deleteMeta(dir.id);
  return made;
}
