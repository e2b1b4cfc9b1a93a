/**
 * Folder ids of the fichier remote. The API addresses folders by numeric id and has no path lookup (the
 * remote walks from the root and learns ids from listings): `folderIdOf` reads the id of a folder entry a
 * caller handed over, and the default DirIdIndex (remote/types.ts) is a Map in memory; the VFS injects an
 * index backed by its metadata store instead, so a restart knows the tree without an API call.
 */
import { FsError } from '../../core/errors.ts';
import { isWithin } from '../../core/path.ts';
import type { DirIdIndex, RemoteEntry } from '../types.ts';

/**
 * The folder id of folder entry `dir` (the root's is 0). The id the entry carries wins over its path: a folder
 * served as the root of a sub-root VFS has the path '' and its own id. A root entry built above the remote (the
 * VFS's, which carries no folder id) is the account's root. Throws ENOTDIR for a file entry (a file's id, its URL,
 * is no folder id), EINVAL for a folder entry below the root that does not carry a 1fichier folder id.
 */
export function folderIdOf(dir: RemoteEntry): number {
  if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a folder', { path: dir.path });
  const id = /^\d+$/.test(dir.id) ? Number(dir.id) : NaN;
  if (Number.isSafeInteger(id) && (id > 0 || dir.path === '')) return id;
  if (dir.path === '') return 0;
  throw new FsError('EINVAL', `not a 1fichier folder id: ${dir.id}`, { path: dir.path });
}

/** An in-memory DirIdIndex (a Map). */
export function createMemoryDirIdIndex(): DirIdIndex {
  const ids = new Map<string, string>();
  return {
    get: (path) => ids.get(path),
    set: (path, id) => void ids.set(path, id),
    forget: (prefix) => {
      for (const p of [...ids.keys()]) if (isWithin(p, prefix)) ids.delete(p);
    },
  };
}
