/**
 * The control port: rclone's rc protocol (POST /<call>, parameters by query or JSON body, JSON answers,
 * errors as `{error, input, status, path}`) for the calls of endpoints.ts, and GET /metrics (Prometheus).
 *
 * Loopback only: `listen` refuses any other address (rc access is shell-level access in rclone; here it can
 * flush caches, spend the account's API budget with a recursive refresh, and read statistics; it speaks plain
 * HTTP). No answer holds the API key: the calls see only the VFS counters, the core stats and the metrics page,
 * none of which carries it.
 *
 * Web pages: the browser guard (util/browser-guard.ts) answers only loopback and `allowHosts` names (421
 * otherwise: DNS rebinding) and refuses cross-site requests (403); no CORS header is ever sent; and a body must
 * be JSON (params.ts: 415 for form and text bodies). Optional Basic authentication (`auth`, rclone's
 * `--rc-user`/`--rc-pass`) covers every path, /metrics included; checked after the guard, so a refused page never
 * gets to guess passwords. Repeated failures are answered 429 while the throttle holds the address back.
 *
 * A request can never bring the process down: every failure becomes a JSON error answer (500 when unexpected),
 * bodies are capped (413), and malformed HTTP gets a bare 400 from `clientError`.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Metrics } from '../observe/metrics.ts';
import type { Clock } from '../util/clock.ts';
import { createBrowserGuard, guardRequest } from '../util/browser-guard.ts';
import { systemClock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { silentLogger } from '../util/log.ts';
import { isLoopback } from '../util/net.ts';
import type { Vfs } from '../vfs/types.ts';
import { RC_CALLS, type CoreStats, type RcContext, type VfsOptSummary } from './endpoints.ts';
import { RcError, readParams, type RcParams } from './params.ts';

export type { CoreStats } from './endpoints.ts';

export interface RcServerOptions {
  vfs: Pick<Vfs, 'refresh' | 'forget' | 'stats'>;
  metrics: Pick<Metrics, 'text' | 'contentType'>;
  /** Read on each core/stats call. */
  coreStats: () => CoreStats;
  logger?: Logger;
  /** Answered by core/version, e.g. '0.1.0'. */
  version: string;
  /** Times requests for the log. Default: the system clock. */
  clock?: Clock;
  /** rclone's `fs` string in vfs/stats. Default 'fichier:'. */
  fs?: string;
  /** VFS settings echoed by vfs/stats `opt`. Default none. */
  vfsOpt?: VfsOptSummary;
  /** Largest request body, bytes (413 beyond). Default 64 KiB. */
  maxBodyBytes?: number;
  /** Host names answered besides the loopback names (createRcServer throws ERR_BAD_HOST for a value that is not one). */
  allowHosts?: readonly string[];
  /** Basic authentication of every request; none when absent. */
  auth?: RcAuth;
}

/** Basic authentication of the control port (the caller builds it, e.g. from the WebDAV server's authenticator). */
export interface RcAuth {
  /** Resolves the user name for an Authorization header, or undefined (missing, malformed, wrong). Never rejects. */
  check(header: string | undefined): Promise<string | undefined>;
  /** Slows down repeated failures by address: while `delayFor` is above 0, requests get 429. */
  throttle?: { delayFor(addr: string): number; fail(addr: string): void; succeed(addr: string): void };
}

export interface RcServer {
  /**
   * Listens on host:port (port 0 = any) and resolves with the base URL (ending in '/') and the bound port.
   * Rejects with an Error (code 'ERR_RC_NOT_LOOPBACK') when `host` is not a loopback address, or on listen errors.
   */
  listen(host: string, port: number): Promise<{ url: string; port: number }>;
  /** Stops accepting and closes every connection; resolves when closed (at once when not listening). */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Builds the control server (not listening yet). */
export function createRcServer(opts: RcServerOptions): RcServer {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024;
  const ctx: RcContext = {
    vfs: opts.vfs,
    coreStats: opts.coreStats,
    version: opts.version,
    fs: opts.fs ?? 'fichier:',
    vfsOpt: opts.vfsOpt ?? {},
    onRefreshError: (dir, err) => logger.warn({ dir, err: err instanceof Error ? err.message : String(err) }, 'rc vfs/refresh failed'),
  };

  const guard = createBrowserGuard({ allowHosts: opts.allowHosts ?? [], loopbackBind: true, authenticated: opts.auth !== undefined });

  /** Throws RcError 401/429 unless the request carries the configured credentials (or none are configured). */
  const authenticate = async (req: IncomingMessage): Promise<void> => {
    const { auth } = opts;
    if (auth === undefined) return;
    const addr = req.socket.remoteAddress ?? '';
    const delay = auth.throttle?.delayFor(addr) ?? 0;
    if (delay > 0) throw new RcError(429, 'too many failed logins', { 'retry-after': String(Math.max(1, Math.ceil(delay / 1000))) });
    const header = req.headers.authorization;
    if ((await auth.check(header)) !== undefined) {
      auth.throttle?.succeed(addr);
      return;
    }
    if (header !== undefined) auth.throttle?.fail(addr);
    throw new RcError(401, 'authentication required', { 'www-authenticate': 'Basic realm="fichier-dav rc", charset="UTF-8"' });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://rc.invalid');
    const path = url.pathname.replace(/^\/+/, '');
    const verdict = guard.check(guardRequest(req));
    if (!verdict.ok) throw new RcError(verdict.status, verdict.reason);
    await authenticate(req);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === 'metrics') return sendMetrics(res, req.method, await opts.metrics.text(), opts.metrics.contentType);
      throw new RcError(405, `method ${req.method} not allowed: rc calls use POST`);
    }
    if (req.method !== 'POST') throw new RcError(405, `method ${req.method ?? ''} not allowed: rc calls use POST`);
    let params: RcParams = {};
    try {
      params = await readParams(req, url, maxBodyBytes);
      const call = RC_CALLS[path];
      if (!call) throw new RcError(404, `couldn't find method "${path}"`);
      sendJson(res, 200, await call(ctx, params));
    } catch (err) {
      sendError(res, path, params, err, logger);
    }
  };

  const server = http.createServer((req, res) => {
    const started = clock.now();
    res.once('close', () => logger.debug({ method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: clock.now() - started }, 'rc'));
    serve(req, res).catch((err: unknown) => {
      const path = (req.url ?? '/').split('?')[0]?.replace(/^\/+/, '') ?? '';
      sendError(res, path, {}, err, logger);
    });
  });
  server.on('clientError', (_err: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  return {
    listen(host, port) {
      if (!isLoopback(host)) {
        const err = Object.assign(new Error(`the rc control port is loopback-only: refusing to listen on ${host}; use 127.0.0.1 or ::1`), { code: 'ERR_RC_NOT_LOOPBACK' });
        return Promise.reject(err);
      }
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          const h = host.includes(':') ? `[${host.replace(/^\[|\]$/g, '')}]` : host;
          resolve({ url: `http://${h}:${bound}/`, port: bound });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body ?? {}, null, '\t') + '\n';
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...extra });
  res.end(text);
}

function sendMetrics(res: ServerResponse, method: string, text: string, contentType: string): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : text);
}

/** rclone's error answer; RcError keeps its status, anything else is a 500 (logged). */
function sendError(res: ServerResponse, path: string, input: RcParams, err: unknown, logger: Logger): void {
  const status = err instanceof RcError ? err.status : 500;
  if (status === 500) logger.warn({ path, err: err instanceof Error ? err.message : String(err) }, 'rc call failed');
  const message = err instanceof Error ? err.message : String(err);
  const extra: Record<string, string> = { ...(err instanceof RcError ? err.headers : {}), ...(status === 405 ? { allow: 'POST' } : status === 413 ? { connection: 'close' } : {}) };
  sendJson(res, status, { error: message, input, status, path }, extra);
}
