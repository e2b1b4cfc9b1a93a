/**
 * The web UI's HTML page: a shell that loads the bundled script and stylesheet from the gateway itself. It has
 * no inline script or style (the Content-Security-Policy forbids both); what the script needs to start is in
 * data attributes of <html>, escaped like any other attribute. The folder's entries are not in the page: the
 * script lists them with PROPFIND, as any WebDAV client would.
 */
import { escapeAttr, escapeText } from '../../webdav/xml-core.ts';
import { ASSET_PARAM } from '../shared/api.ts';
import type { AssetSet } from './assets.ts';

export interface PageInput {
  /** The server's base URL prefix, already percent-encoded ('' or '/dav'). */
  base: string;
  /** The folder shown, an account path ('' = root). */
  path: string;
  readOnly: boolean;
  user: string | undefined;
  assets: AssetSet;
}

/** The URL of asset `name` under base URL prefix `base`. */
export function assetUrl(base: string, name: string): string {
  return `${base}/?${ASSET_PARAM}=${encodeURIComponent(name)}`;
}

/** The complete HTML document. */
export function renderPage(p: PageInput): string {
  const title = `/${p.path} – fichier-dav`;
  const data = `data-base="${escapeAttr(p.base)}" data-read-only="${p.readOnly ? '1' : '0'}" data-user="${escapeAttr(p.user ?? '')}"`;
  return (
    `<!DOCTYPE html>\n<html lang="en" ${data}>\n<head>\n<meta charset="utf-8">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="color-scheme" content="light dark">\n' +
    `<title>${escapeText(title)}</title>\n` +
    `<link rel="icon" type="image/svg+xml" href="${escapeAttr(assetUrl(p.base, p.assets.icon.name))}">\n` +
    `<link rel="stylesheet" href="${escapeAttr(assetUrl(p.base, p.assets.style.name))}">\n` +
    `<script type="module" src="${escapeAttr(assetUrl(p.base, p.assets.script.name))}"></script>\n` +
    '</head>\n<body>\n<noscript><p class="noscript">This file manager needs JavaScript. WebDAV clients (Finder, Explorer, rclone, davfs2) use this same address.</p></noscript>\n</body>\n</html>\n'
  );
}
