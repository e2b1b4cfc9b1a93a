/**
 * GET of a download token URL (from get_token), optionally ranged, streamed and never buffered.
 *
 * Pacing choice: a download GET is not an API call, so it does not wait for the pacer's interval nor
 * count against its 4 API slots (a long transfer would starve listings). It goes through its own cap
 * (default 8 connections per client; 1fichier premium allows 30 in total, leaving room for other clients
 * of the account). The slot is held until the body stream closes, so consumers must read or destroy it.
 * Not retried here either: rclone-style one-shot tokens (`single: 1`) cannot be replayed; callers re-token.
 * Redirects (the download host may send the client to another one) are followed, up to MAX_REDIRECTS, with the
 * same Range: every client of the service follows them.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import type { HttpTransport } from './http.ts';
import { readText } from './http.ts';
import type { Slots } from './slots.ts';
import { decodeOutcome, localError } from './errors.ts';
import { mapHost } from './hosts.ts';
import type { Clock } from '../util/clock.ts';

export interface DownloadOptions {
  /** First byte wanted (default 0). Inside the file: the caller validated it (core/span.ts); sent as is. */
  start?: number;
  /** Last byte wanted, inclusive (default: end of file); inside the file, like `start`. */
  end?: number;
  /** When known (from a listing), the whole file's size: a different total is a 'protocol' error (an error page). */
  expectedSize?: number;
  /** The file is not an HTML page: an answer of type text/html is the download host's error page ('protocol'). */
  htmlIsError?: boolean;
  signal?: AbortSignal;
}

export interface DownloadResult {
  /** 200 (whole file) or 206 (the requested range). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes, streamed. Read or destroy it: it holds a download slot until it closes. */
  body: Readable;
  /** Bytes in this body (Content-Length), when announced. */
  size?: number;
  /** Size of the whole file (Content-Range total, or Content-Length of a 200), when announced. */
  totalSize?: number;
}

export interface DownloadContext {
  http: HttpTransport;
  slots: Slots;
  clock: Clock;
  baseUrl: string;
}

/** The endpoint name of a download in errors, logs and metrics. */
export const DOWNLOAD_ENDPOINT = 'download';

const MAX_REDIRECTS = 5;
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches `tokenUrl` (host-mapped for the emulator), with `Range: bytes=start-end` when a range is asked.
 * Throws FichierApiError: 'range' on 416; 'protocol' when a 206 Content-Range does not match the request,
 * a Range request gets a different 200/206 answer, or the total differs from `expectedSize`; otherwise the
 * classified error of the answer (e.g. 'not-found', 'flood', 'server') or 'transport'. Throws RangeError on an
 * invalid range (start < 0, end < start).
 */
export async function downloadFile(ctx: DownloadContext, tokenUrl: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const range = rangeHeader(opts.start, opts.end);
  const release = await ctx.slots.acquire(opts.signal);
  try {
    const answer = await ctx.http.attempt(DOWNLOAD_ENDPOINT, opts.signal, () => fetchChecked(ctx, tokenUrl, range, opts));
    // A body destroyed by its consumer to stop early (or cut by an abort) may emit an error; that is not a crash.
    answer.body.on('error', ignore);
    answer.body.once('close', release);
    return ctx.http.countsTransfers ? { ...answer, body: counted(answer.body, ctx.http) } : answer;
  } catch (err) {
    release();
    throw err;
  }
}

/** Sends the GET (following redirects) and checks the answer (status, Content-Range, sizes); throws as `downloadFile`. */
async function fetchChecked(ctx: DownloadContext, tokenUrl: string, range: string | undefined, opts: DownloadOptions): Promise<DownloadResult> {
  let url = mapHost(tokenUrl, ctx.baseUrl);
  let res = await get(ctx, url, range, opts.signal);
  for (let hops = 0; REDIRECTS.has(res.statusCode); hops++) {
    const location = res.headers['location'];
    discard(res.body);
    if (typeof location !== 'string' || location === '' || hops >= MAX_REDIRECTS) {
      throw localError(DOWNLOAD_ENDPOINT, 'protocol', hops >= MAX_REDIRECTS ? 'too many redirects' : 'a redirect without a Location', { httpStatus: res.statusCode });
    }
    url = mapHost(new URL(location, url).toString(), ctx.baseUrl);
    res = await get(ctx, url, range, opts.signal);
  }
  if (res.statusCode !== 200 && res.statusCode !== 206) {
    const text = await readText(res.body, { endpoint: DOWNLOAD_ENDPOINT, signal: opts.signal }, 64 * 1024);
    decodeOutcome({ endpoint: DOWNLOAD_ENDPOINT, status: res.statusCode, headers: res.headers, text, nowMs: ctx.clock.now() });
    throw localError(DOWNLOAD_ENDPOINT, 'protocol', `unexpected download answer`, { httpStatus: res.statusCode });
  }
  try {
    const sizes = checkAnswer(res.statusCode, res.headers, opts, range !== undefined);
    return { status: res.statusCode, headers: res.headers, body: res.body, ...sizes };
  } catch (err) {
    discard(res.body);
    throw err;
  }
}

function get(ctx: DownloadContext, url: string, range: string | undefined, signal: AbortSignal | undefined): Promise<Awaited<ReturnType<HttpTransport['send']>>> {
  return ctx.http.send({ endpoint: DOWNLOAD_ENDPOINT, url, method: 'GET', headers: range ? { range } : {}, signal });
}

/**
 * `body` seen through a pass-through that reports each chunk as 'down' bytes. Destroying the result destroys
 * `body` (freeing its slot); an error of `body` reaches the result unchanged.
 */
function counted(body: Readable, http: HttpTransport): Readable {
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      http.transferred('down', chunk.length);
      done(null, chunk);
    },
  });
  out.on('error', ignore);
  pipeline(body, out, ignore);
  return out;
}

function ignore(): void {}

function discard(body: Readable): void {
  body.on('error', ignore);
  body.destroy();
}

/**
 * `bytes=start-end` for a partial request, undefined for the whole file. Throws RangeError when the numbers
 * cannot form a header (a caller's bug: the span was validated where it entered, core/span.ts).
 */
export function rangeHeader(start: number | undefined, end: number | undefined): string | undefined {
  const s = start ?? 0;
  if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`invalid range start ${String(start)}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < s)) throw new RangeError(`invalid range end ${String(end)}`);
  if (s === 0 && end === undefined) return undefined;
  return `bytes=${s}-${end ?? ''}`;
}

/** Parses `bytes a-b/total` (total may be `*`); undefined when malformed. */
export function parseContentRange(v: string | undefined): { first: number; last: number; total?: number } | undefined {
  const m = v === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (last < first || (total !== undefined && last >= total)) return undefined;
  return total === undefined ? { first, last } : { first, last, total };
}

function checkAnswer(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  opts: DownloadOptions,
  ranged: boolean,
): { size?: number; totalSize?: number } {
  const lenHeader = headers['content-length'];
  const size = typeof lenHeader === 'string' && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
  const start = opts.start ?? 0;
  const mismatch = (why: string) => localError(DOWNLOAD_ENDPOINT, 'protocol', why, { httpStatus: status });
  const type = headers['content-type'];
  if (opts.htmlIsError && typeof type === 'string' && /^\s*text\/html\b/i.test(type)) throw mismatch('an HTML page instead of the file (an error page of the download host)');
  let totalSize: number | undefined;
  if (status === 206) {
    const cr = parseContentRange(typeof headers['content-range'] === 'string' ? headers['content-range'] : undefined);
    if (!ranged || !cr) throw mismatch('206 answer without a matching request or a valid Content-Range');
    totalSize = cr.total;
    const wantLast = opts.end ?? (cr.total !== undefined ? cr.total - 1 : cr.last);
    if (cr.first !== start || cr.last !== wantLast) throw mismatch(`Content-Range ${cr.first}-${cr.last} does not match the requested range`);
    if (size !== undefined && size !== cr.last - cr.first + 1) throw mismatch('Content-Length does not match Content-Range');
  } else {
    totalSize = size;
    const whole = start === 0 && (opts.end === undefined || (size !== undefined && opts.end >= size - 1));
    if (ranged && !whole) throw mismatch('the server ignored the Range header (200 instead of 206)');
  }
  if (opts.expectedSize !== undefined && totalSize !== undefined && totalSize !== opts.expectedSize) {
    throw mismatch(`the download is ${totalSize} bytes, expected ${opts.expectedSize} (an error page?)`);
  }
  return { ...(size !== undefined ? { size } : {}), ...(totalSize !== undefined ? { totalSize } : {}) };
}
