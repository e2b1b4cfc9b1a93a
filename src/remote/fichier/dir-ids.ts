/**
 * The default DirIdIndex (remote/types.ts) of the fichier remote: a Map in memory. The API has no path lookup
 * (the fichier remote walks from the root and learns ids from listings); the VFS injects an index backed by
 * its metadata store instead, so a restart knows the tree without an API call.
 */
import { isWithin } from '../../core/path.ts';
import type { DirIdIndex } from '../types.ts';

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
