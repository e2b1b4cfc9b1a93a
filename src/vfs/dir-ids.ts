/**
 * A directory path -> remote folder id index backed by the MetaStore, for the 1fichier remote
 * (createFichierRemote({ dirIds })): the ids recorded with cached listings survive restarts, so a restarted
 * server resolves known folders without walking from the root.
 *
 * Structurally the DirIdIndex of remote/fichier (declared here too so vfs/ need not import a backend).
 * `forget` drops the ids AND the cached listings at and below the prefix (MetaStore.forgetTree): an id the
 * remote found stale means the listings there are stale too.
 */
import type { MetaStore } from '../store/types.ts';

export interface StoreDirIdIndex {
  /** The folder id of `path`, or undefined when unknown. */
  get(path: string): string | undefined;
  /** Record the folder id of `path`. */
  set(path: string, id: string): void;
  /** Forget ids (and listings) at and below `prefix`. */
  forget(prefix: string): void;
}

export function createStoreDirIdIndex(store: MetaStore): StoreDirIdIndex {
  return {
    get: (path) => store.getDirId(path),
    set: (path, id) => store.setDirId(path, id),
    forget: (prefix) => store.forgetTree(prefix),
  };
}
