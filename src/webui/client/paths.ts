/**
 * Account paths and the URLs that name them. An account path is '' for the root and 'a/b' below it (no leading
 * or trailing slash), exactly as the server's endpoints take them. A URL is the server's base prefix ('' or
 * '/dav', already percent-encoded) followed by each name percent-encoded, with a trailing '/' for folders, the
 * same encoding as the server's own hrefs. Pure functions: no DOM. The path helpers are the server's own
 * (core/path.ts: plain functions, no node module, so the bundle takes them as they are).
 */
import { baseName, isWithin, joinPath, parentOf } from '../../core/path.ts';

/** Percent-encodes one name: everything but RFC 3986 unreserved characters. */
export function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The URL path of account path `path` under base prefix `base`; folders end with '/'. */
export function hrefOf(base: string, path: string, isDir: boolean): string {
  if (path === '') return `${base}/`;
  return `${base}/${path.split('/').map(encodeName).join('/')}${isDir ? '/' : ''}`;
}

/**
 * The account path a URL path (or absolute URL) names under base prefix `base`, or undefined when it is outside
 * the base or malformed.
 */
export function pathOfHref(base: string, href: string): string | undefined {
  let p = href;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(p);
  if (scheme) p = p.slice(scheme[0].length) || '/';
  p = p.replace(/[?#].*$/s, '');
  const baseSegs = base.split('/').filter((s) => s !== '');
  const segs = p.split('/').filter((s) => s !== '');
  for (let i = 0; i < baseSegs.length; i++) if (segs[i] !== baseSegs[i]) return undefined;
  try {
    const names = segs.slice(baseSegs.length).map((s) => decodeURIComponent(s));
    if (names.some((n) => n === '.' || n === '..' || n.includes('/'))) return undefined;
    return names.join('/');
  } catch {
    return undefined;
  }
}

export { baseName, isWithin, joinPath, parentOf };

/** The breadcrumb trail of `path`: the root, then each ancestor, then the folder itself. */
export function crumbs(path: string): { name: string; path: string }[] {
  const out = [{ name: 'Home', path: '' }];
  let acc = '';
  for (const name of path.split('/').filter((s) => s !== '')) {
    acc = joinPath(acc, name);
    out.push({ name, path: acc });
  }
  return out;
}

/** Why `name` cannot be a file or folder name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'A name cannot be empty.';
  if (name === '.' || name === '..') return 'A name cannot be "." or "..".';
  if (name.includes('/')) return 'A name cannot contain "/".';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return 'A name cannot contain control characters.';
  if (new TextEncoder().encode(name).length > 250) return 'A name is limited to 250 bytes.';
  return undefined;
}
