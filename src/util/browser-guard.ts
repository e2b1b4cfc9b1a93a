/**
 * The browser guard: what keeps a web page the user happens to visit from using a server that listens on this
 * machine (the WebDAV server and the control port share it). "Loopback only" stops other machines, not the browser
 * running next to the server, which reaches 127.0.0.1 on behalf of any site. Three holes are closed:
 *
 * - Cross-origin reading (CORS): no `Access-Control-*` header is ever sent unless the request's Origin was listed
 *   (`allowOrigins`); then the origin is echoed with credentials allowed, never `*`.
 * - DNS rebinding: a site that re-points its own name at 127.0.0.1 talks to the server as same-origin. Its requests
 *   carry its own name in Host, so the Host must be a loopback name, an `allowHosts` name, or (on a non-loopback
 *   address) an IP literal; anything else gets 421 and no data. An IP literal cannot be rebound: a page at
 *   http://192.168.1.5:8080/ IS that server's origin. With users configured on a non-loopback address every Host is
 *   answered unless `allowHosts` is set (a rebinding page does not have the credentials, and the server may sit
 *   behind names we do not know); an anonymous non-loopback server keeps the strict check, since rebinding would
 *   hand it to every web site its LAN users visit.
 * - Cross-site requests: modelled on the browsers' Fetch Metadata "resource isolation policy". A request whose
 *   `Origin` is neither this server's own origin nor listed, or whose `Sec-Fetch-Site` is `cross-site` or
 *   `same-site` (another port on 127.0.0.1 is same-site, not same-origin), is refused with 403, reads included,
 *   except a top-level GET navigation (a link to the drive clicked on another site). That refuses cross-site
 *   writes (PUT, DELETE, MKCOL, COPY, MOVE, PROPPATCH, LOCK, UNLOCK, POST) and also `<img>`/`<video>`/`<script>`
 *   embedding of the drive's files and framing of its pages. A listed origin passes whatever it asks (CORS mode:
 *   `<video crossorigin>` sends the Origin). Requests with neither header (Finder, Explorer, davfs2, rclone,
 *   litmus, curl) are unaffected, as are same-origin requests (a web UI served by the same server).
 *
 * "This server's own origin" is the Host the client reached (already checked) compared with the Origin's
 * host and port; the scheme is not compared, so a TLS-terminating proxy that keeps the Host still counts as same
 * origin (nothing else can answer on the same host and port).
 *
 * Pure policy: no HTTP framework, no I/O. The caller hands in the method, the raw request target and the headers,
 * adds the headers of an accepted verdict to its answer, and answers a refusal with its status and reason.
 */
import { isIP } from 'node:net';
import { isLoopback } from './net.ts';

export interface BrowserGuardOptions {
  /** Origins allowed to use the server from a page, with credentials (any case; canonicalised by normalizeOrigin). */
  allowOrigins?: readonly string[];
  /** Host names answered besides loopback names (and IP literals off loopback); canonicalised by normalizeHostName. */
  allowHosts?: readonly string[];
  /** The server listens on a loopback address. */
  loopbackBind: boolean;
  /** Users are configured: every request but OPTIONS needs credentials. */
  authenticated: boolean;
  /** CORS preflight answer: the methods and request headers an allowed origin may use, and the headers it may read. */
  cors?: { methods: readonly string[]; requestHeaders: readonly string[]; exposeHeaders: readonly string[] };
}

/** What the guard needs of a request. */
export interface GuardRequest {
  /** Upper-case method. */
  method: string;
  /** The raw request target (origin-form or absolute-form). */
  target: string;
  /** A request header by lower-case name; undefined when absent. */
  header(name: string): string | undefined;
}

/** The shape of a Node IncomingMessage the guard reads (kept structural: this module knows no HTTP framework). */
export interface IncomingLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** The GuardRequest of an incoming request; a repeated header is joined with ', '. */
export function guardRequest(req: IncomingLike): GuardRequest {
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    target: req.url ?? '/',
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

export type GuardVerdict =
  /** Serve the request, adding `headers` (CORS headers and Vary; empty when none apply). */
  | { ok: true; headers: Record<string, string> }
  /** Answer `status` with `reason` (plain text) and nothing else. */
  | { ok: false; status: 403 | 421; reason: string; headers: Record<string, string> };

export interface BrowserGuard {
  /** The verdict on one request. Never throws. */
  check(req: GuardRequest): GuardVerdict;
}

/**
 * The canonical form of a web origin (`http://localhost:3000`, lower case, default port dropped), or undefined when
 * `text` is not an http(s) origin: a path, query, user info, `*` or `null` make it invalid.
 */
export function normalizeOrigin(text: string): string | undefined {
  const t = text.trim();
  if (!/^https?:\/\/[^/?#@\s]+\/?$/i.test(t)) return undefined;
  try {
    const u = new URL(t);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/**
 * The canonical form of a host name without port (lower case; IPv6 in brackets), or undefined when `text` is not a
 * DNS name, an IPv4 address or an IPv6 address.
 */
export function normalizeHostName(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  const inner = t.replace(/^\[(.*)\]$/, '$1');
  if (isIP(inner) === 6) return `[${inner}]`;
  if (inner !== t) return undefined;
  if (isIP(t) === 4 || DNS_NAME.test(t)) return t;
  return undefined;
}

/** Splits a Host value (`name`, `name:port`, `[v6]:port`) into a normalised name and port; undefined if malformed. */
function parseHost(value: string): { name: string; port: string | undefined } | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  const name = normalizeHostName(m[1]!);
  if (name === undefined) return undefined;
  return { name, port: m[2] === undefined ? undefined : String(Number(m[2])) };
}

/** True when `origin` (canonical) is the server as the client reached it through `host`. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const o = parseHost(origin.replace(/^https?:\/\//, ''));
  const h = parseHost(host);
  if (o === undefined || h === undefined) return false;
  const defaultPort = origin.startsWith('https:') ? '443' : '80';
  return o.name === h.name && (o.port ?? defaultPort) === (h.port ?? defaultPort);
}

/**
 * True when the browser says `req` comes from a page of another origin: an `Origin` that is not this server's own
 * origin (see the module doc), or `Sec-Fetch-Site` other than `same-origin` or `none`. False when neither header
 * says so, which is every non-browser client. The guard refuses such a request unless its origin is listed; a
 * front end that must serve its own page only (the web UI's JSON API) refuses it even then.
 */
export function isCrossOrigin(req: GuardRequest): boolean {
  const originHeader = req.header('origin');
  const site = req.header('sec-fetch-site');
  if (originHeader !== undefined) {
    const origin = normalizeOrigin(originHeader);
    if (origin === undefined || !isOwnOrigin(origin, req.header('host'))) return true;
  }
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** At most 100 printable ASCII characters of an untrusted value, for a refusal's reason. */
function shown(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}

const NAVIGATION_DESTS = new Set(['document', undefined]);

/** `values` in canonical form; throws an Error with `code` naming the first one `normalize` refuses. */
function canonical(values: readonly string[], normalize: (v: string) => string | undefined, code: string, what: string): Set<string> {
  return new Set(
    values.map((v) => {
      const n = normalize(v);
      if (n === undefined) throw Object.assign(new Error(`not ${what}: ${shown(v)}`), { code });
      return n;
    }),
  );
}

/**
 * Builds a guard for one listening server. Throws an Error with code 'ERR_BAD_ORIGIN' or 'ERR_BAD_HOST' when an
 * `allowOrigins` or `allowHosts` value is not an origin or a host name (see normalizeOrigin, normalizeHostName).
 */
export function createBrowserGuard(opts: BrowserGuardOptions): BrowserGuard {
  const origins = canonical(opts.allowOrigins ?? [], normalizeOrigin, 'ERR_BAD_ORIGIN', 'a web origin (scheme://host[:port])');
  const hosts = canonical(opts.allowHosts ?? [], normalizeHostName, 'ERR_BAD_HOST', 'a host name without port');
  const anyHost = !opts.loopbackBind && opts.authenticated && hosts.size === 0;
  const vary: Record<string, string> = origins.size > 0 ? { Vary: 'Origin' } : {};
  const cors = opts.cors ?? { methods: [], requestHeaders: [], exposeHeaders: [] };

  const refuse = (status: 403 | 421, reason: string): GuardVerdict => ({ ok: false, status, reason, headers: { ...vary } });

  const hostAllowed = (name: string): boolean =>
    anyHost || isLoopback(name) || hosts.has(name) || (!opts.loopbackBind && isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0);

  /** The refusal for the authority `value` (Host header or absolute-form target), or undefined when it is served. */
  const checkAuthority = (value: string): GuardVerdict | undefined => {
    const host = parseHost(value);
    if (host !== undefined && hostAllowed(host.name)) return undefined;
    const name = host?.name ?? shown(value);
    return refuse(
      421,
      `misdirected request: this server does not answer the host name "${name}" (protection against DNS rebinding); ` +
        'use 127.0.0.1 or localhost, or start the server with --allow-host for that name',
    );
  };

  const corsHeaders = (origin: string, req: GuardRequest): Record<string, string> => {
    const headers: Record<string, string> = {
      ...vary,
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
    };
    if (req.method === 'OPTIONS' && req.header('access-control-request-method') !== undefined) {
      headers['Access-Control-Allow-Methods'] = cors.methods.join(', ');
      headers['Access-Control-Allow-Headers'] = cors.requestHeaders.join(', ');
      headers['Access-Control-Max-Age'] = '600';
    } else if (cors.exposeHeaders.length > 0) {
      headers['Access-Control-Expose-Headers'] = cors.exposeHeaders.join(', ');
    }
    return headers;
  };

  return {
    check(req) {
      const host = req.header('host');
      if (host !== undefined) {
        const refused = checkAuthority(host);
        if (refused) return refused;
      }
      const absolute = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(req.target);
      if (absolute) {
        const refused = checkAuthority(absolute[1]!.replace(/^[^@]*@/, ''));
        if (refused) return refused;
      }

      const originHeader = req.header('origin');
      const site = req.header('sec-fetch-site');
      const origin = originHeader === undefined ? undefined : normalizeOrigin(originHeader);
      if (origin !== undefined && origins.has(origin)) return { ok: true, headers: corsHeaders(origin, req) };
      if (!isCrossOrigin(req)) return { ok: true, headers: { ...vary } };

      const navigation = req.method === 'GET' && req.header('sec-fetch-mode') === 'navigate' && NAVIGATION_DESTS.has(req.header('sec-fetch-dest'));
      if (navigation && originHeader === undefined) return { ok: true, headers: { ...vary } };
      const from = originHeader !== undefined ? `origin ${shown(originHeader)}` : `a ${shown(site ?? '')} page`;
      const who = opts.cors === undefined ? "this server's own pages" : "this server's own pages and the origins listed with --allow-origin";
      return refuse(403, `cross-site request refused: ${req.method} from ${from}; only ${who} may use it (a link to it still opens)`);
    },
  };
}
