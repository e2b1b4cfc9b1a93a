/**
 * A read memo inside the MetaStore for the VFS's hot path. A PROPFIND Depth 1 of a 2,000-file folder
 * resolves every entry through its folder's view; rebuilding that view from SQLite each time cost ~4 ms per
 * entry. The memo keeps recent `getListing`/`listLocal` answers (an LRU of folders) and drops ALL of them on
 * any mutation of listings or local files, so it can never serve a state the store does not hold. `getMeta`
 * answers are memoized the same way (an LRU of ids, dropped on any setMeta/copyMeta/deleteMeta), so an
 * unchanged file's metadata object keeps its identity, which lets the VFS reuse the entry built from it. Returned
 * objects are shared: callers must not mutate them (none does; names.ts sorts copies).
 */
import { LRUCache } from 'lru-cache';
import type { FileMeta, Listing, LocalFile, MetaStore } from './types.ts';

const MUTATORS = new Set<PropertyKey>(['putListing', 'upsertEntry', 'removeEntry', 'forgetTree', 'moveTree', 'putLocal', 'removeLocal', 'moveLocal', 'removeLocalTree']);
const META_MUTATORS = new Set<PropertyKey>(['setMeta', 'copyMeta', 'deleteMeta']);

export function memoizeStore(store: MetaStore, maxDirs = 512, maxMetas = 200_000): MetaStore {
  const listings = new LRUCache<string, { value: Listing | undefined }>({ max: maxDirs });
  const locals = new LRUCache<string, LocalFile[]>({ max: maxDirs });
  // Bounded by maxSize (each entry counts 1) rather than max: lru-cache preallocates its arrays for `max`
  // entries up front, which for 200,000 ids is ~5.6 MB resident in an idle server that has cached nothing.
  const metas = new LRUCache<string, { value: FileMeta | undefined }>({ maxSize: maxMetas, sizeCalculation: () => 1 });
  const invalidate = () => {
    listings.clear();
    locals.clear();
  };
  const getListing = (dir: string): Listing | undefined => {
    const hit = listings.get(dir);
    if (hit) return hit.value;
    const value = store.getListing(dir);
    listings.set(dir, { value });
    return value;
  };
  const getMeta = (id: string): FileMeta | undefined => {
    const hit = metas.get(id);
    if (hit) return hit.value;
    const value = store.getMeta(id);
    metas.set(id, { value });
    return value;
  };
  const listLocal = (dir: string): LocalFile[] => {
    const hit = locals.get(dir);
    if (hit) return hit;
    const value = store.listLocal(dir);
    locals.set(dir, value);
    return value;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'getListing') return getListing;
      if (prop === 'listLocal') return listLocal;
      if (prop === 'getMeta') return getMeta;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (META_MUTATORS.has(prop)) {
        return (...args: unknown[]) => {
          try {
            return value.apply(target, args);
          } finally {
            metas.clear();
          }
        };
      }
      if (!MUTATORS.has(prop)) return value.bind(target);
      return (...args: unknown[]) => {
        try {
          return value.apply(target, args);
        } finally {
          invalidate();
        }
      };
    },
  });
}
