/**
 * COPY (RFC 4918 §9.8), and the request checks COPY and MOVE share (`prepareTransfer`, used by move.ts).
 * Ours: webdav-server treats a missing Overwrite as F and copies by download + upload; here the VFS copies
 * server-side (1fichier file/cp) and X-OC-Mtime (ownCloud dialect) is honoured. The source is looked up once
 * and the destination resolved once (its parent and what is there); the VFS acts on what they found.
 *
 * Statuses: Destination missing → 400; another host → 502 and outside the base URL → 403 (the core's pathOfUri);
 * source missing → 404; source = destination, a collection into itself, or the root as either end → 403;
 * If header false → 412, locks not satisfied → 423 (write-guard); destination parent missing or not a
 * collection → 409; destination exists with Overwrite: F → 412; then 201 (created) or 204 (replaced), empty
 * body, `X-OC-Mtime: accepted` when that header was given.
 *
 * COPY Depth: infinity (default) copies the whole tree; 0 on a collection creates the destination collection
 * with the source's dead properties only; 1 → 400. Locks are never copied (they belong to paths, and the
 * destination only keeps the locks already covering it).
 */
import { isFsError } from '../../core/errors.ts';
import { isWithinPath, samePath } from '../../core/names.ts';
import { parentOf } from '../../core/path.ts';
import type { VfsEntry, VfsNode, VfsTarget } from '../../vfs/types.ts';
import type { DavRequest, DavShared, Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { depthOf, guardWrite, ocMtimeOf, overwriteOf } from '../write-guard.ts';
import { resolveTarget, sendEmpty } from './target.ts';

/** A checked COPY/MOVE request. */
export interface Transfer {
  src: VfsNode;
  dst: VfsTarget;
  overwrite: boolean;
  /** X-OC-Mtime in ms, undefined when absent. */
  modTime: number | undefined;
  /** True when the destination existed before (so the answer is 204, not 201). */
  replaces: boolean;
}

/**
 * Validates a COPY/MOVE request: Destination, source, self-overlap, destination parent and Overwrite. `guard`
 * (the method's own checks and its write-guard call) runs after the source checks and before the destination is
 * looked at. Returns the transfer. Throws DavError
 * 400/403/404/409/412 (and whatever `guard` and the VFS throw).
 */
export async function prepareTransfer(
  s: DavShared,
  r: DavRequest,
  guard: (src: VfsEntry, dst: string) => Promise<void>,
): Promise<Transfer> {
  const destination = r.header('destination');
  if (destination === undefined || destination.trim() === '') throw new DavError(400, 'Destination header required');
  const dstPath = r.pathOfUri(destination.trim());
  const overwrite = overwriteOf(r);
  const modTime = ocMtimeOf(r);
  const src = await s.vfs.lookup(r.path, r.signal);
  const from = src.entry;
  if (from.path === '' || dstPath === '') throw new DavError(403, 'the root cannot be copied or moved, nor replaced');
  if (samePath(dstPath, from.path)) throw new DavError(403, 'source and destination are the same resource');
  if (from.kind === 'dir' && isWithinPath(dstPath, from.path)) throw new DavError(403, 'a collection cannot go into itself');
  await guard(from, dstPath);
  const dst = await resolveTarget(s, r, dstPath);
  const replaces = dst.existing !== undefined;
  if (replaces && !overwrite) throw new DavError(412, 'the destination exists and Overwrite is F');
  return { src, dst, overwrite, modTime, replaces };
}

/**
 * Runs the VFS operation of a prepared transfer and writes the 201/204 answer. An EEXIST from the VFS (the
 * destination appeared meanwhile, Overwrite: F) becomes 412. Throws DavError 412 and the VFS's errors.
 */
export async function finishTransfer(r: DavRequest, t: Transfer, op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    if (isFsError(err, 'EEXIST')) throw new DavError(412, 'the destination exists and Overwrite is F', { cause: err });
    throw err;
  }
  sendEmpty(r, t.replaces ? 204 : 201, t.modTime === undefined ? {} : { 'X-OC-Mtime': 'accepted' });
}

/**
 * Depth-0 COPY of a collection: (re)create the destination collection with the source's dead properties. A
 * replaced destination is removed first; the parent is then resolved again, since its listing changed.
 */
async function copyCollectionOnly(s: DavShared, r: DavRequest, t: Transfer): Promise<void> {
  let dst = t.dst;
  if (dst.existing) {
    await s.vfs.removeTree(dst.existing, r.signal);
    dst = await resolveTarget(s, r, dst.path);
  }
  await s.vfs.mkdir(dst, r.signal);
  const made = await s.vfs.lookup(dst.path, r.signal);
  const props = await s.vfs.getProps(t.src);
  if (props.length > 0) await s.vfs.patchProps(made, props.map((prop) => ({ op: 'set' as const, prop })));
  if (t.modTime !== undefined) await s.vfs.setModTime(made, t.modTime);
}

/** COPY: see the module doc for statuses. */
export const handleCopy: Handler = async (s, r) => {
  const depth = depthOf(r, 'infinity');
  if (depth === '1') throw new DavError(400, 'COPY Depth must be 0 or infinity');
  const t = await prepareTransfer(s, r, (_src, dst) =>
    guardWrite(s, r, [
      { path: dst, scope: 'tree' },
      { path: parentOf(dst), scope: 'resource' },
    ]),
  );
  await finishTransfer(r, t, () =>
    t.src.entry.kind === 'dir' && depth === '0'
      ? copyCollectionOnly(s, r, t)
      : s.vfs.copy(t.src, t.dst, { overwrite: t.overwrite, modTime: t.modTime }),
  );
};
