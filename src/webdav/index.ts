/**
 * createDavServer: the WebDAV server over a Vfs, on our own http(s).Server (see server.ts for the split between
 * webdav-server and our code).
 *
 * Node settings: `requestTimeout` 0 (multi-hour uploads are not cut), `headersTimeout` 60 s, `keepAliveTimeout`
 * 75 s, default `maxHeaderSize` (16 KiB; larger headers get 431). A request Node cannot parse gets 400 and the
 * connection is closed.
 *
 * Access: with users (`users` and/or `htpasswd`) every method but OPTIONS needs Basic credentials (OPTIONS stays
 * open for CORS preflights and Finder/Office capability probes; it reveals only the Allow list). Without users the
 * server is anonymous, which `listen` refuses on a non-loopback host unless `allowAnonymous` is set.
 *
 * Browsers: every request first passes the browser guard (src/util/browser-guard.ts), built when `listen` knows
 * the address: Host names (`allowHosts`), cross-site requests, CORS for `allowOrigins` only.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock } from '../util/clock.ts';
import type { Clock } from '../util/clock.ts';
import { createBrowserGuard, type BrowserGuard } from '../util/browser-guard.ts';
import { silentLogger } from '../util/log.ts';
import { isLoopback } from '../util/net.ts';
import type { Logger } from '../util/log.ts';
import { readOnlyVfs } from '../vfs/read-only.ts';
import type { Vfs } from '../vfs/types.ts';
import { createAuthenticator, createFailureThrottle } from './auth.ts';
import type { Credentials } from './auth.ts';
import type { DavFrontEnd, DavShared, Handler } from './context.ts';
import { handleCopy } from './handlers/copy.ts';
import { handleDelete } from './handlers/delete.ts';
import { handleGet, handleHead } from './handlers/get.ts';
import { handleLock } from './handlers/lock.ts';
import { handleMkcol } from './handlers/mkcol.ts';
import { handleMove } from './handlers/move.ts';
import { handleOptions } from './handlers/options.ts';
import { handlePropfind } from './handlers/propfind.ts';
import { handleProppatch } from './handlers/proppatch.ts';
import { handlePut } from './handlers/put.ts';
import { handleUnlock } from './handlers/unlock.ts';
import type { HtpasswdFile } from './htpasswd.ts';
import { createLockManager } from './locks.ts';
import { refuseWrites } from './read-only.ts';
import { encodeSegment, baseSegments } from './request.ts';
import { createDavCore } from './server.ts';
import type { RequestObserver } from './server.ts';

/** Every method the server implements, by verb. */
export const DEFAULT_HANDLERS: Readonly<Record<string, Handler>> = {
  OPTIONS: handleOptions,
  GET: handleGet,
  HEAD: handleHead,
  PUT: handlePut,
  DELETE: handleDelete,
  MKCOL: handleMkcol,
  PROPFIND: handlePropfind,
  PROPPATCH: handleProppatch,
  COPY: handleCopy,
  MOVE: handleMove,
  LOCK: handleLock,
  UNLOCK: handleUnlock,
};

export interface DavServerOptions {
  vfs: Vfs;
  logger?: Logger;
  clock?: Clock;
  /** URL prefix, e.g. '/dav'; default '' (served at the root). */
  baseUrl?: string;
  /** Refuse every write with 403 (read-only.ts). Default false. */
  readOnly?: boolean;
  users?: Credentials[];
  htpasswd?: HtpasswdFile;
  /** Allow anonymous access on a non-loopback address (no users configured). */
  allowAnonymous?: boolean;
  /** PEM certificate chain and key: serve HTTPS. */
  tls?: { cert: string; key: string };
  /** Cap of non-PUT request bodies, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Realm of the Basic challenge. Default 'fichier-dav'. */
  realm?: string;
  /** Replace or add handlers by verb (tests). */
  handlers?: Readonly<Record<string, Handler>>;
  /** Told of every finished request (e.g. src/observe/metrics.ts `Metrics`). */
  metrics?: RequestObserver;
  /** Web origins (`http://localhost:3000`) whose pages may use the drive: CORS with credentials, writes allowed. */
  allowOrigins?: readonly string[];
  /** Host names answered besides loopback names (and IP literals off loopback), e.g. a reverse proxy's. */
  allowHosts?: readonly string[];
  /** Pages and endpoints for browsers beside the WebDAV methods (src/webui). */
  frontEnd?: DavFrontEnd;
}

/** The request headers a WebDAV web client sends, for the CORS preflight answer. */
export const CORS_REQUEST_HEADERS: readonly string[] = [
  'Authorization', 'Content-Type', 'Depth', 'Destination', 'Overwrite', 'If', 'Lock-Token', 'Timeout', 'Range',
  'If-Match', 'If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since', 'If-Range', 'X-OC-Mtime', 'OC-Checksum',
  'X-Requested-With',
];

/** The response headers a WebDAV web client reads, beyond those CORS always exposes. */
export const CORS_EXPOSE_HEADERS: readonly string[] = [
  'DAV', 'ETag', 'Allow', 'Accept-Ranges', 'Content-Range', 'Content-Length', 'Content-Disposition', 'Lock-Token',
  'Location', 'Retry-After', 'WWW-Authenticate', 'X-OC-Mtime', 'OC-ETag',
];

export interface DavServer {
  server: http.Server | https.Server;
  /** The shared state (VFS, locks, options) the handlers see. */
  shared: DavShared;
  /**
   * Listen on host:port (port 0 = any) and resolve with the base URL (ending in '/') and the bound port. Rejects
   * when anonymous access would be exposed on a non-loopback host without `allowAnonymous`, or on listen errors.
   */
  listen(host: string, port: number): Promise<{ url: string; port: number }>;
  /** Stop accepting, end idle connections, destroy the rest after a short grace; resolves when closed. */
  close(): Promise<void>;
}

/**
 * Builds the server (not listening yet). Throws when `baseUrl` is malformed, and an Error with code
 * 'ERR_BAD_ORIGIN' / 'ERR_BAD_HOST' when an `allowOrigins` / `allowHosts` value is not an origin / a host name.
 */
export function createDavServer(opts: DavServerOptions): DavServer {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const base = baseSegments(opts.baseUrl ?? '');
  const baseUrl = base.length === 0 ? '' : '/' + base.map(encodeSegment).join('/');
  const hasUsers = (opts.users?.length ?? 0) > 0 || opts.htpasswd !== undefined;
  const readOnly = opts.readOnly ?? false;
  const handlers = { ...DEFAULT_HANDLERS, ...opts.handlers };
  const shared: DavShared = {
    vfs: readOnly ? readOnlyVfs(opts.vfs) : opts.vfs,
    locks: createLockManager({ clock }),
    logger,
    clock,
    opts: {
      baseUrl,
      readOnly,
      maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
      realm: opts.realm ?? 'fichier-dav',
    },
    ...(opts.frontEnd ? { frontEnd: opts.frontEnd } : {}),
  };
  const guardFor = (loopbackBind: boolean): BrowserGuard =>
    createBrowserGuard({
      allowOrigins: opts.allowOrigins ?? [],
      allowHosts: opts.allowHosts ?? [],
      loopbackBind,
      authenticated: hasUsers,
      cors: { methods: Object.keys(handlers).map((v) => v.toUpperCase()), requestHeaders: CORS_REQUEST_HEADERS, exposeHeaders: CORS_EXPOSE_HEADERS },
    });
  // Until `listen` says otherwise, the strictest guard (a loopback server's) applies.
  let guard = guardFor(true);
  const core = createDavCore({
    shared,
    handlers: readOnly ? refuseWrites(handlers) : handlers,
    guard: () => guard,
    authenticator: hasUsers ? createAuthenticator({ users: opts.users, htpasswd: opts.htpasswd }) : undefined,
    throttle: createFailureThrottle({ clock }),
    allowAnonymous: opts.allowAnonymous ?? false,
    ...(opts.metrics ? { observer: opts.metrics } : {}),
  });
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, core.handle) : http.createServer(core.handle);
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 75_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    logger.debug({ code: err.code }, 'client error');
    if (!socket.writable || socket.destroyed) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  return {
    server,
    shared,
    listen(host, port) {
      if (!hasUsers && !(opts.allowAnonymous ?? false) && !isLoopback(host)) {
        return Promise.reject(new Error(`refusing anonymous access on non-loopback address ${host}: configure users or allow anonymous access`));
      }
      guard = guardFor(isLoopback(host));
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          const h = host.includes(':') ? `[${host}]` : host;
          resolve({ url: `${opts.tls ? 'https' : 'http'}://${h}:${bound}${baseUrl}/`, port: bound });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeIdleConnections();
        const t = setTimeout(() => server.closeAllConnections(), 2000);
        t.unref();
      });
    },
  };
}

export type { RequestObserver } from './server.ts';
export { loadHtpasswd } from './htpasswd.ts';
export { createAuthenticator, createFailureThrottle } from './auth.ts';
