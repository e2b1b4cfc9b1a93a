/**
 * The browser-facing protections of every web UI answer, in one place.
 *
 * Headers: a Content-Security-Policy that allows only the gateway's own scripts, styles and connections (no
 * inline script or style, no plugin, no other origin), `frame-ancestors 'none'` and `X-Frame-Options: DENY`
 * (no clickjacking), `nosniff`, and `Referrer-Policy: no-referrer` (a page URL names a folder of the account;
 * following a download link must not send it to the link's host).
 *
 * Cross-site requests: every request has passed the server's browser guard (util/browser-guard.ts: Host check,
 * cross-site requests refused unless their origin is listed with --allow-origin) before it gets here. Basic
 * credentials are sent by the browser automatically, so the JSON endpoints must also know the request comes from
 * the web UI's own page: each must carry `X-Fichier-Dav: 1`, a header a form cannot send and a page of another
 * origin can send only after a CORS preflight; and a request the browser marks as coming from another origin is
 * refused here even when that origin is listed (the guard's own `isCrossOrigin` decides, so the two cannot
 * disagree on what "this origin" is): a listed origin is a web client of the WebDAV methods, not of this API.
 */
import type { ServerResponse } from 'node:http';
import { guardRequest, isCrossOrigin } from '../../util/browser-guard.ts';
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

/** Throws DavError 403 unless the request comes from the web UI's page on this origin (see the module doc). */
export function requireOwnPage(r: DavRequest): void {
  if (r.header(API_HEADER) !== '1') throw new DavError(403, `this endpoint is for the web UI: the ${API_HEADER}: 1 header is missing`);
  if (isCrossOrigin(guardRequest(r.req))) throw new DavError(403, 'cross-origin request refused: this endpoint serves the web UI\'s own page only');
}
