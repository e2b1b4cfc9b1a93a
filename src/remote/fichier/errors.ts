/**
 * The one translation of the wire layer's errors (FichierApiError) into FsError codes; the
 * original error is always kept as `cause`. FsErrors pass through unchanged.
 *
 * not-found -> ENOENT; auth, premium, forbidden (password, ACL) -> EACCES, except the refusals that mean
 * "wait" (#186 IP blocked, #620/#649 or the text "Owner locked", #887 one location at a time) and a 403 that
 * says nothing (retried a few times already) -> EAGAIN; flood, server,
 * transport -> EAGAIN (with Retry-After when known); range -> ERANGE; refused -> ENOTEMPTY for folder/rm
 * (its only refusal once the root is excluded: not empty), ENOSPC when the server speaks of space or
 * quota, else EIO; protocol, upload and anything else -> EIO.
 *
 * Retries: every endpoint but the download GET goes through the pacer, which already retried what can be
 * retried, so those errors are `final`. A download failure is not: the VFS reader resumes the transfer.
 */
import { DOWNLOAD_ENDPOINT } from '../../api/download.ts';
import { FichierApiError, isTemporaryRefusal } from '../../api/errors.ts';
import { FsError, type FsErrorCode } from '../../core/errors.ts';

const NO_SPACE_TEXT = /\b(space|quota)\b/i;

/** The FsError for `err` (about `path`, when given). */
export function toFsError(err: unknown, path?: string): FsError {
  if (err instanceof FsError) return err;
  const opts = { ...(path !== undefined ? { path } : {}), cause: err };
  if (!(err instanceof FichierApiError)) return new FsError('EIO', 'unexpected failure', opts);
  const code = codeFor(err);
  const retryAfterMs = code === 'EAGAIN' ? err.retryAfterMs : undefined;
  return new FsError(code, err.message, { ...opts, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), final: err.endpoint !== DOWNLOAD_ENDPOINT });
}

function codeFor(err: FichierApiError): FsErrorCode {
  switch (err.kind) {
    case 'not-found':
      return 'ENOENT';
    case 'auth':
    case 'premium':
      return 'EACCES';
    case 'forbidden':
      return isTemporaryRefusal(err) ? 'EAGAIN' : err.retryable ? 'EAGAIN' : 'EACCES';
    case 'flood':
    case 'server':
    case 'transport':
      return 'EAGAIN';
    case 'range':
      return 'ERANGE';
    case 'refused':
      if (err.endpoint === 'folder/rm.cgi') return 'ENOTEMPTY';
      return NO_SPACE_TEXT.test(err.serverMessage ?? '') ? 'ENOSPC' : 'EIO';
    default:
      return 'EIO';
  }
}

/**
 * Runs `fn`; any failure leaves as the FsError of `toFsError` about `path`, except the caller's own abort,
 * which leaves as the signal's reason (an aborted caller gets back what it aborted with, not an EIO).
 */
export async function guarded<T>(path: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (signal?.aborted && !(err instanceof FsError)) throw signal.reason;
    throw toFsError(err, path);
  }
}
