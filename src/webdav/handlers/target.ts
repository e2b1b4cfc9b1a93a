/**
 * What the method handlers share about the request target: the one look-up of a request (a VfsNode for an
 * item that must exist, a VfsTarget for one being created, whose parent must be an existing collection: 409
 * otherwise, RFC 4918 §9.7.1, §9.3.1), and the HTTP preconditions (If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since) evaluated against an entry. The handlers then act on what was
 * found; nothing below them resolves the path again.
 */
import { isFsError } from '../../core/errors.ts';
import type { VfsEntry, VfsNode, VfsTarget } from '../../vfs/types.ts';
import type { DavRequest, DavShared } from '../context.ts';
import { DavError } from '../context.ts';
import { evaluatePreconditions, type PreconditionResult } from '../conditional.ts';

/** What is at `path`, or undefined when nothing is. Throws other FsErrors (ENOTDIR, EAGAIN, EIO...). */
export async function lookupOrMissing(s: DavShared, r: DavRequest, path: string): Promise<VfsNode | undefined> {
  try {
    return await s.vfs.lookup(path, r.signal);
  } catch (err) {
    if (isFsError(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * The one look-up of a creation at `path` (not the root): its parent collection and what is there now.
 * Throws DavError 409 when the parent is missing or a file is on the way, and the VFS's other errors.
 */
export async function resolveTarget(s: DavShared, r: DavRequest, path: string = r.path): Promise<VfsTarget> {
  try {
    return await s.vfs.resolve(path, r.signal);
  } catch (err) {
    if (isFsError(err, 'ENOENT')) throw new DavError(409, 'parent collection does not exist', { cause: err });
    if (isFsError(err, 'ENOTDIR')) throw new DavError(409, 'parent is not a collection', { cause: err });
    throw err;
  }
}

/** Evaluates the HTTP preconditions of the request against `entry` (undefined: the resource does not exist). */
export function preconditionsFor(r: DavRequest, entry: VfsEntry | undefined): PreconditionResult {
  return evaluatePreconditions(
    {
      method: r.method,
      ifMatch: r.header('if-match'),
      ifNoneMatch: r.header('if-none-match'),
      ifModifiedSince: r.header('if-modified-since'),
      ifUnmodifiedSince: r.header('if-unmodified-since'),
    },
    entry ? { exists: true, etag: entry.etag, lastModified: entry.modTime } : { exists: false },
  );
}

/** Throws DavError 412 unless the preconditions hold (for methods other than GET/HEAD). */
export function requirePreconditions(r: DavRequest, entry: VfsEntry | undefined): void {
  if (!preconditionsFor(r, entry).ok) throw new DavError(412, 'precondition failed');
}

/** Ends the response with `status`, the given headers and no body. */
export function sendEmpty(r: DavRequest, status: number, headers: Record<string, string> = {}): void {
  r.res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) r.res.setHeader(k, v);
  if (status !== 204 && status !== 304) r.res.setHeader('Content-Length', '0');
  r.res.end();
}
