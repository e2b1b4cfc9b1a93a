/**
 * Host mapping for a non-real API base (the emulator): URLs that the API hands out on 1fichier hosts
 * (the upload node from get_upload_server, download token URLs) are rewritten to the base URL's origin,
 * keeping path and query, so uploads and downloads reach the emulator too. Against the real API
 * (origin https://api.1fichier.com) nothing is rewritten.
 */
import { FICHIER_DOMAIN, REAL_API_BASE } from './types.ts';

const REAL_ORIGIN = new URL(REAL_API_BASE).origin;

/** True when `baseUrl` points at the real 1fichier API. */
export function isRealApi(baseUrl: string): boolean {
  return new URL(baseUrl).origin === REAL_ORIGIN;
}

/**
 * Returns `url` made reachable from a client whose API base is `baseUrl`: unchanged for the real API;
 * otherwise, a URL on 1fichier.com, a sub-domain of it, or the base's own host name gets the base's
 * origin (scheme, host, port). Throws TypeError when `url` is not an absolute URL.
 */
export function mapHost(url: string, baseUrl: string): string {
  if (isRealApi(baseUrl)) return url;
  const u = new URL(url);
  const base = new URL(baseUrl);
  const host = u.hostname.toLowerCase();
  const onFichier = host === FICHIER_DOMAIN || host.endsWith(`.${FICHIER_DOMAIN}`);
  if (!onFichier && host !== base.hostname.toLowerCase()) return url;
  return `${base.origin}${u.pathname}${u.search}`;
}

/**
 * The absolute URL of `path` (with query) on an upload node given as get_upload_server returns it:
 * a bare host name ("up2.1fichier.com"), a host:port, or a full URL; https unless the node says otherwise.
 * Host-mapped like `mapHost`. Throws TypeError when `node` is not a usable host.
 */
export function uploadNodeUrl(node: string, pathAndQuery: string, baseUrl: string): string {
  const origin = /^https?:\/\//i.test(node) ? new URL(node).origin : new URL(`https://${node}`).origin;
  return mapHost(`${origin}${pathAndQuery}`, baseUrl);
}
