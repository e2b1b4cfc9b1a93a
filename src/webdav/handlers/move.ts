/**
 * MOVE (RFC 4918 §9.9): rename or move a file or a collection, server-side through the VFS (1fichier
 * file/rename, file/mv, folder/mv), never download + upload (webdav-server's fallback). This is the path of
 * Finder's safe-save (write a temporary name, MOVE it over the target) and of Windows' "New folder" (MKCOL then
 * MOVE), so it must be cheap: one look-up of the source, one resolve of the destination (both from the cache
 * when warm), one VFS rename acting on them.
 *
 * Statuses as COPY (see copy.ts); in addition a Depth other than infinity on a collection → 400. The source's
 * tree and parent and the destination's tree and parent must all be writable for the requester (423 otherwise).
 * After the move, the locks at and below the source are dropped (locks belong to paths and never move); the
 * locks already covering the destination stay, so a client that locked the target before a safe-save still holds
 * its lock afterwards.
 */
import { parentOf } from '../../core/path.ts';
import type { Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { depthOf, guardWrite } from '../write-guard.ts';
import { finishTransfer, prepareTransfer } from './copy.ts';

/** MOVE: see the module doc for statuses. */
export const handleMove: Handler = async (s, r) => {
  const depth = depthOf(r, 'infinity');
  const t = await prepareTransfer(s, r, async (src, dst) => {
    if (src.kind === 'dir' && depth !== 'infinity') throw new DavError(400, 'MOVE of a collection needs Depth infinity');
    await guardWrite(s, r, [
      { path: src.path, scope: 'tree' },
      { path: parentOf(src.path), scope: 'resource' },
      { path: dst, scope: 'tree' },
      { path: parentOf(dst), scope: 'resource' },
    ]);
  });
  await finishTransfer(r, t, async () => {
    await s.vfs.rename(t.src, t.dst, { overwrite: t.overwrite, modTime: t.modTime });
    s.locks.dropLocks(`/${t.src.entry.path}`);
  });
};
