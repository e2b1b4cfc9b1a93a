/**
 * The browser-facing protections of every web UI answer, in one place.
 *
 * Headers: a Content-Security-Policy that allows only the gateway's own scripts, styles and connections (no
 * inline script or style, no plugin, no other origin), `frame-ancestors 'none'` and `X-Frame-Options: DENY`
 * (no clickjacking), `nosniff`, and `Referrer-Policy: no-referrer` (a page URL names a folder of the account;
 * following a download link must not send it to the link's host).
 *
 * Cross-site requests: Basic credentials are sent by the browser automatically, so an endpoint must know the
 * request comes from the web UI's own page. Each API request must carry `X-Fichier-Dav: 1`, a header a
 * cross-site form cannot send and a cross-site script can send only after a CORS preflight; and when the
 * browser says where the request comes from (`Origin`, `Sec-Fetch-Site`), it must be this very origin.
 */
import type { ServerResponse } from 'node:http';
import { DavError } from '../../webdav/context.ts';
import type { DavRequest } from '../../webdav/context.ts';
import { API_HEADER } from '../shared/api.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Sets the security headers on `res` (before its head is sent). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** The `host[:port]` of an Origin header value, lower case; undefined when it is not an http(s) origin ("null"...). */
function originHost(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws DavError 403 unless the request comes from the web UI's page on this origin (see the module doc).
 * Origins compare by host and port against the Host header, not by scheme, so a TLS-terminating proxy that
 * keeps the Host header works.
 */
export function requireOwnPage(r: DavRequest): void {
  if (r.header(API_HEADER) !== '1') throw new DavError(403, `this endpoint is for the web UI: the ${API_HEADER}: 1 header is missing`);
  const site = r.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new DavError(403, `cross-site request refused (Sec-Fetch-Site: ${site})`);
  const origin = r.header('origin');
  if (origin !== undefined) {
    const host = r.header('host')?.toLowerCase();
    if (host === undefined || originHost(origin) !== host) throw new DavError(403, 'cross-origin request refused (Origin is not this server)');
  }
}
