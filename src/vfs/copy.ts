/**
 * Vfs.copy: files server-side when the remote can (else read + put), folders recursively (mkdir, then each
 * entry, one at a time). Every copy gets the original's modtime, digests and dead properties
 * (store.copyMeta: metadata is keyed by id and a copy has a new id). Local-only files are copied inside the
 * store under a new id, or uploaded when the new name is not local-only.
 */
import { makeDir, nodeToEntry, type VfsContext } from './context.ts';
import { childDest, copyRemoteFile, destOf, planTransfer, staysLocal, uploadLocal, withOverwrite, type Dest, type Placed } from './copy-move.ts';
import { newLocalId } from './local.ts';
import type { Node, Placement } from './tree.ts';
import type { CopyMoveOptions, VfsEntry } from './types.ts';

/** See Vfs.copy. `src` undefined is the root. */
export async function copy(ctx: VfsContext, src: Node | undefined, dst: Placement, opts: CopyMoveOptions = {}): Promise<VfsEntry> {
  const plan = planTransfer(src, dst, opts);
  if (!plan) return nodeToEntry(ctx, src);
  return withOverwrite(ctx, plan, () => copyNode(ctx, plan.src, destOf(ctx, dst)), opts.modTime);
}

async function copyNode(ctx: VfsContext, node: Node, dst: Dest): Promise<Placed> {
  if (node.local) {
    if (!staysLocal(ctx, node.local, dst.name)) return { remote: await uploadLocal(ctx, node.local, dst) };
    const local = { ...node.local, path: dst.path, id: newLocalId() };
    ctx.store.putLocal(local);
    ctx.store.copyMeta(node.local.id, local.id);
    return { local };
  }
  if (node.kind === 'file') return { remote: await copyRemoteFile(ctx, node.remote, dst) };
  const made = await makeDir(ctx, await dst.parent(), dst.name, { metaFrom: node.remote.id });
  const view = await ctx.tree.view(node.path);
  for (const child of view.nodes) await copyNode(ctx, child, childDest(made, child.name));
  return { remote: made };
}
