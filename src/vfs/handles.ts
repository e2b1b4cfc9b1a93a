/**
 * Handles: what one look-up found, handed to the caller (VfsNode, VfsTarget) and back to the VFS to act on.
 * The public shapes carry only the entry; what the VFS needs to act (the tree node, the parent found) stays in
 * WeakMaps keyed by the handle, so a handle cannot be forged or altered, and a wrapper of the Vfs (read-only
 * mode, logging) passes it through untouched. A handle made by another Vfs instance is refused with EINVAL.
 */
import { FsError } from '../core/errors.ts';
import { nodeToEntry, type VfsContext } from './context.ts';
import type { Node, Placement } from './tree.ts';
import type { VfsNode, VfsTarget } from './types.ts';

interface Found {
  ctx: VfsContext;
  /** undefined = the root. */
  node: Node | undefined;
}

const nodes = new WeakMap<VfsNode, Found>();
const targets = new WeakMap<VfsTarget, { ctx: VfsContext; placement: Placement }>();

/** The handle of `node` (undefined = the root). */
export function nodeHandle(ctx: VfsContext, node: Node | undefined): VfsNode {
  const handle: VfsNode = Object.freeze({ entry: nodeToEntry(ctx, node) });
  nodes.set(handle, { ctx, node });
  return handle;
}

/** The handle of a placement (Tree.resolve). */
export function targetHandle(ctx: VfsContext, placement: Placement): VfsTarget {
  const handle: VfsTarget = Object.freeze({
    path: placement.path,
    name: placement.name,
    parent: nodeHandle(ctx, placement.parent),
    existing: placement.existing ? nodeHandle(ctx, placement.existing) : undefined,
  });
  targets.set(handle, { ctx, placement });
  return handle;
}

/** The node a handle of this VFS found (undefined = the root). Throws EINVAL for any other object. */
export function nodeOfHandle(ctx: VfsContext, handle: VfsNode): Node | undefined {
  const found = nodes.get(handle);
  if (!found || found.ctx !== ctx) throw new FsError('EINVAL', 'not a handle of this VFS', { path: handle.entry?.path });
  return found.node;
}

/** The placement a target of this VFS found. Throws EINVAL for any other object. */
export function placementOfHandle(ctx: VfsContext, handle: VfsTarget): Placement {
  const found = targets.get(handle);
  if (!found || found.ctx !== ctx) throw new FsError('EINVAL', 'not a target of this VFS', { path: handle.path });
  return found.placement;
}
