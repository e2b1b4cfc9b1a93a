/**
 * PUT (RFC 9110 §9.3.4, RFC 4918 §9.7): store the body as the file at the Request-URI, streamed into
 * vfs.openWrite with backpressure. The answer is sent only once the write is durable (the stream's 'finish',
 * then its result): 201 Created for a new file, 204 No Content for a replaced one, with the new ETag.
 *
 * - One look-up: the target is resolved once (its parent collection and what is there); a missing parent
 *   (or a file as parent) → 409, a collection (or the root) → 405. The write goes into the parent found.
 * - Locks and the If header via guardWrite (the parent too when the file is new: a member is added), then
 *   If-Match / If-None-Match / If-Unmodified-Since → 412 (If-None-Match: * on an existing file).
 * - Size: Content-Length, else X-Expected-Entity-Length (Finder's chunked PUT), else unknown (the VFS spools).
 * - OC-Checksum `SHA1:<hex>` / `MD5:<hex>` → verified by the VFS as the bytes stream through it; a mismatch
 *   fails with EBADMSG (400 in the error table) and nothing is stored.
 * - X-OC-Mtime (unix seconds) → the file's modtime, answered with `X-OC-Mtime: accepted`.
 * - A client that goes away mid-body destroys the write stream (pipeline, and r.signal given to the VFS), and
 *   the VFS then leaves nothing stored; the old version of a replaced file is untouched.
 */
import { pipeline } from 'node:stream/promises';
import { parentOf } from '../../core/path.ts';
import type { Handler } from '../context.ts';
import type { DavRequest } from '../context.ts';
import { DavError } from '../context.ts';
import { guardWrite, ocMtimeOf } from '../write-guard.ts';
import { parseOcChecksum } from './oc-checksum.ts';
import { allowHeader } from './options.ts';
import { requirePreconditions, resolveTarget, sendEmpty } from './target.ts';

const DECIMAL = /^\s*\d{1,16}\s*$/;

/** The announced body size: Content-Length, else X-Expected-Entity-Length, else undefined. */
export function bodySizeOf(r: DavRequest): number | undefined {
  for (const name of ['content-length', 'x-expected-entity-length']) {
    const v = r.header(name);
    if (v !== undefined && DECIMAL.test(v)) return Number(v);
  }
  return undefined;
}

/** PUT: store the body; 201 new / 204 replaced once durable. */
export const handlePut: Handler = async (s, r) => {
  const path = r.path;
  const collection = () => new DavError(405, 'PUT on a collection', { headers: { Allow: allowHeader('dir', s.opts.readOnly) } });
  if (path === '') throw collection();
  const target = await resolveTarget(s, r);
  const existing = target.existing?.entry;
  if (existing?.kind === 'dir') throw collection();
  await guardWrite(s, r, existing ? [{ path, scope: 'resource' }] : [{ path, scope: 'resource' }, { path: parentOf(path), scope: 'resource' }]);
  requirePreconditions(r, existing);

  const expect = parseOcChecksum(r.header('oc-checksum'));
  const modTime = ocMtimeOf(r);
  const size = bodySizeOf(r);
  const ws = await s.vfs.openWrite(target, {
    ...(size !== undefined ? { size } : {}),
    ...(modTime !== undefined ? { modTime } : {}),
    ...(expect ? { expect } : {}),
    signal: r.signal,
  });
  try {
    await pipeline(r.bodyStream(), ws);
  } catch (err) {
    // The write's own error (EBADMSG, EINVAL, the remote's) says more than the pipeline's.
    throw (await ws.result.then(
      () => undefined,
      (e: unknown) => e,
    )) ?? err;
  }
  const entry = await ws.result;
  sendEmpty(r, ws.replaced ? 204 : 201, { ETag: entry.etag, ...(modTime !== undefined ? { 'X-OC-Mtime': 'accepted' } : {}) });
};
