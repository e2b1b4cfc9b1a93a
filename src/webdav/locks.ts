/**
 * In-memory WebDAV write locks (RFC 4918 §6, §7, §9.10, §9.11). Ours, not webdav-server's: the library's locks are
 * per user rather than per token, its exclusive-conflict check never fires, and its replies are off-spec (timeouts in
 * milliseconds, lock tokens without angle brackets).
 *
 * Paths are the caller's resource paths (decoded, leading "/"); a trailing slash is ignored, so `/a/` and `/a`
 * are the same resource, and names compare by core/names.ts's rule, so a lock taken on a name spelled in NFD
 * (macOS) covers the same name spelled in NFC (Linux, Windows). A lock's root keeps that key's spelling (NFC). Locks are stored by path whether or not a resource exists there: a LOCK on
 * an unmapped URL (lock-null, §7.3) just locks the path, and creating the 0-byte entry is the caller's job.
 * Time is read through the injected Clock; expired locks are purged lazily on every call.
 *
 * Choices where the RFC leaves room (documented for the handlers):
 * - A refresh without a timeout renews the lock for its previous duration.
 * - Timeouts are capped at `maxTimeoutSec` ("Infinite" included) and raised to at least 1 s.
 * - Owner check per token: when a lock was created by an authenticated principal, only a request by that same
 *   principal can use its token (write, refresh, unlock). Locks created anonymously are usable by any holder of
 *   the token.
 * - With several shared locks on a resource, submitting any one of them (usable by the requester) permits a write.
 * - Locks never move: MOVE and DELETE call `dropLocks(source)`; a COPY or MOVE destination is only subject to the
 *   locks that already cover the destination path (e.g. depth-infinity locks on its ancestors).
 * - Membership changes (PUT of a new member, MKCOL, DELETE, MOVE in or out) also modify the parent collection; the
 *   caller checks that with `checkWrite(parent, ...)` so a depth-0 lock on the parent is honoured (§7.5).
 */
import { randomUUID } from 'node:crypto';
import { pathKey } from '../core/names.ts';
import type { Clock } from '../util/clock.ts';

export type LockScope = 'exclusive' | 'shared';
export type LockDepth = 0 | 'infinity';

export interface Lock {
  /** `urn:uuid:...`, without angle brackets. */
  readonly token: string;
  /** The path the lock was taken on (the DAV:lockroot). */
  readonly root: string;
  readonly scope: LockScope;
  readonly depth: LockDepth;
  /** Inner XML of the request's DAV:owner, as a self-contained fragment; undefined when none was given. */
  readonly owner: string | undefined;
  /** The authenticated user who created the lock; undefined when anonymous. */
  readonly principal: string | undefined;
  /** Duration granted by the last LOCK or refresh, in seconds. */
  readonly timeoutSec: number;
  /** Expiry time in clock milliseconds. */
  readonly expiresAt: number;
}

export interface LockRequest {
  scope: LockScope;
  depth: LockDepth;
  /** Inner XML of DAV:owner, stored and reported verbatim. */
  owner?: string;
  /** Authenticated user, or undefined for anonymous access. */
  principal?: string;
  /** Requested duration in seconds (see parseTimeout); capped; the manager's default when undefined. */
  timeoutSec?: number;
}

/** Thrown by `lock` when the request conflicts with an active lock (the caller answers 423 no-conflicting-lock). */
export class LockConflictError extends Error {
  readonly code = 'LOCK_CONFLICT';
  constructor(readonly lock: Lock) {
    super(`conflicting ${lock.scope} lock on ${lock.root}`);
    this.name = 'LockConflictError';
  }
}

/**
 * Why a token was refused by `refresh` or `unlock`: no such active lock, the lock's scope does not include the
 * Request-URI, or the lock belongs to another principal.
 */
export type LockTokenProblem = 'unknown-token' | 'out-of-scope' | 'not-owner';

/**
 * Thrown by `refresh` and `unlock` when the token does not designate a usable lock. Suggested statuses: UNLOCK
 * 409 with DAV:lock-token-matches-request-uri (403 for 'not-owner'); refresh 412 with DAV:lock-token-submitted.
 */
export class LockTokenError extends Error {
  readonly code = 'LOCK_TOKEN_MISMATCH';
  constructor(
    readonly reason: LockTokenProblem,
    readonly token: string,
  ) {
    super(`lock token refused (${reason})`);
    this.name = 'LockTokenError';
  }
}

export type WriteCheck = { ok: true } | { ok: false; lock: Lock };

export interface LockManagerOptions {
  clock: Clock;
  /** Upper bound for any lock duration, "Infinite" included. Default 3600. */
  maxTimeoutSec?: number;
  /** Duration when the client sends no usable Timeout. Default 600. */
  defaultTimeoutSec?: number;
}

export interface LockManager {
  /**
   * Creates a lock on `path` and returns it. Throws LockConflictError when an exclusive request meets any active lock
   * (on the path, on an ancestor with depth infinity, or for a depth-infinity request on a descendant), or a shared
   * request meets an exclusive one.
   */
  lock(path: string, req: LockRequest): Lock;
  /**
   * Renews the lock `token` for `timeoutSec` (capped; its previous duration when undefined) and returns it. The lock's
   * scope must include `path` (a refresh may target a member of a depth-infinity lock). Throws LockTokenError.
   */
  refresh(path: string, token: string, timeoutSec?: number, principal?: string): Lock;
  /**
   * Removes the lock `token` and returns it; its scope must include `path` (RFC 4918 §9.11). Throws LockTokenError
   * when the token is unknown or expired, out of scope, or owned by another principal.
   */
  unlock(path: string, token: string, principal?: string): Lock;
  /** Returns the active locks whose scope includes `path`: locks on it and depth-infinity locks on its ancestors. */
  locksCovering(path: string): Lock[];
  /** Returns the active locks rooted at `path` or at any descendant (the locks a DELETE/MOVE of `path` destroys). */
  locksBelow(path: string): Lock[];
  /**
   * Decides whether a request may modify `path`. With `scope` 'resource' (PUT, PROPPATCH, COPY/MOVE destination)
   * the covering locks must include one usable submitted lock; with 'tree' (DELETE or MOVE of a collection) the
   * same holds for every locked resource below too. Returns `{ ok: false, lock }` with the first unsatisfied lock
   * (the caller answers 423 with DAV:lock-token-submitted). A lock is usable when its token was submitted and, if it
   * has a principal, the requester is that principal.
   */
  checkWrite(
    path: string,
    submittedTokens: readonly string[],
    principal?: string,
    scope?: 'resource' | 'tree',
  ): WriteCheck;
  /**
   * Parses a Timeout header (`Second-N`, `Infinite`, or a comma list of them: the first valid entry wins) and
   * returns seconds, capped at maxTimeoutSec and at least 1; undefined when absent or unusable.
   */
  parseTimeout(header: string | undefined): number | undefined;
  /** Removes every lock rooted at `path` or below (after DELETE, or on the source of a MOVE); returns them. */
  dropLocks(path: string): Lock[];
}

/** Canonical key: leading "/", no repeated or trailing "/" (root stays "/"), names by their key (pathKey). */
export function normalizeLockPath(path: string): string {
  const p = pathKey(('/' + path).replace(/\/{2,}/g, '/'));
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** True when `path` equals `ancestor` or lies below it; both normalized. */
function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || ancestor === '/' || path.startsWith(ancestor + '/');
}

/** True when the lock's scope includes `path` (normalized). */
function covers(lock: Lock, path: string): boolean {
  return lock.root === path || (lock.depth === 'infinity' && isWithin(path, lock.root));
}

/**
 * Parses a Timeout header value into seconds before capping: Infinity for `Infinite`, undefined when no entry is
 * valid. Literals are case-insensitive (RFC 5234).
 */
export function parseTimeoutValue(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(',')) {
    const t = part.trim();
    if (/^infinite$/i.test(t)) return Infinity;
    const m = /^second-(\d{1,20})$/i.exec(t);
    if (m?.[1] !== undefined) return Number(m[1]);
  }
  return undefined;
}

/** Creates an empty lock manager. */
export function createLockManager(opts: LockManagerOptions): LockManager {
  const { clock } = opts;
  const maxTimeoutSec = opts.maxTimeoutSec ?? 3600;
  const defaultTimeoutSec = opts.defaultTimeoutSec ?? 600;
  const byToken = new Map<string, Lock>();
  let nextExpiry = Infinity;

  const clampTimeout = (sec: number): number => Math.max(1, Math.min(maxTimeoutSec, Math.floor(sec)));

  const purge = (): void => {
    const now = clock.now();
    if (now < nextExpiry) return;
    nextExpiry = Infinity;
    for (const [token, l] of byToken) {
      if (l.expiresAt <= now) byToken.delete(token);
      else nextExpiry = Math.min(nextExpiry, l.expiresAt);
    }
  };

  const store = (l: Lock): Lock => {
    Object.freeze(l);
    byToken.set(l.token, l);
    nextExpiry = Math.min(nextExpiry, l.expiresAt);
    return l;
  };

  const active = (): Lock[] => {
    purge();
    return [...byToken.values()];
  };

  const coveringOf = (path: string): Lock[] => active().filter((l) => covers(l, path));
  const belowOf = (path: string): Lock[] => active().filter((l) => isWithin(l.root, path));

  const usable = (l: Lock, tokens: readonly string[], principal: string | undefined): boolean =>
    tokens.includes(l.token) && (l.principal === undefined || l.principal === principal);

  /** Finds the active lock `token` and checks that its scope includes `path` and that `principal` may use it. */
  const ownedLock = (path: string, token: string, principal: string | undefined): Lock => {
    purge();
    const l = byToken.get(token);
    if (!l) throw new LockTokenError('unknown-token', token);
    if (!covers(l, normalizeLockPath(path))) throw new LockTokenError('out-of-scope', token);
    if (l.principal !== undefined && l.principal !== principal) throw new LockTokenError('not-owner', token);
    return l;
  };

  return {
    lock(path, req) {
      const root = normalizeLockPath(path);
      const candidates = active().filter(
        (l) => covers(l, root) || (req.depth === 'infinity' && isWithin(l.root, root)),
      );
      const conflict = candidates.find((l) => req.scope === 'exclusive' || l.scope === 'exclusive');
      if (conflict) throw new LockConflictError(conflict);
      const timeoutSec = clampTimeout(req.timeoutSec ?? defaultTimeoutSec);
      return store({
        token: `urn:uuid:${randomUUID()}`,
        root,
        scope: req.scope,
        depth: req.depth,
        owner: req.owner,
        principal: req.principal,
        timeoutSec,
        expiresAt: clock.now() + timeoutSec * 1000,
      });
    },

    refresh(path, token, timeoutSec, principal) {
      const l = ownedLock(path, token, principal);
      const sec = timeoutSec === undefined ? l.timeoutSec : clampTimeout(timeoutSec);
      return store({ ...l, timeoutSec: sec, expiresAt: clock.now() + sec * 1000 });
    },

    unlock(path, token, principal) {
      const l = ownedLock(path, token, principal);
      byToken.delete(token);
      return l;
    },

    locksCovering(path) {
      return coveringOf(normalizeLockPath(path));
    },

    locksBelow(path) {
      return belowOf(normalizeLockPath(path));
    },

    checkWrite(path, submittedTokens, principal, scope = 'resource') {
      const p = normalizeLockPath(path);
      const resources = new Set([p]);
      if (scope === 'tree') for (const l of belowOf(p)) resources.add(l.root);
      for (const r of resources) {
        const locks = coveringOf(r);
        const first = locks[0];
        if (first && !locks.some((l) => usable(l, submittedTokens, principal))) return { ok: false, lock: first };
      }
      return { ok: true };
    },

    parseTimeout(header) {
      const sec = parseTimeoutValue(header);
      return sec === undefined ? undefined : clampTimeout(sec);
    },

    dropLocks(path) {
      const dropped = belowOf(normalizeLockPath(path));
      for (const l of dropped) byToken.delete(l.token);
      return dropped;
    },
  };
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Returns the DAV:activelock elements for `locks`, concatenated (the content of DAV:lockdiscovery). Elements use the
 * `D:` prefix, which the caller's wrapper must bind to `DAV:` (e.g. `<D:prop xmlns:D="DAV:">`). The timeout is
 * `Second-N`, the seconds remaining at `now` (clock milliseconds, pass `clock.now()`; never milliseconds in the output, as webdav-server writes them).
 * The owner is emitted verbatim inside DAV:owner and omitted when absent; hrefs come from `hrefFor(path)`
 * (percent-encoded) and are XML-escaped here.
 */
export function lockDiscoveryXml(locks: readonly Lock[], hrefFor: (path: string) => string, now: number): string {
  return locks
    .map((l) => {
      const remaining = Math.max(0, Math.ceil((l.expiresAt - now) / 1000));
      return (
        '<D:activelock>' +
        '<D:locktype><D:write/></D:locktype>' +
        `<D:lockscope><D:${l.scope}/></D:lockscope>` +
        `<D:depth>${l.depth === 0 ? '0' : 'infinity'}</D:depth>` +
        (l.owner === undefined ? '' : `<D:owner>${l.owner}</D:owner>`) +
        `<D:timeout>Second-${remaining}</D:timeout>` +
        `<D:locktoken><D:href>${escapeXml(l.token)}</D:href></D:locktoken>` +
        `<D:lockroot><D:href>${escapeXml(hrefFor(l.root))}</D:href></D:lockroot>` +
        '</D:activelock>'
      );
    })
    .join('');
}

/** Returns the content of DAV:supportedlock (exclusive and shared write locks), `D:` bound to `DAV:` by the caller. */
export function supportedLockXml(): string {
  const entry = (scope: LockScope): string =>
    `<D:lockentry><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>`;
  return entry('exclusive') + entry('shared');
}
