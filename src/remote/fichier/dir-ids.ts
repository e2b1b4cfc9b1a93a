/**
 * Folder path -> 1fichier folder id. The API has no path lookup (reference §7): the fichier remote walks
 * from the root and learns ids from listings. The default index lives in memory; the VFS injects one
 * backed by its metadata store so a restart knows the tree without an API call.
 */
import { isWithin } from '../../core/path.ts';

export interface DirIdIndex {
  /** The folder id (decimal string) recorded for canonical `path`, or undefined. The root ('') is never stored. */
  get(path: string): string | undefined;
  /** Records the folder id of `path`. */
  set(path: string, id: string): void;
  /** Forgets `prefix` and every path below it ('' = everything). */
  forget(prefix: string): void;
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
