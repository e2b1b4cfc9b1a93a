/**
 * Vfs.rename: server-side when the remote can (move for files, dirMove for folders), else the declared
 * fallbacks (file: copy + remove, or read + put + remove; folder: mkdir + move each entry + rmdir).
 * A moved file keeps its id, so its modtime, digests and dead properties follow it; a fallback copy gets
 * them through store.copyMeta. Local-only files move inside the store (same id); one renamed to a name
 * that is not local-only (non-empty, not junk) is uploaded. A moved folder's cached listings and ids are
 * forgotten (forgetTree) and both parents' listings are updated in place.
 *
 * A rename onto the item itself does nothing, except when the destination was found ignoring case
 * (--vfs-case-insensitive) and spelled with another case: that is a case change (Windows Explorer's rename of
 * `readme.txt` to `README.txt`), done as a rename to the asked spelling.
 */
import { nameKey } from '../core/names.ts';
import { joinPath, parentOf } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { deleteFileNode, makeDir, nodeToEntry, type VfsContext } from './context.ts';
import { childDest, copyRemoteFile, destOf, planTransfer, sameItem, staysLocal, uploadLocal, withOverwrite, type Dest, type Placed } from './copy-move.ts';
import type { Node, Placement } from './tree.ts';
import type { CopyMoveOptions, VfsEntry } from './types.ts';

/** See Vfs.rename. `src` undefined is the root. */
export async function rename(ctx: VfsContext, src: Node | undefined, dst: Placement, opts: CopyMoveOptions = {}): Promise<VfsEntry> {
  const plan = planTransfer(src, caseChange(src, dst), opts);
  if (!plan) return nodeToEntry(ctx, src);
  return withOverwrite(ctx, plan, () => moveNode(ctx, plan.src, destOf(ctx, plan.dst)), opts.modTime);
}

/** `dst` as a free name when it is `src` itself asked with another case (see the module doc), else `dst`. */
function caseChange(src: Node | undefined, dst: Placement): Placement {
  const self = dst.existing !== undefined && src !== undefined && sameItem(dst.existing, src);
  if (!self || nameKey(dst.asked) === nameKey(dst.name)) return dst;
  return { ...dst, name: dst.asked, path: joinPath(parentOf(dst.path), dst.asked), existing: undefined };
}

/** Move one node to `dst` (free, its folder existing). */
async function moveNode(ctx: VfsContext, node: Node, dst: Dest): Promise<Placed> {
  if (node.local) {
    if (staysLocal(ctx, node.local, dst.name)) {
      ctx.store.moveLocal(node.local.path, dst.path);
      return { local: ctx.store.getLocal(dst.path) ?? { ...node.local, path: dst.path } };
    }
    const remote = await uploadLocal(ctx, node.local, dst);
    await deleteFileNode(ctx, node);
    return { remote };
  }
  if (node.kind === 'dir') return { remote: await moveDir(ctx, node.remote, dst) };
  return { remote: await moveRemoteFile(ctx, node, dst) };
}

async function moveRemoteFile(ctx: VfsContext, node: Node & { remote: RemoteEntry }, dst: Dest): Promise<RemoteEntry> {
  const file = node.remote;
  if (!ctx.remote.move) {
    const copied = await copyRemoteFile(ctx, file, dst);
    await deleteFileNode(ctx, node);
    return copied;
  }
  const moved = await ctx.remote.move(file, await dst.parent(), dst.name);
  ctx.cache.remove(parentOf(file.path), file.id);
  ctx.cache.upsert(moved);
  return moved;
}

async function moveDir(ctx: VfsContext, dir: RemoteEntry, dst: Dest): Promise<RemoteEntry> {
  if (ctx.remote.dirMove) {
    const parent = await dst.parent();
    const moved = await ctx.remote.dirMove(dir, parent, dst.name).catch((err: unknown) => {
      ctx.cache.expire(parentOf(dir.path));
      ctx.cache.expire(parent.path);
      throw err;
    });
    ctx.store.moveLocal(dir.path, dst.path);
    ctx.cache.moveTree(dir.path, dst.path);
    ctx.cache.remove(parentOf(dir.path), dir.id);
    ctx.cache.upsert(moved);
    if (moved.id !== dir.id) ctx.store.copyMeta(dir.id, moved.id);
    return moved;
  }
  const made = await makeDir(ctx, await dst.parent(), dst.name, { metaFrom: dir.id });
  const view = await ctx.tree.view(dir.path);
  for (const child of view.nodes) await moveNode(ctx, child, childDest(made, child.name));
  await ctx.remote.rmdir(dir);
  ctx.cache.remove(parentOf(dir.path), dir.id);
  ctx.cache.forgetTree(dir.path, { gone: true });
  ctx.store.deleteMeta(dir.id);
  return made;
}
