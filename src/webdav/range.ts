/**
 * Byte ranges (RFC 9110 §14): parsing of the `Range` request header, the `Content-Range` values of a 206/416
 * answer, and the framing of a `multipart/byteranges` body with its exact length known up front.
 *
 * This is where a client's range is validated, once: the spans it returns are inside the representation and
 * every layer below (VFS, reader, remote, download) takes them as they are (core/span.ts).
 *
 * Pure module: no I/O. The GET handler decides what to do with each outcome:
 * - `none`: no Range header → 200 with the whole body;
 * - `ignore`: a header we must not act on (another unit, bad syntax, an invalid `a-b` with b < a) → 200;
 * - `unsatisfiable`: valid syntax, but no range overlaps the representation → 416 with
 *   `Content-Range: bytes *` + `/size`;
 * - `ranges`: one range → 206 with `Content-Range`; several → 206 multipart/byteranges.
 *
 * Choices where the RFC leaves room (documented here because the caller relies on them):
 * - A single range is returned exactly as asked, clamped to the size (rclone checks the echoed bounds strictly).
 * - Unsatisfiable members of a multi-range set are dropped when at least one member is satisfiable.
 * - Several ranges keep the client's order, neighbours that touch merged. If any two overlap, the set is sorted by
 *   start and every overlapping or touching range merged (RFC 9110 §14.2 allows coalescing regardless of order),
 *   so no byte is ever sent twice and the parts never add up to more than the size.
 * - Bounded cost, because every part is a separate read from 1fichier: if more than `maxRanges` (default 16)
 *   ranges remain after that, the answer is one range covering them all (lowest start to highest end).
 * - Every range on a 0-byte representation is unsatisfiable (a `Content-Range` cannot express an empty range).
 * - Whitespace (OWS) is tolerated around `=`, `,` and `-`; empty list members are skipped (RFC 9110 §5.6.1).
 */
import { randomBytes } from 'node:crypto';
import { spanLength, type ByteSpan } from '../core/span.ts';

/** An inclusive byte range inside a representation: `0 <= start <= end < size` (a validated span). */
export type ByteRange = ByteSpan;

export type RangeResult =
  | { kind: 'none' }
  | { kind: 'ranges'; ranges: ByteRange[] }
  | { kind: 'unsatisfiable' }
  | { kind: 'ignore' };

export interface RangeOptions {
  /** Most parts answered separately; beyond this the set collapses to one covering range. Default 16. */
  maxRanges?: number;
}

export const DEFAULT_MAX_RANGES = 16;

const DIGITS = /^[0-9]+$/;
const OWS = /^[ \t]*|[ \t]*$/g;

type Spec = { first: number; last?: number } | { suffix: number };

/** Parses one range-spec; undefined when its syntax is invalid (including `a-b` with b < a). */
function parseSpec(text: string): Spec | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) return undefined;
  const left = text.slice(0, dash).replace(OWS, '');
  const right = text.slice(dash + 1).replace(OWS, '');
  if (left === '') {
    if (!DIGITS.test(right)) return undefined;
    return { suffix: Number(right) };
  }
  if (!DIGITS.test(left)) return undefined;
  const first = Number(left);
  if (right === '') return { first };
  if (!DIGITS.test(right)) return undefined;
  const last = Number(right);
  return last < first ? undefined : { first, last };
}

/** The satisfiable part of a spec for a representation of `size` bytes, or undefined. */
function resolve(spec: Spec, size: number): ByteRange | undefined {
  if (size <= 0) return undefined;
  if ('suffix' in spec) {
    if (spec.suffix === 0) return undefined;
    return { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}

/** Merges each range into the previous one when they overlap or touch, keeping the given order otherwise. */
function merge(ranges: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (prev && r.start <= prev.end + 1 && prev.start <= r.end + 1) {
      prev.start = Math.min(prev.start, r.start);
      prev.end = Math.max(prev.end, r.end);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/**
 * Request order with touching neighbours merged when no two ranges overlap; otherwise the set sorted by start
 * with every overlapping or touching range merged, so no byte is sent twice.
 */
function coalesce(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let reach = -1;
  for (const r of sorted) {
    if (r.start <= reach) return merge(sorted);
    reach = r.end;
  }
  return merge(ranges);
}

/**
 * Parses a `Range` header against a representation of `size` bytes.
 * Returns `none` when the header is absent, `ignore` when it must be disregarded (unknown unit or invalid
 * syntax), `unsatisfiable` when no range overlaps the representation, else the ranges to send (inclusive,
 * clamped, see the module doc for merging and the cap). Never throws.
 */
export function parseRange(header: string | undefined, size: number, options: RangeOptions = {}): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const eq = header.indexOf('=');
  if (eq < 0) return { kind: 'ignore' };
  if (header.slice(0, eq).replace(OWS, '').toLowerCase() !== 'bytes') return { kind: 'ignore' };
  const specs: Spec[] = [];
  for (const member of header.slice(eq + 1).split(',')) {
    if (member.replace(OWS, '') === '') continue;
    const spec = parseSpec(member);
    if (!spec) return { kind: 'ignore' };
    specs.push(spec);
  }
  if (specs.length === 0) return { kind: 'ignore' };
  const satisfiable = specs.map((s) => resolve(s, size)).filter((r): r is ByteRange => r !== undefined);
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  const ranges = coalesce(satisfiable);
  if (ranges.length > (options.maxRanges ?? DEFAULT_MAX_RANGES)) {
    const cover = ranges.reduce((a, r) => ({ start: Math.min(a.start, r.start), end: Math.max(a.end, r.end) }));
    return { kind: 'ranges', ranges: [cover] };
  }
  return { kind: 'ranges', ranges };
}

/** The `Content-Range` value of a 206 part: `bytes a-b/size`. */
export function contentRange(r: ByteRange, size: number): string {
  return `bytes ${r.start}-${r.end}/${size}`;
}

/** The `Content-Range` value of a 416 answer: `bytes *` followed by `/size`. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** One part of a multipart/byteranges body: the text to write before the part's bytes, and the bytes to send. */
export interface MultipartPart {
  range: ByteRange;
  /** Delimiter and part headers (ASCII), written immediately before the part's bytes. */
  header: string;
}

/** Everything the GET handler needs to stream a multipart/byteranges body with a known Content-Length. */
export interface MultipartByteranges {
  boundary: string;
  /** Value for the response's Content-Type header. */
  contentType: string;
  parts: MultipartPart[];
  /** Closing delimiter, written after the last part's bytes. */
  trailer: string;
  /** Exact body length: every header, every part's bytes and the trailer. */
  contentLength: number;
}

/** A boundary of 32 hex characters: never occurs by chance in the parts' headers. */
export function randomBoundary(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Frames a multipart/byteranges body (RFC 9110 §14.6): each part is `[CRLF]--boundary CRLF Content-Type CRLF
 * Content-Range CRLF CRLF <bytes>`, and the body ends with `CRLF --boundary-- CRLF`. `partType` is the
 * representation's media type (default application/octet-stream). Throws a TypeError for an empty range list, a
 * boundary that is not 1-70 characters of the RFC 2046 alphabet, or a media type containing CR or LF.
 */
export function multipartByteranges(
  ranges: readonly ByteRange[],
  size: number,
  partType = 'application/octet-stream',
  boundary: string = randomBoundary(),
): MultipartByteranges {
  if (ranges.length === 0) throw new TypeError('multipartByteranges needs at least one range');
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) throw new TypeError('invalid multipart boundary');
  if (/[\r\n]/.test(partType)) throw new TypeError('invalid part content type');
  const parts = ranges.map((range, i) => ({
    range,
    header:
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
      `Content-Type: ${partType}\r\n` +
      `Content-Range: ${contentRange(range, size)}\r\n\r\n`,
  }));
  const trailer = `\r\n--${boundary}--\r\n`;
  const contentLength =
    parts.reduce((n, p) => n + Buffer.byteLength(p.header) + spanLength(p.range), 0) + Buffer.byteLength(trailer);
  return { boundary, contentType: `multipart/byteranges; boundary=${boundary}`, parts, trailer, contentLength };
}
