/**
 * The DirIdIndex (remote/types.ts) backed by the MetaStore, injected into the 1fichier remote
 * (createFichierRemote({ dirIds })): the ids recorded with cached listings survive restarts, so a restarted
 * server resolves known folders without walking from the root.
 *
 * `forget` drops the ids AND the cached listings at and below the prefix (MetaStore.forgetTree): an id the
 * remote found stale means the listings there are stale too.
 */
import type { DirIdIndex } from '../remote/types.ts';
import type { MetaStore } from '../store/types.ts';

export function createStoreDirIdIndex(store: MetaStore): DirIdIndex {
  return {
    get: (path) => store.getDirId(path),
    set: (path, id) => store.setDirId(path, id),
    forget: (prefix) => store.forgetTree(prefix),
  };
}
