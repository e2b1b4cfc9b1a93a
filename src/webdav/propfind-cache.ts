/**
 * Serialised PROPFIND Depth 1 answers of hot folders. A warm listing that has not changed since the last answer
 * is sent as the bytes of that answer: no entries built, no properties looked up, no XML written, one buffer to
 * the socket.
 *
 * Validity: an answer is kept with the token of the listing it was built from (Vfs.readdirVersioned: the same
 * token while the folder's listing, its local files and the modtimes and dead properties of the folder and its
 * members are unchanged) and the folder's own ETag; it is served only while both are still the same, so it is
 * invalidated by the same write-through that updates the VFS's cache, folder by folder. The caller never asks for
 * an answer that depends on anything else: no quota properties (the account's space), no lock under the folder
 * (lockdiscovery carries a countdown).
 *
 * Budget: answers are held in an LRU bounded by their bytes (`maxBytes`), and an answer is built and kept only
 * when the same folder, in the same state, is asked for a second time: a walk that lists each folder once (a
 * scanner's first pass, a sync tool) keeps nothing but small markers, and a folder listed over and over (a client
 * polling it) is answered from memory.
 */
import { LRUCache } from 'lru-cache';

/** A kept answer, or the marker of a first request (no bytes yet). */
interface Kept {
  token: object;
  etag: string;
  bytes: Buffer | undefined;
}

/** What `PropfindCache.lookup` found. */
export type CacheState =
  /** The bytes of the answer: send them. */
  | { kind: 'hit'; bytes: Buffer }
  /** Second request of the same state: build the whole answer and `keep` it. */
  | { kind: 'build' }
  /** First request of this state (now marked): stream the answer as usual. */
  | { kind: 'stream' };

/** Bytes a marker costs in the budget (the key and a small object). */
const MARKER_BYTES = 256;

export class PropfindCache {
  readonly #lru: LRUCache<string, Kept>;

  /** `maxBytes` 0 disables the cache (every lookup says 'stream'). */
  constructor(private readonly maxBytes: number) {
    this.#lru = new LRUCache<string, Kept>({
      maxSize: Math.max(1, maxBytes),
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 2)),
      sizeCalculation: (k, key) => key.length + (k.bytes?.length ?? 0) + MARKER_BYTES,
    });
  }

  /** What to do for the answer `key` of a folder in the state (`token`, `etag`); marks a first request. */
  lookup(key: string, token: object, etag: string): CacheState {
    if (this.maxBytes <= 0) return { kind: 'stream' };
    const kept = this.#lru.get(key);
    if (kept && kept.token === token && kept.etag === etag) return kept.bytes ? { kind: 'hit', bytes: kept.bytes } : { kind: 'build' };
    this.#lru.set(key, { token, etag, bytes: undefined });
    return { kind: 'stream' };
  }

  /** Keeps the built answer of `key` (dropped at once when it is larger than half the budget). */
  keep(key: string, token: object, etag: string, bytes: Buffer): void {
    if (this.maxBytes <= 0) return;
    this.#lru.set(key, { token, etag, bytes });
  }

  /** Bytes held by kept answers and markers. */
  get size(): number {
    return this.#lru.calculatedSize;
  }
}
