/**
 * The contract between the WebDAV server core (server.ts) and the method handlers (handlers/<method>.ts,
 * one file per method). webdav-server v2 is the framework (method registry, request context, hooks); every
 * handler is ours, written against the VFS, because the library's are defective (see server.ts for which
 * parts are the library's and why).
 *
 * A handler receives the shared server state and one request, writes the whole response itself, and
 * throws DavError / FsError / XmlError / IfHeaderError for failures: the core turns those into statuses in
 * one table (errors.ts). A handler never lets an exception escape unhandled into the framework.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { Vfs, VfsEntry } from '../vfs/types.ts';
import type { LockManager } from './locks.ts';

export interface DavOptions {
  /** URL prefix the drive is served under, '' or '/dav' (no trailing slash). */
  baseUrl: string;
  /** The server refuses every write (read-only.ts does that); handlers only read it to leave write methods out of Allow. */
  readOnly: boolean;
  /** Largest request body of a non-PUT method, bytes (413 beyond). */
  maxBodyBytes: number;
  /** Realm of the Basic challenge. */
  realm: string;
}

/** State shared by every request of one server. */
export interface DavShared {
  vfs: Vfs;
  locks: LockManager;
  logger: Logger;
  clock: Clock;
  opts: DavOptions;
  /** A front end served beside the WebDAV methods (the web UI), if any. */
  frontEnd?: DavFrontEnd;
}

/**
 * Pages and endpoints for browsers, served by the same server with the same authentication. The core asks
 * `route` about every authenticated request before its method handler runs; the GET handler asks
 * `collectionPage` before answering a collection with the plain HTML listing.
 */
export interface DavFrontEnd {
  /** The handler for a request the front end owns (its reserved URLs), or undefined to let WebDAV answer it. */
  route(r: DavRequest): Handler | undefined;
  /**
   * Answers a GET/HEAD of collection `dir` itself and resolves true when it wants to (a browser asking for HTML),
   * or resolves false (nothing sent) to let the plain listing answer. Rejects like a handler.
   */
  collectionPage(s: DavShared, r: DavRequest, dir: VfsEntry, withBody: boolean): Promise<boolean>;
}

export interface DavRequest {
  readonly method: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** VFS path of the request URI: percent-decoded, base URL stripped, normalised ('' = root). */
  readonly path: string;
  /** True when the request URI ended with '/'. */
  readonly trailingSlash: boolean;
  /** Authenticated user name, undefined when anonymous. */
  readonly user: string | undefined;
  /** A request header (lower-case name), joined with ', ' when repeated. */
  header(name: string): string | undefined;
  /** The href of a VFS path: base URL + percent-encoded segments (+ '/' for collections). */
  href(path: string, isCollection: boolean): string;
  /**
   * Resolve a Destination (or If tagged-list) URI to a VFS path: absolute URI on this host or absolute path,
   * under the base URL. Throws DavError 502 (another host) or 400/403 (outside the base URL, malformed).
   */
  pathOfUri(uri: string): string;
  /** The whole body of a non-PUT request, capped at maxBodyBytes (DavError 413 beyond). */
  body(): Promise<Buffer>;
  /** The raw body stream (PUT). */
  bodyStream(): Readable;
  /** An AbortSignal that fires when the client goes away. */
  readonly signal: AbortSignal;
}

export type Handler = (s: DavShared, r: DavRequest) => Promise<void>;

/**
 * An HTTP-level failure decided by a handler. `condition` is an RFC 4918 precondition/postcondition
 * element name in DAV: (e.g. 'propfind-finite-depth', 'lock-token-submitted') sent as a <D:error> body.
 */
export class DavError extends Error {
  readonly status: number;
  readonly condition: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, opts: { condition?: string; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'DavError';
    this.status = status;
    this.condition = opts.condition;
    this.headers = opts.headers ?? {};
  }
}
