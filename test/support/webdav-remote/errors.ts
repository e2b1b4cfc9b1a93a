/**
 * The ONE place where an HTTP answer of the WebDAV server becomes an FsError (the inverse of webdav/errors.ts).
 *
 * Choices where the statuses alone are ambiguous:
 * - 409 means "a parent is missing", "a parent is not a collection" or "not empty": our server's error bodies
 *   are `<status> <reason>` with a fixed phrase per case, so the body decides ("not a collection" → ENOTDIR,
 *   "not empty" → ENOTEMPTY, else ENOENT).
 * - 405 on MKCOL (the name is taken) and on PUT (a collection has that name) → EEXIST; elsewhere EINVAL.
 * - 412 on DELETE is our If-Match (the file we meant was replaced or is gone) → ENOENT; elsewhere EEXIST
 *   (Overwrite: F, If-None-Match: *).
 * - 403: read-only mode (the body says so) → EROFS; else on COPY/MOVE "into itself / onto itself / the root"
 *   → EINVAL; else EACCES (as 401).
 */
import { FsError } from '../../../src/core/errors.ts';
import type { FsErrorCode } from '../../../src/core/errors.ts';

/** What the mapping needs of the failed request. */
export interface FailedRequest {
  method: string;
  /** The remote path the request was about. */
  path: string;
  status: number;
  /** The start of the error body (a few KB at most), '' when none. */
  body: string;
  /** Retry-After in ms, when the answer carried one. */
  retryAfterMs?: number;
}

/** The FsError code for an HTTP failure. Pure. */
export function codeForStatus(method: string, status: number, body: string): FsErrorCode {
  switch (status) {
    case 400:
      return 'EINVAL';
    case 401:
      return 'EACCES';
    case 403:
      if (/read-only/i.test(body)) return 'EROFS';
      return method === 'COPY' || method === 'MOVE' ? 'EINVAL' : 'EACCES';
    case 404:
      return 'ENOENT';
    case 405:
      return method === 'MKCOL' || method === 'PUT' ? 'EEXIST' : 'EINVAL';
    case 409:
      if (/not a collection/i.test(body)) return 'ENOTDIR';
      if (/not empty/i.test(body)) return 'ENOTEMPTY';
      return 'ENOENT';
    case 412:
      return method === 'DELETE' ? 'ENOENT' : 'EEXIST';
    case 416:
      return 'ERANGE';
    case 423:
    case 429:
    case 503:
      return 'EAGAIN';
    case 501:
      return 'ENOTSUP';
    case 507:
      return 'ENOSPC';
    default:
      return 'EIO';
  }
}

/** The FsError for a failed request (code from `codeForStatus`, the status and body in the message). */
export function fsErrorOf(f: FailedRequest): FsError {
  const code = codeForStatus(f.method, f.status, f.body);
  const reason = f.body.trim().split('\n')[0]?.slice(0, 200) ?? '';
  return new FsError(code, `WebDAV ${f.method}: HTTP ${f.status}${reason ? ` (${reason})` : ''}`, {
    path: f.path,
    ...(code === 'EAGAIN' && f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
  });
}

/** Parses a Retry-After header given in seconds into ms; undefined when absent or an HTTP date (not used by our server). */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) * 1000 : undefined;
}

/** An FsError for a transport failure (network, abort, a body that is not what was announced): EAGAIN or EIO. */
export function transportError(method: string, path: string, err: unknown): FsError {
  if (err instanceof FsError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  const code = (err as { code?: unknown } | null)?.code;
  const network = typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_CLOSED)$/.test(code);
  const aborted = name === 'AbortError' || code === 'UND_ERR_ABORTED';
  return new FsError(network ? 'EAGAIN' : 'EIO', `WebDAV ${method}: ${aborted ? 'aborted' : 'transport failure'}`, { path, cause: err });
}
