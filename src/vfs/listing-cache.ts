/**
 * Cached remote listings: the MetaStore holds them (so a restarted VFS answers a known tree with zero remote
 * calls); this module decides freshness and fetches.
 *
 * - Fresh while fetchedAt + dirCacheTimeMs > clock.now() (rclone --dir-cache-time). A stale or missing
 *   listing is fetched again, blocking the caller; with staleWhileRevalidate a stale one is served at once
 *   and refreshed in the background.
 * - Single-flight: one remote.list per folder in flight, however many callers wait. A caller's signal
 *   aborts its own wait, never the shared fetch.
 * - Write-through: changes made through us (upsert/remove) update the stored listing in place. A change
 *   made while a fetch of that folder is in flight is also replayed onto the fetched entries before they
 *   are stored, so a listing that started before a mkdir cannot resurrect the old state.
 * - forgetTree drops listings (and dir ids) at and below a folder; a fetch in flight below it is not stored.
 *
 * Concurrency: all store calls are synchronous, so the only await that sees half-updated state is the
 * remote.list itself (handled by the replay above).
 */
import { isFsError } from '../core/errors.ts';
import { isWithin, parentOf } from '../core/path.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import type { Listing, MetaStore } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { raceSignal } from '../util/abort.ts';

type Mutation = { op: 'upsert'; entry: RemoteEntry } | { op: 'remove'; id: string };

interface Inflight {
  promise: Promise<Listing>;
  mutations: Mutation[];
  discarded: boolean;
}

export interface ListingCacheOptions {
  remote: Remote;
  store: MetaStore;
  clock: Clock;
  logger: Logger;
  dirCacheTimeMs: number;
  staleWhileRevalidate: boolean;
}

export interface ListingCounters {
  cacheHits: number;
  cacheMisses: number;
  listings: number;
  revalidations: number;
}

export class ListingCache {
  readonly counters: ListingCounters = { cacheHits: 0, cacheMisses: 0, listings: 0, revalidations: 0 };
  readonly #o: ListingCacheOptions;
  readonly #inflight = new Map<string, Inflight>();
  readonly #background = new Set<Promise<unknown>>();

  constructor(opts: ListingCacheOptions) {
    this.#o = opts;
  }

  /** True when `l` is still fresh. */
  isFresh(l: Listing): boolean {
    return l.fetchedAt + this.#o.dirCacheTimeMs > this.#o.clock.now();
  }

  /** The stored listing of `dir`, fresh or not, without fetching. */
  peek(dir: string): Listing | undefined {
    return this.#o.store.getListing(dir);
  }

  /**
   * The listing of `dir`: the stored one while fresh (or stale with staleWhileRevalidate, refreshed in the
   * background), else one fetched from the remote. Throws what remote.list throws (ENOENT, ENOTDIR, EAGAIN,
   * EIO...), or the signal's reason.
   */
  async get(dir: string, signal?: AbortSignal): Promise<Listing> {
    const cached = this.#o.store.getListing(dir);
    if (cached && this.isFresh(cached)) {
      this.counters.cacheHits += 1;
      return cached;
    }
    if (cached && this.#o.staleWhileRevalidate) {
      this.counters.cacheHits += 1;
      this.counters.revalidations += 1;
      this.#revalidate(dir);
      return cached;
    }
    this.counters.cacheMisses += 1;
    return raceSignal(this.#fetch(dir).promise, signal);
  }

  /** Fetch `dir` now (joining a fetch in flight). Throws as `get`. */
  refresh(dir: string, signal?: AbortSignal): Promise<Listing> {
    return raceSignal(this.#fetch(dir).promise, signal);
  }

  /** Write-through: add or replace (same id) `entry` in its folder's listing. */
  upsert(entry: RemoteEntry): void {
    const dir = parentOf(entry.path);
    this.#o.store.upsertEntry(entry);
    this.#inflight.get(dir)?.mutations.push({ op: 'upsert', entry });
  }

  /** Write-through: drop the entry `id` from the listing of `dir`. */
  remove(dir: string, id: string): void {
    this.#o.store.removeEntry(dir, id);
    this.#inflight.get(dir)?.mutations.push({ op: 'remove', id });
  }

  /** Record that `dir` was just created by us: its listing is known (empty) and fresh. */
  putEmpty(dir: string): void {
    this.#o.store.putListing(dir, [], this.#o.clock.now());
  }

  /** Forget listings at and below `prefix` ('' = all); fetches in flight there are not stored. */
  forgetTree(prefix: string): void {
    this.#o.store.forgetTree(prefix);
    for (const [dir, f] of this.#inflight) if (isWithin(dir, prefix)) f.discarded = true;
  }

  /** Wait for background revalidations to settle. */
  async drain(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  #revalidate(dir: string): void {
    if (this.#inflight.has(dir)) return;
    const p = this.#fetch(dir).promise.catch((err: unknown) => {
      this.#o.logger.warn({ dir, err }, 'background revalidation failed');
    });
    this.#background.add(p);
    void p.finally(() => this.#background.delete(p));
  }

  #fetch(dir: string): Inflight {
    const running = this.#inflight.get(dir);
    if (running) return running;
    const f: Inflight = { promise: Promise.resolve({ entries: [], fetchedAt: 0 }), mutations: [], discarded: false };
    f.promise = this.#run(dir, f);
    this.#inflight.set(dir, f);
    void f.promise.then(
      () => this.#inflight.delete(dir),
      () => this.#inflight.delete(dir),
    );
    return f;
  }

  async #run(dir: string, f: Inflight): Promise<Listing> {
    const fetchedAt = this.#o.clock.now();
    this.counters.listings += 1;
    let entries: RemoteEntry[];
    try {
      entries = await this.#o.remote.list(dir);
    } catch (err) {
      if (isFsError(err, 'ENOENT') || isFsError(err, 'ENOTDIR')) this.#vanished(dir);
      throw err;
    }
    for (const m of f.mutations) {
      if (m.op === 'upsert') entries = [...entries.filter((e) => e.id !== m.entry.id), m.entry];
      else entries = entries.filter((e) => e.id !== m.id);
    }
    if (!f.discarded) this.#o.store.putListing(dir, entries, fetchedAt);
    return { entries, fetchedAt };
  }

  /** `dir` is gone (or is a file now): forget it and drop it from its parent's cached listing. */
  #vanished(dir: string): void {
    if (dir === '') return;
    this.forgetTree(dir);
    const parent = this.#o.store.getListing(parentOf(dir));
    for (const e of parent?.entries ?? []) {
      if (e.path === dir && e.kind === 'dir') this.remove(parentOf(dir), e.id);
    }
  }
}
