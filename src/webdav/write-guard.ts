/**
 * The checks every write handler runs before touching the VFS, in one place: the If header (RFC 4918 §10.4,
 * evaluated against VFS etags and our lock manager) and the lock check for each written path (§7.4-7.5), plus
 * the small request headers every handler parses (Depth, Overwrite, X-OC-Mtime). Read-only mode is not checked
 * here: a read-only server never runs a write handler (read-only.ts).
 *
 * Choices where the RFC leaves room:
 * - The tokens submitted are every token written in the If header (see if-header.ts) plus, for Office 2016, a
 *   `Lock-Token` header on a non-UNLOCK request; a malformed Lock-Token header there is ignored.
 * - An If header naming a resource on another server, or outside the base URL, refers to an unmapped resource
 *   (its conditions are false, `Not` conditions true), never to an error.
 * - A 423 names the root of the first unsatisfied lock in `<D:lock-token-submitted>`.
 */
import { FsError } from '../core/errors.ts';
import { DavError } from './context.ts';
import type { DavRequest, DavShared } from './context.ts';
import { DavConditionError } from './errors.ts';
import { evaluateIf, parseCodedUrl, parseIf, referencedResources } from './if-header.ts';
import type { IfResourceState } from './if-header.ts';

export interface WriteTarget {
  path: string;
  scope: 'resource' | 'tree';
}

const OUTSIDE = '\0outside';

/** Maps an If-header URI to a VFS path, or a key that resolves to nothing. */
function normalizer(r: DavRequest): (uri: string) => string {
  return (uri) => {
    try {
      return r.pathOfUri(uri);
    } catch {
      return `${OUTSIDE}:${uri}`;
    }
  };
}

async function stateOf(s: DavShared, r: DavRequest, key: string): Promise<IfResourceState | undefined> {
  if (key.startsWith(OUTSIDE)) return undefined;
  const lockTokens = s.locks.locksCovering(key).map((l) => l.token);
  let etag: string | undefined;
  try {
    etag = (await s.vfs.stat(key, r.signal)).etag;
  } catch (err) {
    if (!(err instanceof FsError && (err.code === 'ENOENT' || err.code === 'ENOTDIR'))) throw err;
  }
  if (etag === undefined && lockTokens.length === 0) return undefined;
  return { etag, lockTokens };
}

/**
 * Evaluates the If header, if any, and returns the submitted lock tokens (empty without an If header). Throws
 * DavError 412 when no list holds, IfHeaderError (400) when the header is malformed, and the VFS's EAGAIN/EIO when
 * a resource's state cannot be read.
 */
async function evaluateIfHeader(s: DavShared, r: DavRequest): Promise<string[]> {
  const value = r.header('if');
  if (value === undefined) return [];
  const h = parseIf(value);
  const normalize = normalizer(r);
  const requestUrl = r.href(r.path, false);
  const keys = referencedResources(h, requestUrl, normalize);
  const states = new Map<string, IfResourceState | undefined>();
  await Promise.all(keys.map(async (k) => states.set(k, await stateOf(s, r, k))));
  const result = evaluateIf(h, { requestUrl, normalize, resolve: (k) => states.get(k) });
  if (!result.ok) throw new DavError(412, 'If header precondition failed');
  return result.submittedTokens;
}

/**
 * Evaluate the If header (412 when false; 400 when malformed) and check locks for every path written (423 with
 * `<D:lock-token-submitted><D:href>lockroot</D:href></D:lock-token-submitted>` when a lock is not satisfied).
 * Callers pass the parent too for membership changes (PUT of a new member, MKCOL, DELETE, MOVE, COPY
 * destination). Resolves when the write may proceed.
 */
export async function guardWrite(s: DavShared, r: DavRequest, targets: WriteTarget[]): Promise<void> {
  const tokens = await evaluateIfHeader(s, r);
  const lockToken = r.method === 'UNLOCK' ? undefined : r.header('lock-token');
  if (lockToken !== undefined) {
    try {
      tokens.push(parseCodedUrl(lockToken));
    } catch {
      // A malformed Lock-Token outside UNLOCK is not a precondition; it submits nothing.
    }
  }
  for (const t of targets) {
    const check = s.locks.checkWrite(t.path, tokens, r.user, t.scope);
    if (!check.ok) {
      throw new DavConditionError(423, 'locked', 'lock-token-submitted', [r.href(check.lock.root, false)]);
    }
  }
}

/** Evaluate only the If header for a read or non-locking request. Throws DavError 412, IfHeaderError (400). */
export async function guardIf(s: DavShared, r: DavRequest): Promise<void> {
  await evaluateIfHeader(s, r);
}

/** Depth header: '0' | '1' | 'infinity'; `dflt` when absent; malformed → DavError 400. */
export function depthOf(r: DavRequest, dflt: '0' | '1' | 'infinity'): '0' | '1' | 'infinity' {
  const v = r.header('depth')?.trim().toLowerCase();
  if (v === undefined || v === '') return dflt;
  if (v === '0' || v === '1' || v === 'infinity') return v;
  throw new DavError(400, 'malformed Depth header');
}

/** Overwrite header: T (default, RFC 4918 §10.6) or F; malformed → DavError 400. */
export function overwriteOf(r: DavRequest): boolean {
  const v = r.header('overwrite')?.trim().toUpperCase();
  if (v === undefined || v === '' || v === 'T') return true;
  if (v === 'F') return false;
  throw new DavError(400, 'malformed Overwrite header');
}

/** X-OC-Mtime header (unix seconds, may be fractional) → ms; undefined when absent; malformed → DavError 400. */
export function ocMtimeOf(r: DavRequest): number | undefined {
  const v = r.header('x-oc-mtime')?.trim();
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,12}(\.\d+)?$/.test(v)) throw new DavError(400, 'malformed X-OC-Mtime header');
  return Math.round(Number(v) * 1000);
}
