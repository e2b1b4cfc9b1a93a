/**
 * The HTML page a browser gets for GET on a collection: folders first, then files, each sorted by name;
 * names escaped, links from the server's href builder (percent-encoded, base URL included), sizes and
 * modification dates (UTC). A link to the parent folder unless at the root.
 */
import { parentOf } from '../../core/path.ts';
import type { VfsEntry } from '../../vfs/types.ts';
import { escapeAttr, escapeText } from '../xml.ts';

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `1.5 KiB`; below 1024 the exact byte count (`12 B`). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `YYYY-MM-DD HH:MM` in UTC. */
function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function byKindThenName(a: VfsEntry, b: VfsEntry): number {
  if (a.kind !== b.kind) return a.kind === 'dir' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Renders the listing of collection `dir` with its `entries`. `href(path, isCollection)` builds the links.
 * Returns a complete UTF-8 HTML document.
 */
export function renderListing(dir: VfsEntry, entries: readonly VfsEntry[], href: (path: string, isCollection: boolean) => string): string {
  const title = `Index of /${dir.path}`;
  const rows: string[] = [];
  if (dir.path !== '') {
    rows.push(`<tr><td><a href="${escapeAttr(href(parentOf(dir.path), true))}">../</a></td><td></td><td></td></tr>`);
  }
  for (const e of [...entries].sort(byKindThenName)) {
    const isDir = e.kind === 'dir';
    const label = escapeText(e.name + (isDir ? '/' : ''));
    const size = isDir ? '' : `<span title="${e.size} bytes">${formatSize(e.size)}</span>`;
    rows.push(`<tr><td><a href="${escapeAttr(href(e.path, isDir))}">${label}</a></td><td>${size}</td><td>${formatDate(e.modTime)}</td></tr>`);
  }
  return (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8">' +
    `<title>${escapeText(title)}</title></head><body>\n<h1>${escapeText(title)}</h1>\n` +
    '<table>\n<tr><th>Name</th><th>Size</th><th>Modified (UTC)</th></tr>\n' +
    rows.join('\n') +
    '\n</table>\n</body></html>\n'
  );
}
