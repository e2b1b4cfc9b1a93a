/**
 * The web UI: a file manager for browsers, served by the WebDAV server itself (same port, same base URL, same
 * authentication) as a DavFrontEnd:
 *
 * - A GET of a collection whose Accept header asks for HTML (what a browser sends when it opens a URL) gets the
 *   page (page.ts); any other GET of a collection (curl, scripts) keeps the plain listing, and WebDAV clients,
 *   which use PROPFIND, see no difference.
 * - `<base>/?asset=NAME`: the bundled script, stylesheet and icon (assets.ts), immutable.
 * - `<base>/?api=NAME`: the JSON endpoints (api.ts).
 * Why a query marker rather than a path prefix: see shared/api.ts (no name in the account can collide with it).
 * File operations (upload, new folder, rename, move, delete) are plain WebDAV requests from the page
 * (PUT, MKCOL, MOVE, DELETE) and go through the server's own handlers, read-only mode and locks included.
 */
import type { DavFrontEnd, DavRequest, DavShared, Handler } from '../../webdav/context.ts';
import { DavError } from '../../webdav/context.ts';
import type { Logger } from '../../util/log.ts';
import { API_PARAM, ASSET_PARAM } from '../shared/api.ts';
import { apiHandler } from './api.ts';
import { assetCache, type AssetSet } from './assets.ts';
import type { WebUiBackend } from './backend.ts';
import { setSecurityHeaders } from './guard.ts';
import { renderPage } from './page.ts';

export type { WebUiBackend } from './backend.ts';
export { createWebUiBackend, type WebUiAdapterOptions } from './adapter.ts';

export interface WebUiOptions {
  backend: WebUiBackend;
  logger: Logger;
  /** Shown by the about endpoint. */
  version: string;
  /** The assets (tests may pass a prepared set); default: the client bundled on first use. */
  assets?: () => Promise<AssetSet>;
}

/** True when the client prefers HTML: its Accept header names text/html (browsers' navigations do). */
export function wantsHtml(r: DavRequest): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(r.header('accept') ?? '');
}

function queryOf(r: DavRequest): URLSearchParams {
  const url = r.req.url ?? '';
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

function assetHandler(name: string, assets: () => Promise<AssetSet>): Handler {
  return async (_s, r) => {
    if (r.method !== 'GET' && r.method !== 'HEAD') throw new DavError(405, 'assets take GET', { headers: { Allow: 'GET, HEAD' } });
    const asset = (await assets()).byName(name);
    if (!asset) throw new DavError(404, 'no such asset (the page may be from an older version: reload it)');
    r.res.statusCode = 200;
    setSecurityHeaders(r.res);
    r.res.setHeader('Content-Type', asset.contentType);
    r.res.setHeader('Content-Length', String(asset.body.length));
    // The name holds a hash of the bytes, so this URL never changes meaning.
    r.res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    r.res.setHeader('ETag', `"${name}"`);
    if (r.header('if-none-match') === `"${name}"`) {
      r.res.statusCode = 304;
      r.res.removeHeader('Content-Length');
      r.res.end();
      return;
    }
    r.res.end(r.method === 'HEAD' ? undefined : asset.body);
  };
}

export function createWebUi(opts: WebUiOptions): DavFrontEnd {
  const assets = opts.assets ?? assetCache();
  return {
    route(r) {
      if (r.path !== '' || (r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'POST')) return undefined;
      const query = queryOf(r);
      const asset = query.get(ASSET_PARAM);
      if (asset !== null) return assetHandler(asset, assets);
      const api = query.get(API_PARAM);
      if (api !== null) return apiHandler(api, query, opts.backend, opts.version);
      return undefined;
    },

    async collectionPage(s: DavShared, r: DavRequest, dir, withBody) {
      if (!wantsHtml(r)) return false;
      let set: AssetSet;
      try {
        set = await assets();
      } catch (err) {
        opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'web UI: the page assets could not be built; serving the plain listing');
        return false;
      }
      const html = Buffer.from(renderPage({ base: s.opts.baseUrl, path: dir.path, readOnly: s.opts.readOnly, user: r.user, assets: set }), 'utf8');
      r.res.statusCode = 200;
      setSecurityHeaders(r.res);
      r.res.setHeader('Content-Type', 'text/html; charset=utf-8');
      r.res.setHeader('Content-Length', String(html.length));
      r.res.setHeader('Cache-Control', 'no-cache');
      r.res.setHeader('Vary', 'Accept');
      r.res.end(withBody ? html : undefined);
      return true;
    },
  };
}
