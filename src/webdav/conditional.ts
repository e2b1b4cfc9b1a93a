/**
 * HTTP conditional requests (RFC 9110 §13): If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since and
 * If-Range, plus HTTP-date parsing and formatting. Pure module: no I/O.
 *
 * The WebDAV `If` header (RFC 4918 §10.4) is a different beast and lives elsewhere.
 *
 * Choices where the RFC leaves room:
 * - Dates compare at one-second precision: the resource's modification time is truncated to whole seconds,
 *   because that is all an HTTP-date can carry.
 * - An invalid date makes the header be ignored (RFC 9110 §13.1.3/§13.1.4); an If-Range date that does not parse
 *   does not match, so the Range is ignored and the whole representation is sent (§13.1.5).
 * - A list member that is not a well-formed entity-tag never matches (an If-Match made only of junk fails).
 * - Two-digit RFC 850 years are read per RFC 9110 §5.6.7 relative to the `now` argument (default: the system clock;
 *   only the year is used).
 */
import { memoBySecond } from '../util/memo-by-second.ts';

export interface PreconditionRequest {
  method: string;
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

export interface PreconditionResource {
  exists: boolean;
  /** The current entity-tag, quoted (`"abc"`, or `W/"abc"` for a weak one). */
  etag?: string | undefined;
  /** Last modification time in ms since the epoch. */
  lastModified?: number | undefined;
}

export type PreconditionResult = { ok: true } | { ok: false; status: 304 | 412 };

interface EntityTag {
  weak: boolean;
  opaque: string;
}

const ETAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/** Parses one entity-tag (`"x"` or `W/"x"`); undefined when malformed. */
export function parseEntityTag(text: string): EntityTag | undefined {
  const m = ETAG.exec(text.trim());
  if (!m) return undefined;
  return { weak: m[1] !== undefined, opaque: m[2] ?? '' };
}

/** Splits an entity-tag list at commas outside quotes; `*` is returned as the single member `'*'`. */
function parseTagList(value: string): (EntityTag | '*')[] {
  const out: (EntityTag | '*')[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    if (i === value.length || (c === ',' && !quoted)) {
      const member = value.slice(start, i).trim();
      if (member === '*') out.push('*');
      else if (member !== '') {
        const tag = parseEntityTag(member);
        if (tag) out.push(tag);
      }
      start = i + 1;
    }
  }
  return out;
}

function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/** True when the list is `*` with an existing resource, or names a tag matching `current` by `match`. */
function listMatches(
  value: string,
  res: PreconditionResource,
  match: (a: EntityTag, b: EntityTag) => boolean,
): boolean {
  const current = res.etag === undefined ? undefined : parseEntityTag(res.etag);
  return parseTagList(value).some((m) => (m === '*' ? res.exists : current !== undefined && match(m, current)));
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Evaluates the preconditions in RFC 9110 §13.2.2 order: If-Match (else If-Unmodified-Since) → 412;
 * If-None-Match → 304 for GET/HEAD, 412 otherwise; else If-Modified-Since (GET/HEAD only) → 304.
 * Returns `{ ok: true }` when the method may proceed. Never throws.
 */
export function evaluatePreconditions(req: PreconditionRequest, res: PreconditionResource): PreconditionResult {
  const method = req.method.toUpperCase();
  const safe = method === 'GET' || method === 'HEAD';
  if (req.ifMatch !== undefined) {
    if (!(res.exists && listMatches(req.ifMatch, res, strongMatch))) return { ok: false, status: 412 };
  } else if (req.ifUnmodifiedSince !== undefined && res.exists && res.lastModified !== undefined) {
    const date = parseHttpDate(req.ifUnmodifiedSince);
    if (date !== undefined && seconds(res.lastModified) > seconds(date)) return { ok: false, status: 412 };
  }
  if (req.ifNoneMatch !== undefined) {
    if (listMatches(req.ifNoneMatch, res, weakMatch)) return { ok: false, status: safe ? 304 : 412 };
  } else if (safe && req.ifModifiedSince !== undefined && res.exists && res.lastModified !== undefined) {
    const date = parseHttpDate(req.ifModifiedSince);
    if (date !== undefined && seconds(res.lastModified) <= seconds(date)) return { ok: false, status: 304 };
  }
  return { ok: true };
}

/**
 * Whether a Range request may be honoured given its If-Range value (RFC 9110 §13.1.5): true when the header is
 * absent, when it is an entity-tag strongly matching `etag`, or an HTTP-date equal to `lastModified` (to the
 * second). False otherwise (weak tags, other dates, garbage): the caller then sends the whole representation.
 */
export function ifRangeMatches(ifRange: string | undefined, etag: string | undefined, lastModified?: number): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    const tag = parseEntityTag(value);
    const current = etag === undefined ? undefined : parseEntityTag(etag);
    return tag !== undefined && current !== undefined && strongMatch(tag, current);
  }
  const date = parseHttpDate(value);
  return date !== undefined && lastModified !== undefined && seconds(date) === seconds(lastModified);
}

/** Formats ms since the epoch as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). */
export const httpDate = memoBySecond((ms) => new Date(ms).toUTCString());

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`, 'i');

/** Builds a UTC time, or undefined when a field is out of range (31 Feb, 25:00...). Second 60 reads as 59. */
function utc(year: number, monthName: string, day: number, h: number, m: number, s: number): number | undefined {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (h > 23 || m > 59 || s > 60 || day < 1) return undefined;
  const t = Date.UTC(year, month, day, h, m, Math.min(s, 59));
  const d = new Date(t);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month || d.getUTCDate() !== day) return undefined;
  return t;
}

/**
 * Parses an HTTP-date in any of the three RFC 9110 §5.6.7 forms (IMF-fixdate, RFC 850, asctime), names matched
 * case-insensitively, the weekday not checked against the date. Returns ms since the epoch, or undefined when the
 * value is not a valid HTTP-date. `now` (ms) only places two-digit RFC 850 years.
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(text);
  if (m) {
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return utc(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(text);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}
