/**
 * A read memo inside the MetaStore for the VFS's hot path, and the one place listings live in memory. A PROPFIND
 * Depth 1 of a 2,000-file folder resolves every entry through its folder's view; rebuilding that from SQLite
 * each time cost ~4 ms per entry. The memo keeps recent `getListing`/`listLocal` answers in one LRU bounded by an
 * estimate of their bytes in memory (`maxBytes`), not by a count of folders: a folder of 5,000 entries weighs
 * what it costs, and what stays resident does not grow with the account (an evicted folder is read back from
 * SQLite on its next use).
 *
 * Invalidation is per folder and exact: a listing write drops that folder's answer, a forgotten subtree (told by
 * the store itself, including the subtrees a listing or a write-through forgets as a side effect) drops every
 * answer at or below it, a local-file write drops its folder's local files. So the memo never serves a state the
 * store does not hold, and an unchanged folder keeps its answer's identity, which lets the VFS reuse the view it
 * built from it. Returned objects are shared: callers must not mutate them (none does; names.ts sorts copies).
 */
import { LRUCache } from 'lru-cache';
import { isWithin, parentOf } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { Listing, LocalFile, MetaStore } from './types.ts';

/** Default memory budget of the memo, bytes. */
export const DEFAULT_MEMO_BYTES = 48 * 2 ** 20;

/**
 * Rough V8 cost of one entry beyond its strings: the entry and its hashes object, plus what the VFS derives from
 * it while the listing is cached (its tree node and name-map slot). Calibrated with scripts/bench/memory/entries.ts.
 */
const ENTRY_OVERHEAD = 260;
/** A string of n one-byte characters: a 16-byte header, rounded to 8 bytes. */
const str = (s: string | undefined): number => (s === undefined ? 0 : 16 + ((s.length + 7) & ~7));

function entryBytes(e: RemoteEntry): number {
  return ENTRY_OVERHEAD + str(e.path) + str(e.name) + str(e.id) + str(e.hashes.whirlpool) + str(e.hashes.md5) + str(e.hashes.sha1);
}

type Memo = { kind: 'listing'; value: Listing | undefined } | { kind: 'locals'; value: LocalFile[] };

function memoBytes(m: Memo): number {
  if (m.kind === 'locals') return 64 + m.value.reduce((n, f) => n + 200 + f.content.length + str(f.path) + str(f.id), 0);
  return 64 + (m.value?.entries.reduce((n, e) => n + entryBytes(e), 0) ?? 0);
}

const listingKey = (dir: string): string => `L${dir}`;
const localsKey = (dir: string): string => `F${dir}`;
const dirOfKey = (key: string): string => key.slice(1);

/** The store's side of the memo: it must report every forgotten subtree, whatever forgot it. */
export interface ForgetHook {
  forgot(prefix: string): void;
}

/**
 * `store` seen through the memo (at most `maxBytes` of answers by estimate), and the hook the store calls when it
 * forgets a subtree.
 */
export function memoizeStore(store: MetaStore, maxBytes = DEFAULT_MEMO_BYTES): { store: MetaStore; hook: ForgetHook } {
  const memo = new LRUCache<string, Memo>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (m) => Math.max(1, memoBytes(m)) });
  const dropBelow = (prefix: string, kind: string): void => {
    for (const key of [...memo.keys()]) if (key.startsWith(kind) && isWithin(dirOfKey(key), prefix)) memo.delete(key);
  };
  const hook: ForgetHook = { forgot: (prefix) => dropBelow(prefix, 'L') };

  const getListing = (dir: string): Listing | undefined => {
    const hit = memo.get(listingKey(dir));
    if (hit?.kind === 'listing') return hit.value;
    const value = store.getListing(dir);
    memo.set(listingKey(dir), { kind: 'listing', value });
    return value;
  };
  const listLocal = (dir: string): LocalFile[] => {
    const hit = memo.get(localsKey(dir));
    if (hit?.kind === 'locals') return hit.value;
    const value = store.listLocal(dir);
    memo.set(localsKey(dir), { kind: 'locals', value });
    return value;
  };
  /** Runs a store write, then drops the memo keys it may have changed (also when it threw half-way: SQLite rolled back). */
  const writing =
    <A extends unknown[]>(write: (...args: A) => void, drop: (...args: A) => void) =>
    (...args: A): void => {
      try {
        write(...args);
      } finally {
        drop(...args);
      }
    };

  const overrides: Partial<MetaStore> = {
    getListing,
    listLocal,
    putListing: writing(store.putListing.bind(store), (dir) => memo.delete(listingKey(dir))),
    upsertEntry: writing(store.upsertEntry.bind(store), (entry) => memo.delete(listingKey(parentOf(entry.path)))),
    removeEntry: writing(store.removeEntry.bind(store), (dir) => memo.delete(listingKey(dir))),
    putLocal: writing(store.putLocal.bind(store), (file) => memo.delete(localsKey(parentOf(file.path)))),
    removeLocal: writing(store.removeLocal.bind(store), (path) => memo.delete(localsKey(parentOf(path)))),
    moveLocal: writing(store.moveLocal.bind(store), (src, dst) => {
      dropBelow(parentOf(src), 'F');
      dropBelow(parentOf(dst), 'F');
    }),
    removeLocalTree: writing(store.removeLocalTree.bind(store), (prefix) => dropBelow(parentOf(prefix), 'F')),
    moveTree: writing(store.moveTree.bind(store), (src, dst) => {
      dropBelow(src, 'L');
      dropBelow(dst, 'L');
    }),
  };
  const memoized = new Proxy(store, {
    get(target, prop) {
      const own = overrides[prop as keyof MetaStore];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: memoized, hook };
}
