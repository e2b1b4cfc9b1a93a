/**
 * The three-step upload: get_upload_server, a streamed multipart POST to the node's
 * upload.cgi (never retried: a retried POST makes a duplicate file), then end.pl with `JSON: 1`, polled
 * with backoff while the node answers "please wait", HTML, 5xx or JSON without links (an upload whose links are
 * not ready yet).
 *
 * Exactly once: when the POST fails in a way that does not prove the file was not stored (a 5xx, a reset or a
 * timeout after the body went out), end.pl is asked anyway; when neither it nor the polling shows the file, the
 * error says `outcomeUnknown` and the caller (remote/fichier) looks for the file in a listing before reporting a
 * failure: a blind retry could store it twice. The POST goes on a fresh connection (`Connection: close`).
 * A caller's abort stops the first two steps, never end.pl: once the POST is answered (or may have landed) the file
 * is stored, and only end.pl says which file it is. An upload aborted then still resolves with the file, so the
 * caller can remove it (vfs/write-sinks.ts does for an aborted write); stopping there would leave in the account a
 * file its writer was told failed.
 *
 * The body is framed by hand so that its Content-Length is exact (1fichier requires it; no chunked
 * encoding) and the source is pulled chunk by chunk as the socket drains: O(1) memory for any size.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Pacer } from './pacer.ts';
import type { HttpTransport } from './http.ts';
import { readText } from './http.ts';
import { decodeOutcome, FichierApiError, localError, neverSent } from './errors.ts';
import { uploadNodeUrl } from './hosts.ts';
import type { Clock } from '../util/clock.ts';
import type { EndUploadResponse, GetUploadServerResponse } from './types.ts';
import { END_UPLOAD_PATH, UPLOAD_PATH } from './types.ts';

/** rclone's per-file limit (300 GB). */
export const MAX_UPLOAD_BYTES = 300e9;

/** end.pl attempts after a failed POST (the links of an upload that landed are there at once or soon). */
const END_CHECKS_AFTER_FAILURE = 3;

export interface UploadOptions {
  /** The name as stored (already encoded by the caller: remote/fichier/encoding.ts). */
  filename: string;
  /** Exact byte count of the source; must be > 0. */
  size: number;
  /** Destination folder id (0 = root). */
  folderId: number;
  signal?: AbortSignal;
}

export interface UploadedFile {
  /** The new file's URL (its identity), "https://1fichier.com/?<id>"; never host-mapped. */
  url: string;
  filename: string;
  size: number;
  /** Whirlpool digest, lower-case hex. */
  whirlpool: string;
}

export interface UploadContext {
  http: HttpTransport;
  pacer: Pacer;
  clock: Clock;
  baseUrl: string;
  /** Longest time spent polling end.pl, in ms. */
  endPollMaxMs: number;
  /** Step 1 (a paced API call). */
  getUploadServer(signal?: AbortSignal): Promise<GetUploadServerResponse>;
}

export interface MultipartFraming {
  boundary: string;
  /** `multipart/form-data; boundary=<b>` (boundary not quoted, as 1fichier expects). */
  contentType: string;
  /** Everything before the file bytes: the `did` part and the `file[]` part headers. */
  head: Buffer;
  /** Everything after the file bytes. */
  tail: Buffer;
  /** Exact request body length for a file of `size` bytes. */
  contentLength(size: number): number;
}

/**
 * Builds the multipart framing around the file bytes: part `did` (folder id in decimal), then part
 * `file[]` with a quoted raw-UTF-8 filename and no part Content-Type. Throws an 'upload' FichierApiError
 * when the name contains `"`, `\`, CR, LF or NUL (they cannot be framed; the caller's name encoding removes them).
 */
export function multipartFraming(filename: string, folderId: number, boundary = newBoundary()): MultipartFraming {
  if (filename === '' || /["\\\r\n\0]/.test(filename)) {
    throw localError('upload.cgi', 'upload', 'the file name is empty or holds a character that cannot be sent (", \\, CR, LF, NUL); encode it first');
  }
  if (!Number.isSafeInteger(folderId) || folderId < 0) {
    throw localError('upload.cgi', 'upload', `invalid destination folder id ${String(folderId)}`);
  }
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="did"\r\n\r\n${folderId}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file[]"; filename="${filename}"\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    boundary,
    contentType: `multipart/form-data; boundary=${boundary}`,
    head,
    tail,
    contentLength: (size) => head.length + size + tail.length,
  };
}

/**
 * Uploads `source` (exactly `opts.size` bytes) into folder `opts.folderId` and returns the stored file.
 * Throws FichierApiError: 'upload' for an empty or too large file or unframeable name (before any call), a
 * source whose length differs from `size`, or a stored size that differs; the classified error of a failed
 * step that proves nothing was stored (get_upload_server is retried, upload.cgi never); 'upload' with
 * `outcomeUnknown` when the file may be stored but end.pl does not show it (a POST that failed after sending,
 * or end.pl without links until `endPollMaxMs`). An error thrown by the source itself is rethrown as is. An abort
 * (`opts.signal`) rejects with its reason until the POST is answered; after that the upload runs to its end.
 */
export async function uploadFile(
  ctx: UploadContext,
  source: Readable | AsyncIterable<Uint8Array>,
  opts: UploadOptions,
): Promise<UploadedFile> {
  if (!Number.isSafeInteger(opts.size) || opts.size <= 0) {
    throw localError('upload.cgi', 'upload', "can't upload empty files (1fichier refuses 0-byte uploads)");
  }
  if (opts.size > MAX_UPLOAD_BYTES) throw localError('upload.cgi', 'upload', 'file too big: 1fichier accepts at most 300 GB per file');
  const framing = multipartFraming(opts.filename, opts.folderId);
  const server = await ctx.getUploadServer(opts.signal);
  const postUrl = uploadNodeUrl(server.url, `${UPLOAD_PATH}?id=${encodeURIComponent(server.id)}`, ctx.baseUrl);
  const endUrl = uploadNodeUrl(server.url, `${END_UPLOAD_PATH}?xid=${encodeURIComponent(server.id)}`, ctx.baseUrl);
  let postFailure: unknown;
  try {
    await ctx.pacer.run(() => ctx.http.attempt('upload.cgi', opts.signal, () => postFile(ctx, postUrl, framing, source, opts)), {
      retry: false,
      slot: false,
      signal: opts.signal,
      label: 'upload.cgi',
    });
  } catch (err) {
    if (opts.signal?.aborted || !mayHaveLanded(err)) throw err;
    postFailure = err;
  }
  let end: EndUploadResponse;
  try {
    // No signal from here on (see the module doc): bounded by endPollMaxMs instead.
    end = await ctx.pacer.run(() => ctx.http.attempt('end.pl', undefined, () => fetchEnd(ctx, endUrl)), {
      maxAttempts: postFailure === undefined ? Number.POSITIVE_INFINITY : END_CHECKS_AFTER_FAILURE,
      maxElapsedMs: ctx.endPollMaxMs,
      label: 'end.pl',
    });
  } catch (err) {
    const why = postFailure === undefined ? 'end.pl never gave the link of the upload' : 'the upload POST failed and end.pl does not show the file';
    throw localError('upload.cgi', 'upload', `${why}: it may or may not be stored`, { outcomeUnknown: true, cause: postFailure ?? err });
  }
  return toUploadedFile(end, opts.size);
}

/**
 * True when a failed POST may still have stored the file: the server answered 5xx or something unreadable, or
 * the connection broke after the request went out. A refusal (4xx), a connection never made, or our own source
 * failing (the body never completed) stored nothing.
 */
function mayHaveLanded(err: unknown): boolean {
  if (!(err instanceof FichierApiError) || err.endpoint !== 'upload.cgi') return false;
  return err.kind === 'server' || err.kind === 'protocol' || (err.kind === 'transport' && !neverSent(err));
}

async function postFile(
  ctx: UploadContext,
  url: string,
  framing: MultipartFraming,
  source: Readable | AsyncIterable<Uint8Array>,
  opts: UploadOptions,
): Promise<void> {
  const endpoint = 'upload.cgi';
  let failure: unknown;
  async function* body(): AsyncGenerator<Uint8Array> {
    yield framing.head;
    let sent = 0;
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        sent += buf.byteLength;
        if (sent > opts.size) break;
        yield buf;
        ctx.http.transferred('up', buf.byteLength);
      }
    } catch (err) {
      failure = err;
      throw err;
    }
    if (sent !== opts.size) {
      failure = localError(endpoint, 'upload', `the source gave ${sent > opts.size ? 'more' : 'fewer'} bytes than the declared size ${opts.size}`);
      throw failure;
    }
    yield framing.tail;
  }
  let res;
  try {
    res = await ctx.http.send({
      endpoint,
      url,
      fresh: true,
      method: 'POST',
      headers: { 'content-type': framing.contentType, 'content-length': String(framing.contentLength(opts.size)) },
      body: body(),
      signal: opts.signal,
    });
  } catch (err) {
    throw failure ?? err;
  }
  const text = await readText(res.body, { endpoint, signal: opts.signal }, 64 * 1024);
  const status = res.statusCode;
  if (status >= 300 && status < 400) return;
  if (status >= 200 && status < 300) {
    if (/pas de fichier/i.test(text)) throw localError(endpoint, 'upload', 'the upload node received no file', { httpStatus: status });
    if (!text.trim().startsWith('{')) return;
  }
  decodeOutcome({ endpoint, status, headers: res.headers, text, nowMs: ctx.clock.now() });
}

async function fetchEnd(ctx: UploadContext, url: string): Promise<EndUploadResponse> {
  const endpoint = 'end.pl';
  const res = await ctx.http.exchange({ endpoint, url, method: 'GET', headers: { json: '1' } });
  const body = decodeOutcome({ endpoint, ...res, nowMs: ctx.clock.now(), nonJsonRetryable: true });
  const links = (body as { links?: unknown }).links;
  if (!Array.isArray(links) || links.length === 0) {
    throw localError(endpoint, 'upload', 'upload response not found (end.pl returned no link)', { httpStatus: res.status, retryable: true });
  }
  return body as EndUploadResponse;
}

function toUploadedFile(end: EndUploadResponse, sentSize: number): UploadedFile {
  const link = end.links[0];
  const size = Number(link?.size);
  if (!link || typeof link.download !== 'string' || typeof link.filename !== 'string') {
    throw localError('end.pl', 'protocol', 'end.pl link lacks download or filename');
  }
  if (size !== sentSize) {
    throw localError('end.pl', 'upload', `1fichier stored ${String(link.size)} bytes but ${sentSize} were sent`);
  }
  return { url: link.download, filename: link.filename, size, whirlpool: String(link.whirlpool ?? '').toLowerCase() };
}

function newBoundary(): string {
  return `----fichierdav${randomBytes(12).toString('hex')}`;
}
