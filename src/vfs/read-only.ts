/**
 * Read-only mode as a wrapper, not a flag: `readOnlyVfs(vfs)` is the same Vfs whose every write throws
 * EROFS before touching anything, while reads, listings and cache control pass through. Whoever serves a
 * read-only drive (the WebDAV server with --read-only) wraps its VFS once; nothing below knows the mode.
 */
import { FsError } from '../core/errors.ts';
import type { Vfs, VfsNode, VfsTarget } from './types.ts';

/** The path a write was aimed at, for the error: a path, a found node or a resolved target. */
const pathOf = (at: string | VfsNode | VfsTarget): string => (typeof at === 'string' ? at : 'entry' in at ? at.entry.path : at.path);

const refuse = (at: string | VfsNode | VfsTarget): Promise<never> => Promise.reject(new FsError('EROFS', 'read-only', { path: pathOf(at) }));

/** `vfs` with every write refused with EROFS (see the module doc). */
export function readOnlyVfs(vfs: Vfs): Vfs {
  return {
    lookup: (path, signal) => vfs.lookup(path, signal),
    resolve: (path, signal) => vfs.resolve(path, signal),
    stat: (path, signal) => vfs.stat(path, signal),
    readdir: (path, signal) => vfs.readdir(path, signal),
    readdirVersioned: (path, signal) => vfs.readdirVersioned(path, signal),
    openRead: (path, range, signal) => vfs.openRead(path, range, signal),
    openWrite: (path) => refuse(path),
    writeFile: (path) => refuse(path),
    mkdir: (path) => refuse(path),
    rmdir: (path) => refuse(path),
    unlink: (path) => refuse(path),
    removeTree: (path) => refuse(path),
    rename: (_src, dst) => refuse(dst),
    copy: (_src, dst) => refuse(dst),
    setModTime: (path) => refuse(path),
    propsOf: (ids) => vfs.propsOf(ids),
    getProps: (path) => vfs.getProps(path),
    patchProps: (path) => refuse(path),
    about: (signal) => vfs.about(signal),
    refresh: (path, opts) => vfs.refresh(path, opts),
    forget: (path) => vfs.forget(path),
    stats: () => vfs.stats(),
    close: () => vfs.close(),
  };
}
