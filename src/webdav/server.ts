/**
 * The WebDAV server core, and the one place that says what webdav-server v2 (the framework this product is
 * built on) does for us and what we own.
 *
 * webdav-server does (kept):
 * - the method registry (`dav.method(VERB, ...)`, `onUnknownMethod`);
 * - the request context (HTTPRequestContext) and its path check (`..` above the root is refused with 403);
 * - the `beforeRequest` hook, where we authenticate, and `exit`/`afterRequest`, which end a request.
 * Dispatch is ours (`execute`, the library's `executeRequest` without its `HTTPRequestContext.create`): that one
 * sends `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` on every answer, which lets
 * any web page read the drive. Ours sends the same defaults without them (`DAV: 1,2`, `MS-Author-Via: DAV`,
 * `Server`, `Allow` with every registered verb); CORS headers come only from the browser guard, for listed origins.
 *
 * Before anything else each request passes the browser guard (util/browser-guard.ts: Host check against DNS
 * rebinding, cross-site requests refused, CORS for `--allow-origin` origins only): a refusal is answered 421/403
 * with its reason, before authentication and before the path is looked at.
 *
 * We own, and why:
 * - every method handler (handlers/<method>.ts, written against the VFS, registered here as `chunked` so the
 *   library never buffers a body). The library's own handlers do not fit a remote drive: its GET/HEAD read
 *   the whole object to serve a range, its If-header evaluation can crash the process, PROPPATCH answers
 *   twice, property values are mangled, the Overwrite and Depth defaults are wrong, dates depend on the time
 *   zone, LOCK answers are off-spec and locks belong to users rather than tokens, PROPFIND costs about ten
 *   backend calls per entry, and MOVE downloads and uploads again;
 * - authentication (auth.ts): the library's Basic parser refuses `+`, `/` and `:` in credentials, and it
 *   challenges on every answer, OPTIONS included. Our `httpAuthentication` stub makes the library authenticate
 *   nobody and challenge nobody; `WWW-Authenticate` is sent only on our 401. Repeated failures from one
 *   address delay its next attempts, one attempt at a time: while one waits, the address's other requests get
 *   429 with Retry-After, unchecked. OPTIONS is answered without authentication (a choice): Finder and
 *   browsers' CORS preflight send it without credentials, and it reveals only the DAV class and a method list,
 *   never whether a path exists (handlers/options.ts);
 * - request-target decoding (request.ts): the library's `decodeURIComponent` throws on a malformed escape and it
 *   silently resolves `..`; we validate the target before handing the request to the library, so the library
 *   only ever sees targets it can parse;
 * - the If header, locks, the body cap and every error status (write-guard.ts, if-header.ts, locks.ts, errors.ts),
 *   and read-only mode (read-only.ts);
 * - hrefs: `respondWithPaths: true` and our own href() everywhere;
 * - a front end (context.ts DavFrontEnd, the web UI): after authentication it is asked first about every
 *   request, and answers the reserved URLs it owns itself, whatever the method.
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
import { guardRequest, type BrowserGuard } from '../util/browser-guard.ts';
import { isLoopback } from '../util/net.ts';

const { v2 } = webdav;
type HTTPRequestContext = webdav.v2.HTTPRequestContext;
type HTTPMethod = webdav.v2.HTTPMethod;

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
  /** The browser guard in force (it depends on the address the server listens on, known only then). */
  guard: () => BrowserGuard;
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


/** The library's HTTPRequestContext, built directly (its constructor is protected) so no default header is set. */
class DavHttpContext extends v2.HTTPRequestContext {
  constructor(server: webdav.v2.WebDAVServer, req: IncomingMessage, res: ServerResponse) {
    super(server, req, res, () => undefined);
  }
}

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
      // The front end's reserved URLs (the web UI's assets and JSON endpoints) are its own, whatever the method.
      const routed = shared.frontEnd?.route(r);
      p = routed ? routed(shared, r) : handler(shared, r);
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
  const unknownMethod: HTTPMethod = { chunked: (ctx, _body, done) => run(unknown, ctx, done) };
  const libraryAllow = Object.keys(table)
    .map((v) => v.toUpperCase())
    .join(',');

  /**
   * The library's dispatch (its `executeRequest`) with our context creation: default headers without CORS, the
   * path check the library makes (it refuses `..` above the root with 403), then beforeRequest, the method, and
   * afterRequest once the method calls `exit`.
   */
  const execute = (req: IncomingMessage, res: ServerResponse): void => {
    const method = table[(req.method ?? '').toLowerCase()] ?? unknownMethod;
    res.setHeader('DAV', '1,2');
    res.setHeader('MS-Author-Via', 'DAV');
    res.setHeader('Server', 'fichier-dav/1');
    res.setHeader('Allow', libraryAllow);
    const ctx = new DavHttpContext(dav, req, res);
    const unresolvable = ctx.requested.path.resolve();
    if (unresolvable) {
      ctx.setCodeFromError(unresolvable);
      res.end();
      return;
    }
    ctx.exit = () => {
      res.end();
      dav.invokeAfterRequest(ctx, null);
    };
    dav.invokeBeforeRequest(ctx, () => method.chunked?.(ctx, req, ctx.exit));
  };

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
    const verdict = opts.guard().check(guardRequest(req));
    for (const [k, v] of Object.entries(verdict.headers)) res.setHeader(k, v);
    if (!verdict.ok) {
      sendError({ method, req, res }, new DavError(verdict.status, verdict.reason), logger);
      return;
    }
    try {
      r = new DavRequestImpl(req, res, { base, maxBodyBytes: shared.opts.maxBodyBytes });
    } catch (err) {
      sendError({ method, req, res }, err, logger);
      return;
    }
    requests.set(req, r);
    try {
      execute(req, res);
    } catch (err) {
      sendError(r, err, logger);
    }
  };

  return { handle, methods: verbs };
}
