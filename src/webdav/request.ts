/**
 * The DavRequest implementation: strict request-target decoding, hrefs, Destination/If URIs, capped bodies.
 *
 * Choices where the RFCs leave room:
 * - Percent-decoding is per segment and strict: `%2F` (a slash inside a name), NUL, bytes that are not UTF-8, a
 *   malformed escape, and `.`/`..` segments are refused with 400 instead of being normalised; repeated slashes are
 *   collapsed. The query string is ignored; a fragment (`#`, never valid in a request target or a Destination)
 *   is refused with 400, so `DELETE /coll/#frag` cannot remove `/coll/`.
 * - A request outside the base URL is 404 (nothing is served there); a Destination outside it is 403.
 * - A Destination on another host is 502 (RFC 4918 §9.8.5/§9.9.4). Host names compare case-insensitively; ports
 *   compare only when both the Host header and the URI carry one, so a TLS-terminating proxy (https URI, plain
 *   Host) is not mistaken for another server; the scheme is not compared for the same reason.
 * - hrefs percent-encode everything but RFC 3986 unreserved characters in each segment.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { DavError } from './context.ts';
import type { DavRequest } from './context.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one path segment; throws DavError 400 on a malformed escape, `%2F`, NUL, bad UTF-8, `.` or `..`. */
function decodeSegment(raw: string): string {
  if (raw.includes('\0')) throw new DavError(400, 'NUL in path');
  if (!raw.includes('%')) {
    if (raw === '.' || raw === '..') throw new DavError(400, 'dot segment in path');
    return raw;
  }
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new DavError(400, 'malformed percent-encoding');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(raw[i]!, 'utf8'));
    }
  }
  let text: string;
  try {
    text = utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new DavError(400, 'path is not UTF-8');
  }
  if (text.includes('/')) throw new DavError(400, 'encoded slash in path segment');
  if (text.includes('\0')) throw new DavError(400, 'NUL in path');
  if (text === '.' || text === '..') throw new DavError(400, 'dot segment in path');
  return text;
}

/** Splits the path part of a URI (no query) into decoded segments. Throws DavError 400. */
export function decodePath(rawPath: string): string[] {
  if (!rawPath.startsWith('/')) throw new DavError(400, 'path must be absolute');
  return rawPath
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeSegment);
}

/** Parses a base URL option ('', '/', 'dav', '/dav/') into its decoded segments. Throws DavError 400. */
export function baseSegments(baseUrl: string): string[] {
  return decodePath('/' + baseUrl.replace(/^\/+/, ''));
}

/** Returns the segments below `base`, or undefined when `segs` is not under it. */
function stripBase(segs: string[], base: readonly string[]): string[] | undefined {
  if (segs.length < base.length) return undefined;
  for (let i = 0; i < base.length; i++) if (segs[i] !== base[i]) return undefined;
  return segs.slice(base.length);
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (UTF-8). */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The href of a VFS path under `base` (encoded base prefix, e.g. '/dav'); collections end with '/'. */
export function hrefOf(basePrefix: string, path: string, isCollection: boolean): string {
  const segs = path.split('/').filter((s) => s.length > 0);
  if (segs.length === 0) return basePrefix + '/';
  return `${basePrefix}/${segs.map(encodeSegment).join('/')}${isCollection ? '/' : ''}`;
}

export interface RequestTarget {
  path: string;
  trailingSlash: boolean;
}

/**
 * Parses a request target (origin-form, absolute-form or `*`) against the base URL. Returns the VFS path ('' =
 * root). Throws DavError 400 (malformed) or 404 (outside the base URL).
 */
export function parseTarget(rawUrl: string, base: readonly string[]): RequestTarget {
  if (rawUrl === '*') return { path: '', trailingSlash: true };
  let pathPart = rawUrl;
  if (!rawUrl.startsWith('/')) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(rawUrl);
    if (!m) throw new DavError(400, 'malformed request target');
    pathPart = m[1] === '' ? '/' : m[1]!;
  }
  if (pathPart.includes('#')) throw new DavError(400, 'fragment in request target');
  pathPart = pathPart.replace(/\?.*$/s, '');
  const segs = stripBase(decodePath(pathPart), base);
  if (segs === undefined) throw new DavError(404, 'outside the served base URL');
  return { path: segs.join('/'), trailingSlash: pathPart.endsWith('/') };
}

/** Splits a `host[:port]` (Host header or URI authority) into a lower-case host and an optional port. */
function hostPort(authority: string): { host: string; port: string | undefined } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority.trim().replace(/^[^@]*@/, ''));
  if (!m) return { host: authority.toLowerCase(), port: undefined };
  return { host: m[1]!.toLowerCase(), port: m[2] === undefined || m[2] === '' ? undefined : String(Number(m[2])) };
}

export interface DavRequestOptions {
  /** Decoded base URL segments. */
  base: readonly string[];
  maxBodyBytes: number;
}

/** The DavRequest of one HTTP request; `user` is set by the core once authentication succeeded. */
export class DavRequestImpl implements DavRequest {
  readonly method: string;
  readonly path: string;
  readonly trailingSlash: boolean;
  user: string | undefined = undefined;
  readonly signal: AbortSignal;
  readonly #base: readonly string[];
  readonly #basePrefix: string;
  readonly #maxBodyBytes: number;
  #bodyTaken = false;

  /** Throws DavError 400/404 when the request target is unusable (see parseTarget). */
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    opts: DavRequestOptions,
  ) {
    this.method = (req.method ?? 'GET').toUpperCase();
    this.#base = opts.base;
    this.#basePrefix = opts.base.length === 0 ? '' : '/' + opts.base.map(encodeSegment).join('/');
    this.#maxBodyBytes = opts.maxBodyBytes;
    const target = parseTarget(req.url ?? '/', opts.base);
    this.path = target.path;
    this.trailingSlash = target.trailingSlash;
    const ac = new AbortController();
    this.signal = ac.signal;
    const abort = () => {
      if (!ac.signal.aborted) ac.abort(new Error('client went away'));
    };
    res.once('close', () => {
      if (!res.writableFinished) abort();
    });
    req.once('error', abort);
    req.once('close', () => {
      if (!req.complete) abort();
    });
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    if (v === undefined) return undefined;
    return Array.isArray(v) ? v.join(', ') : v;
  }

  href(path: string, isCollection: boolean): string {
    return hrefOf(this.#basePrefix, path, isCollection);
  }

  pathOfUri(uri: string): string {
    const trimmed = uri.trim();
    let pathPart: string;
    if (trimmed.startsWith('/')) {
      pathPart = trimmed;
    } else {
      const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/i.exec(trimmed);
      if (!m) throw new DavError(400, 'malformed URI');
      const theirs = hostPort(m[1]!);
      const ours = hostPort(this.header('host') ?? '');
      const samePort = theirs.port === undefined || ours.port === undefined || theirs.port === ours.port;
      if (theirs.host !== ours.host || !samePort) throw new DavError(502, 'destination is on another server');
      pathPart = m[2] === '' ? '/' : m[2]!;
    }
    if (pathPart.includes('#')) throw new DavError(400, 'fragment in URI');
    const segs = stripBase(decodePath(pathPart.replace(/\?.*$/s, '')), this.#base);
    if (segs === undefined) throw new DavError(403, 'destination outside the served base URL');
    return segs.join('/');
  }

  async body(): Promise<Buffer> {
    if (this.#bodyTaken) throw new Error('request body already consumed');
    this.#bodyTaken = true;
    const cap = this.#maxBodyBytes;
    const declared = this.req.headers['content-length'];
    if (declared !== undefined && Number(declared) > cap) throw new DavError(413, 'request body too large');
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > cap) throw new DavError(413, 'request body too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  bodyStream(): Readable {
    this.#bodyTaken = true;
    return this.req;
  }
}
