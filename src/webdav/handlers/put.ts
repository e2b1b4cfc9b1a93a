/**
 * PUT (RFC 9110 §9.3.4, RFC 4918 §9.7): store the body as the file at the Request-URI, streamed into
 * vfs.openWrite with backpressure. The answer is sent only once the write is durable (the stream's 'finish',
 * then its result): 201 Created for a new file, 204 No Content for a replaced one, with the new ETag.
 *
 * - A collection (or the root) → 405; a missing parent (or a file as parent) → 409.
 * - Locks and the If header via guardWrite (the parent too when the file is new: a member is added), then
 *   If-Match / If-None-Match / If-Unmodified-Since → 412 (If-None-Match: * on an existing file).
 * - Size: Content-Length, else X-Expected-Entity-Length (Finder's chunked PUT), else unknown (the VFS spools).
 * - OC-Checksum `SHA1:<hex>` / `MD5:<hex>` → verified by the VFS; a mismatch → 400 and nothing stored.
 * - X-OC-Mtime (unix seconds) → the file's modtime, answered with `X-OC-Mtime: accepted`.
 * - A client that goes away mid-body destroys the write stream (pipeline, and r.signal given to the VFS), and
 *   the VFS then leaves nothing stored; the old version of a replaced file is untouched.
 */
import { pipeline } from 'node:stream/promises';
import { isFsError } from '../../core/errors.ts';
import { parentOf } from '../../core/path.ts';
import type { VfsWriteStream, WriteOptions } from '../../vfs/types.ts';
import type { DavRequest, DavShared, Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { guardWrite, ocMtimeOf } from '../write-guard.ts';
import { DigestTap, parseOcChecksum } from './oc-checksum.ts';
import { allowHeader } from './options.ts';
import { requireParentCollection, requirePreconditions, sendEmpty, statTarget } from './target.ts';

const DECIMAL = /^\s*\d{1,16}\s*$/;

/** The announced body size: Content-Length, else X-Expected-Entity-Length, else undefined. */
export function bodySizeOf(r: DavRequest): number | undefined {
  for (const name of ['content-length', 'x-expected-entity-length']) {
    const v = r.header(name);
    if (v !== undefined && DECIMAL.test(v)) return Number(v);
  }
  return undefined;
}

/** vfs.openWrite, with a parent that vanished meanwhile → 409. */
async function openTarget(s: DavShared, path: string, opts: WriteOptions): Promise<VfsWriteStream> {
  try {
    return await s.vfs.openWrite(path, opts);
  } catch (err) {
    if (isFsError(err, 'ENOENT') || isFsError(err, 'ENOTDIR')) throw new DavError(409, 'parent collection does not exist', { cause: err });
    throw err;
  }
}

/** PUT: store the body; 201 new / 204 replaced once durable. */
export const handlePut: Handler = async (s, r) => {
  const path = r.path;
  const collection = () => new DavError(405, 'PUT on a collection', { headers: { Allow: allowHeader('dir', s.opts.readOnly) } });
  if (path === '') throw collection();
  const existing = await statTarget(s, r);
  if (existing?.kind === 'dir') throw collection();
  await guardWrite(s, r, existing ? [{ path, scope: 'resource' }] : [{ path, scope: 'resource' }, { path: parentOf(path), scope: 'resource' }]);
  if (!existing) await requireParentCollection(s, r, path);
  requirePreconditions(r, existing);

  const expect = parseOcChecksum(r.header('oc-checksum'));
  const modTime = ocMtimeOf(r);
  const size = bodySizeOf(r);
  const ws = await openTarget(s, path, {
    ...(size !== undefined ? { size } : {}),
    ...(modTime !== undefined ? { modTime } : {}),
    ...(expect ? { expect } : {}),
    signal: r.signal,
  });
  const tap = expect ? new DigestTap(expect) : undefined;
  try {
    await (tap ? pipeline(r.bodyStream(), tap, ws) : pipeline(r.bodyStream(), ws));
  } catch (err) {
    const vfsErr = await ws.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (expect && tap?.mismatches(expect)) throw new DavError(400, 'OC-Checksum mismatch', { cause: vfsErr ?? err });
    throw vfsErr ?? err;
  }
  const entry = await ws.result;
  sendEmpty(r, ws.replaced ? 204 : 201, { ETag: entry.etag, ...(modTime !== undefined ? { 'X-OC-Mtime': 'accepted' } : {}) });
};
