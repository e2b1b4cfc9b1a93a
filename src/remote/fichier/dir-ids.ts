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
 * The folder id of folder entry `dir` (the root's is 0). Throws ENOTDIR for a file entry (a file's id, its
 * URL, is no folder id), EINVAL for a folder entry that does not carry a 1fichier folder id.
 */
export function folderIdOf(dir: RemoteEntry): number {
  if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a folder', { path: dir.path });
  if (dir.path === '') return 0;
  const id = Number(dir.id);
  if (!/^\d+$/.test(dir.id) || !Number.isSafeInteger(id) || id <= 0) throw new FsError('EINVAL', `not a 1fichier folder id: ${dir.id}`, { path: dir.path });
  return id;
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
