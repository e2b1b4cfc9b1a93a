/**
 * Vfs.copy: files server-side when the remote can (else read + put), folders recursively (mkdir, then each
 * entry, one at a time). Every copy gets the original's modtime, digests and dead properties
 * (store.copyMeta: metadata is keyed by id and a copy has a new id). Local-only files are copied inside the
 * store under a new id, or uploaded when the new name is not local-only.
 */
import { joinPath } from '../core/path.ts';
import type { VfsContext } from './context.ts';
import { newLocalId } from './local.ts';
import { copyRemoteFile, planTransfer, staysLocal, statPath, uploadLocal, withOverwrite, type Placed } from './transfer.ts';
import type { Node } from './tree.ts';
import type { CopyMoveOptions, VfsEntry } from './types.ts';

/** See Vfs.copy. */
export async function copy(ctx: VfsContext, src: string, dst: string, opts: CopyMoveOptions = {}): Promise<VfsEntry> {
  const plan = await planTransfer(ctx, src, dst, opts);
  if (!plan) return statPath(ctx, src);
  return withOverwrite(ctx, plan, () => copyNode(ctx, plan.src, plan.dst), opts.modTime);
}

async function copyNode(ctx: VfsContext, node: Node, dst: string): Promise<Placed> {
  if (node.local) {
    if (!staysLocal(ctx, node.local, dst)) return { remote: await uploadLocal(ctx, node.local, dst) };
    const local = { ...node.local, path: dst, id: newLocalId() };
    ctx.store.putLocal(local);
    ctx.store.copyMeta(node.local.id, local.id);
    return { local };
  }
  if (node.kind === 'file') return { remote: await copyRemoteFile(ctx, node.remote, dst) };
  const made = await ctx.remote.mkdir(dst);
  ctx.cache.upsert(made);
  ctx.cache.putEmpty(dst);
  ctx.store.copyMeta(node.remote.id, made.id);
  const view = await ctx.tree.view(node.path);
  for (const child of view.nodes) await copyNode(ctx, child, joinPath(dst, child.name));
  return { remote: made };
}
