/**
 * DELETE (RFC 4918 §9.6): remove a file, or a collection with everything below it, then drop the locks rooted
 * at or below it. Locks: the target with tree scope (every locked member must be unlocked by the request) and
 * its parent (a member is removed), and the If header, via guardWrite; If-Match & co. → 412. 204 on success.
 *
 * Choices where the RFC leaves room:
 * - A collection with a Depth other than infinity → 400 (§9.6.1 says the server MUST act as if infinity; a
 *   client asking for less expects something we would not do).
 * - The root cannot be deleted → 403.
 * - The VFS removes a tree all or nothing as far as we can tell, so a failure is one status, never a 207.
 */
import { parentOf } from '../../core/path.ts';
import type { Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { depthOf, guardWrite } from '../write-guard.ts';
import { requirePreconditions, sendEmpty } from './target.ts';

/** DELETE: 204 once the file or tree is gone. */
export const handleDelete: Handler = async (s, r) => {
  const path = r.path;
  if (path === '') throw new DavError(403, 'the root collection cannot be deleted');
  const node = await s.vfs.lookup(path, r.signal);
  const { entry } = node;
  if (entry.kind === 'dir' && depthOf(r, 'infinity') !== 'infinity') throw new DavError(400, 'DELETE of a collection needs Depth: infinity');
  await guardWrite(s, r, [{ path, scope: 'tree' }, { path: parentOf(path), scope: 'resource' }]);
  requirePreconditions(r, entry);
  await s.vfs.removeTree(node, r.signal);
  s.locks.dropLocks(path);
  sendEmpty(r, 204);
};
