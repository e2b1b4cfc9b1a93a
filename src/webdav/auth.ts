/**
 * HTTP Basic authentication (RFC 7617) for the WebDAV server: header parsing that works with any password
 * characters (webdav-server's own parser rejects base64 with `+` or `/` and cuts passwords at `:`), an
 * authenticator over `--user/--pass` pairs and/or an htpasswd file, and a per-address throttle that slows down
 * repeated failures. Pure module: no HTTP; time comes from an injected Clock.
 *
 * Choices where the RFCs leave room:
 * - The credentials are decoded as UTF-8 (what current browsers, curl, rclone, Finder and Windows send); bytes that
 *   are not valid UTF-8 are read as ISO-8859-1, which is what older clients send.
 * - base64url characters (`-`, `_`) are accepted as `+` and `/`; missing `=` padding is accepted.
 * - The user-id must not contain control characters (RFC 7617 §2); the password may contain anything, `:` included
 *   (the split is at the first colon).
 * - User and password are NFC-normalised before comparison (so a decomposed `é` typed on macOS matches).
 * - With no user configured `check` always answers undefined: anonymous access is the caller's decision.
 */
import type { Clock } from '../util/clock.ts';
import { safeEqual } from './htpasswd.ts';
import type { HtpasswdFile } from './htpasswd.ts';

export interface Credentials {
  user: string;
  pass: string;
}

const MAX_HEADER = 16 * 1024;
const BASIC = /^[ \t]*basic[ \t]+([A-Za-z0-9+/_-]+)(=*)[ \t]*$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an `Authorization: Basic <base64(user:pass)>` header. Returns the user and password, or undefined when the
 * header is absent, not Basic, not valid base64, has no colon, or has a control character in the user-id.
 */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const m = BASIC.exec(header);
  if (!m) return undefined;
  const body = m[1]!;
  const padding = m[2]!.length;
  if (body.length % 4 === 1 || padding > 2 || (padding > 0 && (body.length + padding) % 4 !== 0)) return undefined;
  const bytes = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const user = text.slice(0, colon);
  if (CONTROL.test(user)) return undefined;
  return { user, pass: text.slice(colon + 1) };
}

/** Checks Basic credentials against the configured users. */
export interface Authenticator {
  /**
   * Resolves the authenticated user's name, or undefined when the header is missing or malformed, the user is
   * unknown or the password is wrong. Never rejects.
   */
  check(header: string | undefined): Promise<string | undefined>;
}

export interface AuthenticatorOptions {
  /** Plain user/password pairs (from `--user/--pass`). */
  users?: readonly Credentials[];
  /** An htpasswd file, checked after `users`. */
  htpasswd?: HtpasswdFile;
}

/**
 * Builds an authenticator. Plain passwords are compared in constant time (SHA-256 of both sides, then
 * timingSafeEqual), and every configured pair is compared so the time does not reveal which name matched.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const users = (options.users ?? []).map((u) => ({ user: u.user.normalize('NFC'), pass: u.pass.normalize('NFC') }));
  const htpasswd = options.htpasswd;
  return {
    async check(header) {
      const creds = parseBasicAuth(header);
      if (!creds) return undefined;
      const user = creds.user.normalize('NFC');
      const pass = creds.pass.normalize('NFC');
      let found: string | undefined;
      for (const u of users) {
        const match = Number(safeEqual(u.user, user)) & Number(safeEqual(u.pass, pass));
        if (match === 1 && found === undefined) found = u.user;
      }
      if (found !== undefined) return found;
      if (htpasswd && (await htpasswd.verify(user, pass))) return user;
      return undefined;
    },
  };
}

/** Slows down repeated authentication failures from one address (or one IPv6 /64). */
export interface FailureThrottle {
  /** Milliseconds to wait before answering a request from `addr`: 0 until `maxFailures` recent failures. */
  delayFor(addr: string): number;
  /** Records a failed authentication from `addr`. */
  fail(addr: string): void;
  /** Forgets `addr`'s failures after a successful authentication. */
  succeed(addr: string): void;
  /** Number of addresses currently tracked (at most `maxTracked`). */
  readonly size: number;
}

export interface FailureThrottleOptions {
  clock: Clock;
  /** Failures allowed without delay. Default 5. */
  maxFailures?: number;
  /** An address is forgotten after this long without a failure. Default 60 s. */
  windowMs?: number;
  /** First delay, doubled with each further failure. Default 1 s. */
  delayMs?: number;
  /** Longest delay. Default 30 s. */
  maxDelayMs?: number;
  /** Most addresses tracked; the one with the oldest failure is dropped first. Default 10,000. */
  maxTracked?: number;
}

/**
 * The key an address is tracked under: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4, other IPv6 addresses by
 * their /64 prefix (one host usually owns a whole /64), anything else as given.
 */
export function throttleKey(addr: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return mapped[1]!;
  if (!addr.includes(':')) return addr;
  const ip = addr.split('%')[0]!;
  const groups = (s: string) => (s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const halves = ip.split('::');
  if (halves.length > 2) return addr;
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = halves.length === 2 ? Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0') : [];
  const all = [...head, ...fill, ...tail];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return addr;
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

interface Failures {
  count: number;
  last: number;
}

/**
 * Builds a failure throttle. Memory is bounded: entries expire `windowMs` after their last failure and at most
 * `maxTracked` are kept (kept in last-failure order, so expired and evicted entries are always at the front).
 */
export function createFailureThrottle(options: FailureThrottleOptions): FailureThrottle {
  const { clock } = options;
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const delayMs = options.delayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const entries = new Map<string, Failures>();

  const fresh = (f: Failures, now: number) => now - f.last < windowMs;

  const sweep = (now: number) => {
    for (const [key, f] of entries) {
      if (entries.size <= maxTracked && fresh(f, now)) break;
      entries.delete(key);
    }
  };

  return {
    delayFor(addr) {
      const f = entries.get(throttleKey(addr));
      if (!f || !fresh(f, clock.now()) || f.count < maxFailures) return 0;
      return Math.min(maxDelayMs, delayMs * 2 ** (f.count - maxFailures));
    },
    fail(addr) {
      const key = throttleKey(addr);
      const now = clock.now();
      const f = entries.get(key);
      entries.delete(key);
      entries.set(key, { count: f && fresh(f, now) ? f.count + 1 : 1, last: now });
      sweep(now);
    },
    succeed(addr) {
      entries.delete(throttleKey(addr));
    },
    get size() {
      return entries.size;
    },
  };
}
