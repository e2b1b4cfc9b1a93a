/**
 * The WebDAV server core: webdav-server v2 as the framework, every method handler ours.
 *
 * The library's parts (kept):
 * - the method registry (`dav.method(VERB, ...)`, `onUnknownMethod`) and dispatch (`dav.executeRequest`);
 * - the request context (HTTPRequestContext: default headers `DAV: 1,2`, `MS-Author-Via: DAV`, the CORS headers,
 *   `Server`, and `Allow` listing every registered method);
 * - the `beforeRequest` hook, where we authenticate, and `exit`/`afterRequest` to end a request.
 *
 * Ours (and why, numbers from webdav-clients.md §2):
 * - every handler (handlers/*.ts, registered here as `chunked` so the library never pre-buffers a body, B11): the
 *   library's GET/HEAD read whole objects for a range (B1), its If evaluation crashes the process (B2/B3),
 *   PROPPATCH finalises twice (B4), properties are mangled (B5), Overwrite/Depth defaults are wrong (B6/B7),
 *   dates depend on TZ (B8), LOCK replies are off-spec and locks are per user (B9), PROPFIND costs ~10 backend
 *   calls per entry (B10), MOVE downloads and re-uploads (B15);
 * - authentication (B12: its Basic parser rejects `+`, `/` and `:`; B13: it challenges on every response and on
 *   OPTIONS). Our `httpAuthentication` stub makes the library authenticate nobody and send no challenge;
 *   `WWW-Authenticate` is sent only on our 401. Repeated failures from one address delay its next attempts
 *   (auth.ts FailureThrottle), one attempt at a time: while one waits, the address's other requests get 429 with
 *   Retry-After, unchecked. OPTIONS is answered without authentication (a choice): Finder
 *   and browsers' CORS preflight send it without credentials, and it reveals only the DAV class and a method
 *   list, never whether a path exists (handlers/options.ts);
 * - request-target decoding (request.ts): the library's `decodeURIComponent` throws on a malformed escape and it
 *   silently resolves `..`; we validate the target before handing the request to the library, so the library only
 *   ever sees targets it can parse;
 * - the If header, locks, read-only mode, the body cap and every error status (write-guard.ts, locks.ts,
 *   errors.ts);
 * - hrefs: `respondWithPaths: true` (B14) and our own href() everywhere.
 * The library's method map is replaced by a prototype-less object holding only our verbs (its POST handler is
 * dropped, and a verb such as `constructor` cannot resolve to an Object.prototype member). The `Allow` computation
 * calls `type()` on the library's in-memory root file system, which never touches the VFS and cannot fail (an
 * error just leaves the type undefined).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import webdav from 'webdav-server';
import { throttleKey } from './auth.ts';
import type { Authenticator, FailureThrottle } from './auth.ts';
import { DavError } from './context.ts';
import type { DavShared, Handler } from './context.ts';
import { sendError } from './errors.ts';
import { DavRequestImpl, baseSegments } from './request.ts';
import { isLoopback } from '../util/net.ts';

const { v2 } = webdav;
type HTTPRequestContext = webdav.v2.HTTPRequestContext;
type HTTPMethod = webdav.v2.HTTPMethod;

/** Methods refused in read-only mode. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['PUT', 'MKCOL', 'DELETE', 'PROPPATCH', 'LOCK', 'UNLOCK', 'COPY', 'MOVE']);

export interface DavCoreOptions {
  shared: DavShared;
  /** Handlers by upper-case verb. */
  handlers: Readonly<Record<string, Handler>>;
  /** Set when users are configured: every method but OPTIONS needs Basic credentials. */
  authenticator: Authenticator | undefined;
  throttle: FailureThrottle;
  /** Anonymous access on any address (else only on loopback sockets). */
  allowAnonymous: boolean;
  /** Told of every request when it ends (answered, failed or abandoned by the client). */
  observer?: RequestObserver;
}

/** A sink for per-request counts (metrics). */
export interface RequestObserver {
  /** One request ended: its method, status, body bytes sent and duration in ms. Must not throw (a throw is logged). */
  httpRequest(method: string, status: number, bytesOut: number, ms: number): void;
}

export interface DavCore {
  /** The http(s).Server request listener. Never throws. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The registered verbs, upper case, for Allow. */
  readonly methods: readonly string[];
}

export { isLoopback };

/** Wraps `res.write`/`res.end` to count body bytes sent. */
function countBytes(res: ServerResponse): () => number {
  let bytes = 0;
  const add = (chunk: unknown, encoding?: unknown) => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) bytes += chunk.length;
  };
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  (res as { write: unknown }).write = (...a: unknown[]) => {
    add(a[0], a[1]);
    return write(...a);
  };
  (res as { end: unknown }).end = (...a: unknown[]) => {
    if (typeof a[0] !== 'function') add(a[0], a[1]);
    return end(...a);
  };
  return () => bytes;
}

/** Builds the core over one webdav-server instance. */
export function createDavCore(opts: DavCoreOptions): DavCore {
  const { shared, authenticator, throttle } = opts;
  const { logger, clock } = shared;
  const base = baseSegments(shared.opts.baseUrl);
  const requests = new WeakMap<IncomingMessage, DavRequestImpl>();
  const verbs = Object.keys(opts.handlers).map((v) => v.toUpperCase());
  const allow = verbs.join(', ');

  const anonymousUser = { uid: 'anonymous', username: 'anonymous', isAdministrator: true, isDefaultUser: false };
  const dav = new v2.WebDAVServer({
    respondWithPaths: true,
    requireAuthentification: false,
    enableLocationTag: false,
    serverName: 'fichier-dav',
    version: '1',
    httpAuthentication: {
      askForAuthentication: () => ({}),
      getUser: (_ctx, cb) => cb(null as unknown as Error, anonymousUser),
    },
  });

  /** Runs `handler` for the request behind `ctx`, then lets the library finish it. */
  const run = (handler: Handler, ctx: HTTPRequestContext, done: () => void): void => {
    const r = requests.get(ctx.request);
    if (!r) {
      ctx.response.statusCode = 500;
      done();
      return;
    }
    const finish = () => {
      if (r.res.destroyed && !r.res.writableFinished) return;
      if (r.res.writableEnded || !r.res.headersSent) {
        if (!r.res.writableEnded) logger.warn({ method: r.method, path: r.path }, 'handler resolved without answering');
        done();
      } else {
        r.res.once('finish', done);
      }
    };
    let p: Promise<void>;
    try {
      const routed = shared.frontEnd?.route(r);
      if (routed) p = routed(shared, r);
      else if (shared.opts.readOnly && WRITE_METHODS.has(r.method)) throw new DavError(403, 'read-only server');
      else p = handler(shared, r);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(finish, (err: unknown) => {
      sendError(r, err, logger);
      finish();
    });
  };

  const table: Record<string, HTTPMethod> = Object.create(null) as Record<string, HTTPMethod>;
  for (const [verb, handler] of Object.entries(opts.handlers)) {
    table[verb.toLowerCase()] = { chunked: (ctx, _body, done) => run(handler, ctx, done) };
  }
  dav.methods = table;
  const unknown: Handler = () => Promise.reject(new DavError(405, 'method not allowed', { headers: { Allow: allow } }));
  dav.onUnknownMethod({ chunked: (ctx, _body, done) => run(unknown, ctx, done) });

  /**
   * Throttle keys (auth.ts throttleKey) with a delayed login attempt in progress. A penalised address gets one
   * attempt at a time: the others are refused at once with 429 and Retry-After, unchecked, so parallel
   * connections cannot multiply the guessing rate and do not pile up waiting.
   */
  const penalised = new Set<string>();

  /** Resolves true when the request may proceed; otherwise it has been answered (401/403/429). */
  const authenticate = async (r: DavRequestImpl): Promise<boolean> => {
    if (r.method === 'OPTIONS') return true;
    const addr = r.req.socket.remoteAddress ?? '';
    if (!authenticator) {
      if (opts.allowAnonymous || isLoopback(r.req.socket.localAddress)) return true;
      throw new DavError(403, 'anonymous access is only allowed on loopback');
    }
    const delay = throttle.delayFor(addr);
    if (delay === 0) return check(r, authenticator, addr);
    const key = throttleKey(addr);
    if (penalised.has(key)) {
      throw new DavError(429, 'too many failed logins', { headers: { 'Retry-After': String(Math.max(1, Math.ceil(delay / 1000))) } });
    }
    penalised.add(key);
    try {
      await clock.sleep(delay, r.signal);
      return await check(r, authenticator, addr);
    } finally {
      penalised.delete(key);
    }
  };

  /** Checks the request's credentials and records the outcome; resolves true or throws DavError 401. */
  const check = async (r: DavRequestImpl, authenticator: Authenticator, addr: string): Promise<boolean> => {
    const header = r.header('authorization');
    const user = header === undefined ? undefined : await authenticator.check(header);
    if (user !== undefined) {
      throttle.succeed(addr);
      r.user = user;
      return true;
    }
    if (header !== undefined) throttle.fail(addr);
    throw new DavError(401, 'authentication required', {
      headers: { 'WWW-Authenticate': `Basic realm="${shared.opts.realm.replace(/["\\]/g, '')}", charset="UTF-8"` },
    });
  };

  dav.beforeRequest((ctx, next) => {
    const r = requests.get(ctx.request);
    if (!r) {
      sendError({ method: ctx.request.method ?? 'GET', req: ctx.request, res: ctx.response }, new Error('request not prepared'), logger);
      return;
    }
    authenticate(r).then(
      (ok) => {
        if (ok) next();
      },
      (err: unknown) => sendError(r, err, logger),
    );
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = clock.now();
    const bytes = countBytes(res);
    let r: DavRequestImpl | undefined;
    res.once('close', () => {
      const ms = clock.now() - started;
      logger.info(
        {
          method: req.method,
          path: r ? '/' + r.path : req.url,
          status: res.statusCode,
          ms,
          bytes: bytes(),
          user: r?.user,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'access',
      );
      try {
        opts.observer?.httpRequest(req.method ?? '', res.statusCode, bytes(), ms);
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'request observer failed');
      }
    });
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      r = new DavRequestImpl(req, res, { base, maxBodyBytes: shared.opts.maxBodyBytes });
    } catch (err) {
      sendError({ method, req, res }, err, logger);
      return;
    }
    requests.set(req, r);
    try {
      dav.executeRequest(req, res);
    } catch (err) {
      sendError(r, err, logger);
    }
  };

  return { handle, methods: verbs };
}
