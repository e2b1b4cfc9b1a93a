/**
 * Remote paths: '' is the root; segments are joined by '/'; no leading or trailing slash; no '.' or '..'
 * segments and no empty segments. Names are the user-visible (decoded) names.
 */
import { FsError } from './errors.ts';

/** Normalise a path from any client form ('/a//b/', 'a/b') to the canonical form ('a/b'). Throws EINVAL on '.', '..' or NUL. */
export function normPath(p: string): string {
  const segs = p.split('/').filter((s) => s.length > 0);
  for (const s of segs) {
    if (s === '.' || s === '..' || s.includes('\0')) throw new FsError('EINVAL', 'invalid path segment', { path: p });
  }
  return segs.join('/');
}

export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** True when `p` is `dir` itself or below it. */
export function isWithin(p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(`${dir}/`);
}
