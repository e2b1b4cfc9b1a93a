/**
 * Small helpers the GET/PUT/MKCOL/DELETE handlers share about the request target: stat that tolerates a
 * missing resource, the "parent must be an existing collection" rule (409), and the HTTP preconditions
 * (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) evaluated against an entry.
 */
import { isFsError } from '../../core/errors.ts';
import { parentOf } from '../../core/path.ts';
import type { VfsEntry } from '../../vfs/types.ts';
import type { DavRequest, DavShared } from '../context.ts';
import { DavError } from '../context.ts';
import { evaluatePreconditions, type PreconditionResult } from '../conditional.ts';

/** The entry at `path`, or undefined when it does not exist. Throws other FsErrors (ENOTDIR, EAGAIN, EIO...). */
export async function statOrMissing(s: DavShared, r: DavRequest, path: string): Promise<VfsEntry | undefined> {
  try {
    return await s.vfs.stat(path, r.signal);
  } catch (err) {
    if (isFsError(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** The entry at the request target, undefined when new; a file on the way (ENOTDIR) → DavError 409. */
export async function statTarget(s: DavShared, r: DavRequest): Promise<VfsEntry | undefined> {
  try {
    return await statOrMissing(s, r, r.path);
  } catch (err) {
    if (isFsError(err, 'ENOTDIR')) throw new DavError(409, 'a parent is not a collection', { cause: err });
    throw err;
  }
}

/**
 * Checks that the parent of `path` is an existing collection (RFC 4918 §9.7.1, §9.3.1) and returns it.
 * Throws DavError 409 when it is missing or a file, and the VFS's other errors as they come.
 */
export async function requireParentCollection(s: DavShared, r: DavRequest, path: string): Promise<VfsEntry> {
  let parent: VfsEntry | undefined;
  try {
    parent = await statOrMissing(s, r, parentOf(path));
  } catch (err) {
    if (isFsError(err, 'ENOTDIR')) throw new DavError(409, 'parent is not a collection', { cause: err });
    throw err;
  }
  if (!parent) throw new DavError(409, 'parent collection does not exist');
  if (parent.kind !== 'dir') throw new DavError(409, 'parent is not a collection');
  return parent;
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
