/**
 * OPTIONS (RFC 9110 §9.3.7, RFC 4918 §10.1): 200, empty body, `DAV: 1, 2` (class 2: Finder mounts read-only
 * without locking), `MS-Author-Via: DAV` (Windows), and `Allow` with the methods valid for the target.
 * The core runs OPTIONS without authentication.
 *
 * Choices where the reference is silent:
 * - OPTIONS needs no credentials, so an anonymous OPTIONS must neither reveal whether a path exists nor cost a
 *   remote listing (1fichier rate-limits its API): without an authenticated user only the root is looked at
 *   (always a collection, no VFS call) and any other path gets the methods of all kinds together. With a user,
 *   the target is stat'ed: file, collection, or missing (a failed stat other than ENOENT/ENOTDIR is thrown).
 * - A read-only server lists only the methods that do not write (not in read-only.ts WRITE_METHODS: those
 *   answer 403).
 */
import { isFsError } from '../../core/errors.ts';
import type { VfsEntry } from '../../vfs/types.ts';
import type { DavRequest, DavShared, Handler } from '../context.ts';
import { WRITE_METHODS } from '../read-only.ts';
import { sendEmpty } from './target.ts';

export type TargetKind = 'file' | 'dir' | 'missing' | 'unknown';

const ALLOWED: Record<TargetKind, string[]> = {
  file: ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'],
  dir: ['OPTIONS', 'GET', 'HEAD', 'DELETE', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'],
  missing: ['OPTIONS', 'PUT', 'MKCOL', 'LOCK'],
  unknown: ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'],
};

/** The methods valid on a target of `kind` (without WRITE_METHODS when `readOnly`), for an Allow header. */
export function allowedMethods(kind: TargetKind, readOnly: boolean): string[] {
  const all = ALLOWED[kind];
  return readOnly ? all.filter((m) => !WRITE_METHODS.has(m)) : all;
}

/** The Allow header value for a target of `kind`. */
export function allowHeader(kind: TargetKind, readOnly: boolean): string {
  return allowedMethods(kind, readOnly).join(', ');
}

/** The kind of an entry, for allowedMethods. */
export function kindOf(entry: VfsEntry | undefined): TargetKind {
  if (!entry) return 'missing';
  return entry.kind === 'dir' ? 'dir' : 'file';
}

async function targetKind(s: DavShared, r: DavRequest): Promise<TargetKind> {
  if (r.path === '') return 'dir';
  if (r.user === undefined) return 'unknown';
  try {
    return kindOf(await s.vfs.stat(r.path, r.signal));
  } catch (err) {
    if (isFsError(err, 'ENOENT') || isFsError(err, 'ENOTDIR')) return 'missing';
    throw err;
  }
}

/** OPTIONS: 200 with the DAV compliance classes and the Allow list; never a body. */
export const handleOptions: Handler = async (s, r) => {
  const kind = await targetKind(s, r);
  sendEmpty(r, 200, { DAV: '1, 2', 'MS-Author-Via': 'DAV', Allow: allowHeader(kind, s.opts.readOnly) });
};
