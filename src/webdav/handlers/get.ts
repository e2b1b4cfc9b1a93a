/**
 * GET and HEAD (RFC 9110 §9.3.1-2, §13, §14). Ours, not webdav-server's (it reads every ranged GET from byte
 * 0, answers `bytes a-b/*`, 206 for unsatisfiable ranges, and sends no If-Range, ETag or Last-Modified).
 *
 * - A file: If header (412/400), then one look-up of the path, HTTP preconditions (304 for GET/HEAD, 412), then
 *   the Range header against the size (ignored when If-Range does not match), validated here and only here
 *   (range.ts): none → 200 with the whole file; one range → 206 with `Content-Range: bytes a-b/size` read as
 *   exactly that span from the node found; several → 206 multipart/byteranges, one VFS read per part, opened
 *   one after the other while streaming, with the exact Content-Length up front; unsatisfiable → 416 with
 *   `Content-Range: bytes *` + `/size`.
 *   Every answer carries ETag, Last-Modified, Accept-Ranges and Content-Type (the 304 the validators), and
 *   the file headers that keep a stored file from acting as a page of this server (file-headers.ts: nosniff,
 *   and a CSP sandbox for any type a browser could run).
 * - A collection: the front end's page when it wants to answer (the web UI, for browsers), else a small HTML
 *   listing (listing.ts); HEAD the same headers without the body.
 * - A missing Finder probe name is an empty file (finder.ts).
 *
 * Streaming: the first VFS read is opened, and its first bytes awaited (`primed`), before the status line is
 * sent, so its failure (ENOENT for a file deleted since the look-up, EAGAIN...) becomes a proper error status:
 * the VFS stream is lazy, its remote open (get_token) happens only when bytes are wanted, so without this a GET
 * racing a DELETE would have its connection cut. Bytes go through stream.pipeline (backpressure); a client that
 * goes away destroys the VFS stream (pipeline, and r.signal passed to openRead). A failure once the status line
 * is out can only cut the connection: it is logged and the response destroyed, never rethrown.
 *
 * Choices where the reference is silent:
 * - HEAD ignores Range (RFC 9110 §14.2: range handling is defined for GET only) and answers 200.
 * - A collection listing carries no validators (it changes with its members) and `Cache-Control: no-cache`.
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VfsEntry, VfsNode } from '../../vfs/types.ts';
import type { DavRequest, DavShared, Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { httpDate, ifRangeMatches } from '../conditional.ts';
import { fileHeaders } from '../file-headers.ts';
import { lookupWithProbes } from '../finder.ts';
import { spanLength } from '../../core/span.ts';
import { contentRange, multipartByteranges, parseRange, unsatisfiedRange, type ByteRange, type RangeResult } from '../range.ts';
import { guardIf } from '../write-guard.ts';
import { renderListing } from './listing.ts';
import { preconditionsFor, sendEmpty } from './target.ts';

/** GET: the file's bytes (whole or ranges) or a collection's HTML listing. */
export const handleGet: Handler = (s, r) => serve(s, r, true);

/** HEAD: the headers GET would send, without a body. */
export const handleHead: Handler = (s, r) => serve(s, r, false);

/** Opens the bytes of `range` (whole file when undefined). */
type Opener = (range?: ByteRange) => Promise<Readable>;

async function serve(s: DavShared, r: DavRequest, withBody: boolean): Promise<void> {
  await guardIf(s, r);
  const { node, entry } = await lookupWithProbes(s.vfs, r.path, s.clock.now(), r.signal);
  if (entry.kind === 'dir' && node) {
    if (s.frontEnd && (await s.frontEnd.collectionPage(s, r, entry, withBody))) return;
    return sendListing(s, r, node, withBody);
  }
  const validators = { ...fileHeaders(entry.mimeType), ETag: entry.etag, 'Last-Modified': httpDate(entry.modTime), 'Accept-Ranges': 'bytes' };
  const pre = preconditionsFor(r, entry);
  if (!pre.ok) {
    if (pre.status === 304) return sendEmpty(r, 304, validators);
    throw new DavError(412, 'precondition failed');
  }
  const open: Opener = node ? (range) => s.vfs.openRead(node, range, r.signal) : async () => Readable.from([]);
  const plan = withBody ? rangePlan(r, entry) : { kind: 'none' as const };
  const headers = { ...validators, 'Content-Type': entry.mimeType };

  if (plan.kind === 'unsatisfiable') {
    throw new DavError(416, 'range not satisfiable', { headers: { ...validators, 'Content-Range': unsatisfiedRange(entry.size) } });
  }
  if (plan.kind !== 'ranges') {
    const source = withBody ? await primed(r, await open()) : undefined;
    writeHead(r, 200, { ...headers, 'Content-Length': String(entry.size) });
    return finish(s, r, source);
  }
  const [first, ...others] = plan.ranges;
  if (first === undefined) throw new DavError(500, 'empty range set');
  if (others.length === 0) {
    const source = await primed(r, await open(first));
    writeHead(r, 206, { ...headers, 'Content-Range': contentRange(first, entry.size), 'Content-Length': String(spanLength(first)) });
    return finish(s, r, source);
  }
  const mp = multipartByteranges(plan.ranges, entry.size, entry.mimeType);
  const firstSource = await primed(r, await open(first));
  writeHead(r, 206, { ...validators, 'Content-Type': mp.contentType, 'Content-Length': String(mp.contentLength) });
  async function* body(): AsyncGenerator<Buffer> {
    for (const [i, part] of mp.parts.entries()) {
      yield Buffer.from(part.header, 'latin1');
      const source = i === 0 ? firstSource : await open(part.range);
      for await (const chunk of source) yield chunk as Buffer;
    }
    yield Buffer.from(mp.trailer, 'latin1');
  }
  return finish(s, r, Readable.from(body(), { objectMode: false }));
}

/** The Range header's outcome, or `none` when If-Range says the client's copy is stale. */
function rangePlan(r: DavRequest, entry: VfsEntry): RangeResult {
  const range = r.header('range');
  if (range === undefined || !ifRangeMatches(r.header('if-range'), entry.etag, entry.modTime)) return { kind: 'none' };
  return parseRange(range, entry.size);
}

/**
 * Resolves with `source` once it has bytes buffered or has ended (nothing is consumed); rejects with its error
 * (e.g. the FsError of a first open that failed) or on the request's abort.
 */
async function primed(r: DavRequest, source: Readable): Promise<Readable> {
  // The VFS stream destroys itself when the client goes away; `once` drops its listener on abort, so without this
  // one that error would have no listener and crash the process.
  source.on('error', ignoreError);
  try {
    if (source.errored) throw source.errored;
    if (source.readableLength > 0 || source.readableEnded) return source;
    await once(source, 'readable', { signal: r.signal });
    return source;
  } catch (err) {
    source.destroy();
    throw err;
  }
}

function ignoreError(): void {}

function writeHead(r: DavRequest, status: number, headers: Record<string, string>): void {
  r.res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) r.res.setHeader(k, v);
}

/**
 * Streams `source` into the response (or just ends it when there is no body). Never throws: a failure after the
 * status line went out is logged and the connection cut.
 */
async function finish(s: DavShared, r: DavRequest, source: Readable | undefined): Promise<void> {
  if (!source) {
    r.res.end();
    return;
  }
  try {
    await pipeline(source, r.res);
  } catch (err) {
    if (r.signal.aborted || (r.res.destroyed && isClientGone(err))) {
      s.logger.debug({ path: r.path, err: String(err) }, 'GET: client went away');
    } else {
      s.logger.warn({ path: r.path, err: String(err) }, 'GET: transfer failed after the headers were sent');
    }
    if (!r.res.destroyed) r.res.destroy();
  }
}

function isClientGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** The HTML listing of a collection (HEAD: same headers, no body). */
async function sendListing(s: DavShared, r: DavRequest, node: VfsNode, withBody: boolean): Promise<void> {
  const dir = node.entry;
  const entries = await s.vfs.readdir(node, r.signal);
  const html = Buffer.from(renderListing(dir, entries, (p, isDir) => r.href(p, isDir)), 'utf8');
  // Vary: a browser asking for HTML may get the front end's page at this same URL instead.
  writeHead(r, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(html.length), 'Cache-Control': 'no-cache', ...(s.frontEnd ? { Vary: 'Accept' } : {}) });
  r.res.end(withBody ? html : undefined);
}
