/**
 * POSIX-style errors shared by every layer below the WebDAV and CLI edges (remote/, vfs/, store/), translated
 * to HTTP once, in webdav/errors.ts. Every error carries its cause (e.g. the FichierApiError it was translated
 * from) and the path it is about. Tests assert `err.code`, never the message.
 *
 * EBADMSG is what Linux file systems return for a failed checksum (EFSBADCRC): here, an upload whose bytes do
 * not match the digest the client announced (OC-Checksum). It is not EIO, so the edge can answer the client's
 * mistake (400) apart from a failure of ours or of the service (502).
 */
export type FsErrorCode =
  | 'ENOENT' // no such file or directory (or a parent is missing)
  | 'EEXIST' // the target exists and the operation does not overwrite
  | 'ENOTEMPTY' // directory not empty
  | 'EISDIR' // a file operation on a directory
  | 'ENOTDIR' // a directory operation on a file, or a path component is a file
  | 'EROFS' // read-only mode
  | 'ENOSPC' // quota exceeded
  | 'EIO' // the service answered something wrong, or a transfer failed
  | 'EBADMSG' // the bytes failed an integrity check the client asked for (a checksum differs); nothing was stored
  | 'EAGAIN' // temporary: rate limit, ban cooldown, 5xx, network; retry later
  | 'EACCES' // the API key is refused, or the file is password-protected
  | 'EINVAL' // invalid argument (bad name, bad size, moving a folder into itself)
  | 'ERANGE' // a read range outside the file
  | 'ENOTSUP'; // the remote cannot do this (and there is no fallback)

export interface FsErrorOptions {
  path?: string;
  cause?: unknown;
  retryAfterMs?: number;
  /** See FsError.final. */
  final?: boolean;
}

export class FsError extends Error {
  readonly code: FsErrorCode;
  readonly path: string | undefined;
  /** For EAGAIN: when a retry makes sense, in ms (from Retry-After or a ban cooldown), if known. */
  readonly retryAfterMs: number | undefined;
  /**
   * True when the layer that owns retries for this kind of failure has already decided (an API call after the
   * pacer's attempts, or an answer the pacer never retries): a caller above must not retry it again, or the
   * attempts multiply. Transfer failures (a download connection, a body that drops) are not final: the VFS
   * reader resumes them.
   */
  readonly final: boolean;

  constructor(code: FsErrorCode, message: string, opts: FsErrorOptions = {}) {
    super(opts.path !== undefined ? `${message}: ${opts.path === '' ? '/' : opts.path}` : message, { cause: opts.cause });
    this.name = 'FsError';
    this.code = code;
    this.path = opts.path;
    this.retryAfterMs = opts.retryAfterMs;
    this.final = opts.final ?? false;
  }
}

export function isFsError(err: unknown, code?: FsErrorCode): err is FsError {
  return err instanceof FsError && (code === undefined || err.code === code);
}
