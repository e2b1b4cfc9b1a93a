/**
 * MKCOL (RFC 4918 §9.3): create a collection. A request body → 415 (we define no MKCOL body); locks on the
 * target and its parent (a member is added) and the If header via guardWrite; then one look-up of the target:
 * the parent is missing or a file → 409, the target exists → 405; else vfs.mkdir in the parent found → 201
 * (one remote call when the parent's listing is cached).
 *
 * Choice where the RFC is silent: a body is detected by a non-zero Content-Length or a Transfer-Encoding; it is
 * read (capped at maxBodyBytes) before the 415 so the connection stays usable, and an empty chunked body is
 * accepted as no body.
 */
import { isFsError } from '../../core/errors.ts';
import { parentOf } from '../../core/path.ts';
import type { VfsEntry } from '../../vfs/types.ts';
import type { DavRequest, Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { guardWrite } from '../write-guard.ts';
import { allowHeader, kindOf } from './options.ts';
import { requirePreconditions, resolveTarget, sendEmpty } from './target.ts';

/** True when the request carries a non-empty body (read and discarded). */
async function hasBody(r: DavRequest): Promise<boolean> {
  const length = r.header('content-length');
  const chunked = r.header('transfer-encoding') !== undefined;
  if (!chunked && (length === undefined || Number(length) === 0)) return false;
  return (await r.body()).length > 0;
}

/** MKCOL: 201 once the collection exists. */
export const handleMkcol: Handler = async (s, r) => {
  if (await hasBody(r)) throw new DavError(415, 'MKCOL with a body is not supported');
  const path = r.path;
  const alreadyExists = (entry: VfsEntry | undefined, cause?: unknown) =>
    new DavError(405, 'the resource already exists', { headers: { Allow: allowHeader(entry ? kindOf(entry) : 'dir', s.opts.readOnly) }, cause });
  await guardWrite(s, r, [{ path, scope: 'resource' }, { path: parentOf(path), scope: 'resource' }]);
  if (path === '') throw alreadyExists(undefined);
  const target = await resolveTarget(s, r);
  if (target.existing) throw alreadyExists(target.existing.entry);
  requirePreconditions(r, undefined);
  try {
    await s.vfs.mkdir(target, r.signal);
  } catch (err) {
    if (isFsError(err, 'EEXIST')) throw alreadyExists(undefined, err);
    if (isFsError(err, 'ENOENT')) throw new DavError(409, 'parent collection does not exist', { cause: err });
    throw err;
  }
  sendEmpty(r, 201);
};
