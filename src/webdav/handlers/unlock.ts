/**
 * UNLOCK (RFC 4918 §9.11): remove the lock named by the Lock-Token header. Ours, not webdav-server's (whose locks
 * are per user and whose replies are off-spec).
 *
 * 204 on success. Lock-Token missing or not a single Coded-URL → 400. The token unknown or expired, or its lock's
 * scope not including the Request-URI → 409 with DAV:lock-token-matches-request-uri; a lock created by another
 * authenticated principal → 403. The resource itself is left as it is (a lock-null file stays, 0 bytes).
 */
import type { Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { IfHeaderError, parseCodedUrl } from '../if-header.ts';
import { LockTokenError } from '../locks.ts';

/** Returns the token of the Lock-Token header. Throws DavError 400 when missing or malformed. */
function lockTokenOf(value: string | undefined): string {
  if (value === undefined) throw new DavError(400, 'UNLOCK needs a Lock-Token header');
  try {
    return parseCodedUrl(value);
  } catch (err) {
    if (err instanceof IfHeaderError) throw new DavError(400, 'malformed Lock-Token header', { cause: err });
    throw err;
  }
}

/** UNLOCK: 204, or 400/403/409 as described in the module doc. */
export const handleUnlock: Handler = async (s, r) => {
  const token = lockTokenOf(r.header('lock-token'));
  try {
    s.locks.unlock(`/${r.path}`, token, r.user);
  } catch (err) {
    if (!(err instanceof LockTokenError)) throw err;
    if (err.reason === 'not-owner') throw new DavError(403, 'the lock belongs to another user', { cause: err });
    throw new DavError(409, 'the token does not name a lock on this resource', { condition: 'lock-token-matches-request-uri', cause: err });
  }
  r.res.statusCode = 204;
  r.res.end();
};
