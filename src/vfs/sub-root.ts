/**
 * A folder of the account served as the root (`serve webdav fichier:Media/Movies`, `mount fichier:Media DIR`,
 * mount.json `root`): `openSubRoot(vfs, 'Media/Movies')` is a Vfs whose '' is that folder and from which nothing
 * outside it can be reached.
 *
 * Why a wrapper rather than a root option inside the VFS: below its interface the VFS works with account paths
 * everywhere (cached listings, folder ids, local-only files, metadata are stored under account paths), so a
 * sub-root is a view of the same store as the whole account, and several roots of one account share one cache.
 * The wrapper is then the one place where client paths and account paths meet: every path coming in goes
 * through normPath (which refuses '.' and '..' segments) and is prefixed with the root; every entry going out is
 * stripped of it, and one that is not below the root (which cannot happen) is an EIO rather than a leak. Nothing
 * else in the VFS knows that roots exist, so no code path can forget the prefix.
 *
 * The served folder behaves as the root: it cannot be removed, moved, copied, replaced or made again (the same
 * codes as the account's root), its entry has the path and name ''. Handles are the wrapper's own (a handle of
 * the inner Vfs, or of another sub-root, is refused with EINVAL): they map to the inner handles the wrapper was
 * given. Quota is the account's.
 */
import { mapped } from '../util/iterable.ts';
import { FsError } from '../core/errors.ts';
import { joinPath, normPath } from '../core/path.ts';
import type { Vfs, VfsEntry, VfsNode, VfsTarget } from './types.ts';

/**
 * The folder `root` of `vfs` as a Vfs of its own (see the module doc). `root` is found by any spelling the VFS
 * accepts and served under its stored spelling. Throws EINVAL (a '.' or '..' segment), ENOENT (no such folder),
 * ENOTDIR (a file), and what the look-up throws (EAGAIN/EIO).
 */
export async function openSubRoot(vfs: Vfs, root: string): Promise<Vfs> {
  const base = await servedRootOf(vfs, root);
  return base === '' ? vfs : subRootVfs(vfs, base);
}

/**
 * The canonical path in `vfs` of the folder `root` ('' for the whole of it): what openSubRoot serves, for the parts
 * beside the VFS that work with its paths (the metadata store's search). Throws as openSubRoot.
 */
export async function servedRootOf(vfs: Vfs, root: string): Promise<string> {
  const asked = normPath(root);
  if (asked === '') return '';
  const found = await vfs.lookup(asked);
  if (found.entry.kind !== 'dir') throw new FsError('ENOTDIR', 'the root to serve is a file, not a folder', { path: asked });
  return found.entry.path;
}

/** `vfs` rooted at the folder whose canonical path is `base` (not ''), without checking that it exists. */
export function subRootVfs(vfs: Vfs, base: string): Vfs {
  const prefix = `${base}/`;
  /** Outer handle -> the inner handle it stands for. */
  const inner = new WeakMap<VfsNode | VfsTarget, VfsNode | VfsTarget>();
  /** Outer handles of the served folder itself. */
  const roots = new WeakSet<VfsNode>();
  /** Outer entries by inner entry: the VFS reuses unchanged entries, so a warm listing allocates nothing new. */
  const shown = new WeakMap<VfsEntry, VfsEntry>();

  const inPath = (path: string): string => joinPath(base, normPath(path));

  const out = (e: VfsEntry): VfsEntry => {
    const hit = shown.get(e);
    if (hit) return hit;
    let mapped: VfsEntry;
    if (e.path === base) mapped = { ...e, path: '', name: '' };
    else if (e.path.startsWith(prefix)) mapped = { ...e, path: e.path.slice(prefix.length) };
    else throw new FsError('EIO', 'an entry outside the served root', { path: '' });
    shown.set(e, mapped);
    return mapped;
  };

  const outNode = (n: VfsNode): VfsNode => {
    const handle: VfsNode = Object.freeze({ entry: out(n.entry) });
    inner.set(handle, n);
    if (n.entry.path === base) roots.add(handle);
    return handle;
  };

  const outTarget = (t: VfsTarget): VfsTarget => {
    const handle: VfsTarget = Object.freeze({
      path: t.path.slice(prefix.length),
      name: t.name,
      parent: outNode(t.parent),
      existing: t.existing ? outNode(t.existing) : undefined,
    });
    inner.set(handle, t);
    return handle;
  };

  const isRoot = (at: string | VfsNode | VfsTarget): boolean => (typeof at === 'string' ? normPath(at) === '' : roots.has(at as VfsNode));

  /** The inner path or handle `at` stands for. Throws EINVAL for a handle this wrapper did not give. */
  function toInner(at: string): string;
  function toInner(at: string | VfsNode): string | VfsNode;
  function toInner(at: string | VfsTarget): string | VfsTarget;
  function toInner(at: string | VfsNode | VfsTarget): string | VfsNode | VfsTarget {
    if (typeof at === 'string') return inPath(at);
    const found = inner.get(at);
    if (!found) throw new FsError('EINVAL', 'not a handle of this VFS', { path: 'path' in at ? at.path : at.entry?.path });
    return found;
  }

  /** Rejects with `code` when `at` is the served folder (its answer as the root), else runs `fn`. */
  const notRoot = async <T>(at: string | VfsNode | VfsTarget, code: 'EINVAL' | 'EISDIR' | 'EEXIST', fn: () => Promise<T>): Promise<T> => {
    if (isRoot(at)) throw new FsError(code, code === 'EEXIST' ? 'the root exists' : code === 'EISDIR' ? 'is a directory' : 'not allowed on the root', { path: '' });
    return fn();
  };

  const wrapper: Vfs = {
    lookup: async (path, signal) => outNode(await vfs.lookup(inPath(path), signal)),
    resolve: (path, signal) => notRoot(path, 'EINVAL', async () => outTarget(await vfs.resolve(inPath(path), signal))),
    stat: async (path, signal) => out(await vfs.stat(inPath(path), signal)),
    readdir: async (dir, signal) => (await vfs.readdir(toInner(dir), signal)).map(out),
    readdirVersioned: async (dir, signal) => {
      const inner = await vfs.readdirVersioned(toInner(dir), signal);
      return {
        token: inner.token,
        entries: () => inner.entries().map(out),
        lazyEntries: () => {
          const { ids, entries } = inner.lazyEntries();
          return { ids, entries: mapped(entries, out) };
        },
      };
    },
    openRead: async (file, span, signal) => vfs.openRead(toInner(file), span, signal),
    openWrite: (at, opts) =>
      notRoot(at, 'EISDIR', async () => {
        const w = await vfs.openWrite(toInner(at), opts);
        const result = w.result.then(out);
        // Like the inner result, this one may be ignored by a caller that listens to 'error' instead.
        result.catch(() => undefined);
        Object.defineProperty(w, 'result', { value: result });
        return w;
      }),
    writeFile: (at, source, opts) => notRoot(at, 'EISDIR', async () => out(await vfs.writeFile(toInner(at), source, opts))),
    mkdir: (at, signal) => notRoot(at, 'EEXIST', async () => out(await vfs.mkdir(toInner(at), signal))),
    rmdir: (dir, signal) => notRoot(dir, 'EINVAL', () => vfs.rmdir(toInner(dir), signal)),
    unlink: (file, signal) => notRoot(file, 'EISDIR', () => vfs.unlink(toInner(file), signal)),
    removeTree: (node, signal) => notRoot(node, 'EINVAL', () => vfs.removeTree(toInner(node), signal)),
    rename: (src, dst, opts) => notRoot(src, 'EINVAL', () => notRoot(dst, 'EINVAL', async () => out(await vfs.rename(toInner(src), toInner(dst), opts)))),
    copy: (src, dst, opts) => notRoot(src, 'EINVAL', () => notRoot(dst, 'EINVAL', async () => out(await vfs.copy(toInner(src), toInner(dst), opts)))),
    setModTime: async (at, modTime) => out(await vfs.setModTime(toInner(at), modTime)),
    propsOf: (ids) => vfs.propsOf(ids),
    getProps: async (at) => vfs.getProps(toInner(at)),
    patchProps: async (at, ops) => vfs.patchProps(toInner(at), ops),
    about: (signal) => vfs.about(signal),
    refresh: async (path, opts) => vfs.refresh(inPath(path), opts),
    forget: (path = '') => vfs.forget(inPath(path)),
    stats: () => vfs.stats(),
    close: () => vfs.close(),
  };
  return wrapper;
}
