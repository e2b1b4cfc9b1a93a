/**
 * Cached remote listings: the MetaStore holds them (so a restarted VFS answers a known tree with zero remote
 * calls); this module decides freshness and fetches.
 *
 * - Fresh while fetchedAt + dirCacheTimeMs > clock.now() (rclone --dir-cache-time). A stale or missing
 *   listing is fetched again, blocking the caller; with staleWhileRevalidate a stale one is served at once
 *   and refreshed in the background (a background listing: the remote serves waiting clients first).
 * - A listing younger than `minRelistMs` (the service's one-listing-per-folder-per-30-s rule) answers every
 *   request for that folder, a forced refresh included: asking the service again would break the rule or wait
 *   for it, and the stored listing already holds our own changes. A partial listing (the remote could not give
 *   the whole folder) is fresh for `minRelistMs` only, then fetched again.
 * - Read-your-writes: every fetched listing is seen through our recent changes (consistency.ts) before it is
 *   stored, so a stale answer of an eventually consistent service neither hides a file we just wrote nor shows
 *   one we just deleted.
 * - Single-flight: one remote.list per folder in flight, however many callers wait. A caller's signal
 *   aborts its own wait, never the shared fetch.
 * - Write-through: changes made through us (upsert/remove) update the stored listing in place. A change
 *   made while a fetch of that folder is in flight is also replayed onto the fetched entries before they
 *   are stored, so a listing that started before a mkdir cannot resurrect the old state.
 * - forgetTree drops listings (and dir ids) at and below a folder; a fetch in flight below it is not stored.
 * - Several gateways (`changes`): every change above, and every listing fetched, is told to the other gateways
 *   of the account, and theirs are applied here as our own (`applyShared`): a file uploaded through another
 *   gateway is listed here at once, without a listing of ours (which the folder rule may forbid for 30 s).
 *
 * Concurrency: all store calls are synchronous, so the only await that sees half-updated state is the
 * remote.list itself (handled by the replay above).
 */
import { isFsError } from '../core/errors.ts';
import { isWithin, parentOf } from '../core/path.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import type { Listing, MetaStore } from '../store/types.ts';
import type { ListingChange, ListingChangeFeed } from './types.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { raceSignal } from '../util/abort.ts';
import { DEFAULT_CONSISTENCY_GRACE_MS, RecentWrites } from './consistency.ts';

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
  /** A listing younger than this answers every request for its folder, forced refreshes included. Default 0. */
  minRelistMs?: number;
  /** How long our own changes override what fetched listings say (consistency.ts). Default 60 s. */
  consistencyGraceMs?: number;
  /** Changes told to and heard from other gateways of the account. Default none. */
  changes?: ListingChangeFeed;
}

/** A fetched listing larger than this is not told to other gateways (the message would be too large). */
const SHARED_LISTING_MAX_ENTRIES = 2000;

export interface ListingCounters {
  cacheHits: number;
  cacheMisses: number;
  listings: number;
  revalidations: number;
  /** Refreshes answered from a listing younger than the relist interval instead of asking the service again. */
  relistsAvoided: number;
}

export class ListingCache {
  readonly counters: ListingCounters = { cacheHits: 0, cacheMisses: 0, listings: 0, revalidations: 0, relistsAvoided: 0 };
  readonly #o: ListingCacheOptions;
  readonly #minRelist: number;
  readonly #writes: RecentWrites;
  /** Folder -> ids the service made there on our request, that its listings may show late, and until when. */
  readonly #expected = new Map<string, { ids: Set<string>; until: number }>();
  readonly #expectForMs: number;
  readonly #inflight = new Map<string, Inflight>();
  readonly #background = new Set<Promise<unknown>>();
  /** True while a change heard from another gateway is applied (it is not told again). */
  #applyingShared = false;

  constructor(opts: ListingCacheOptions) {
    this.#o = opts;
    this.#minRelist = opts.minRelistMs ?? 0;
    this.#writes = new RecentWrites(opts.clock, opts.consistencyGraceMs);
    this.#expectForMs = opts.consistencyGraceMs ?? DEFAULT_CONSISTENCY_GRACE_MS;
    opts.changes?.subscribe((c) => this.applyShared(c));
  }

  /** Applies a change told by another gateway as if it were ours (a newer listing replaces the stored one). */
  applyShared(c: ListingChange): void {
    this.#applyingShared = true;
    try {
      if (c.op === 'upsert') this.upsert(c.entry);
      else if (c.op === 'remove') this.remove(c.dir, c.id);
      else if (c.op === 'moveTree') this.moveTree(c.src, c.dst);
      else if (c.op === 'forgetTree') this.forgetTree(c.prefix, { gone: c.gone });
      else if (c.op === 'putEmpty') this.putEmpty(c.dir);
      else {
        const known = this.#o.store.getListing(c.dir);
        if (known && known.fetchedAt < c.fetchedAt && !this.#inflight.has(c.dir)) {
          this.#o.store.putListing(c.dir, this.#writes.apply(c.dir, c.entries, c.fetchedAt), c.fetchedAt, c.partial);
        }
      }
    } finally {
      this.#applyingShared = false;
    }
  }

  #tell(c: ListingChange): void {
    if (!this.#applyingShared) this.#o.changes?.publish(c);
  }

  /** True when `l` is still fresh (a partial listing only within the relist interval). */
  isFresh(l: Listing): boolean {
    const ttl = l.partial ? this.#minRelist : Math.max(this.#o.dirCacheTimeMs, this.#minRelist);
    return l.fetchedAt + ttl > this.#o.clock.now();
  }

  /** Time left before the folder of listing `l` may be asked for again, in ms (0 when it may now). */
  relistInMs(l: Listing): number {
    return Math.max(0, l.fetchedAt + this.#minRelist - this.#o.clock.now());
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

  /**
   * Fetch `dir` now (joining a fetch in flight), unless its stored listing is younger than the relist interval:
   * that one is the answer now, and it is marked stale so the next read lists the folder again (the listing
   * budget waits out the interval then): a refresh asked too early is postponed, never lost. `background`:
   * nobody waits for it (a warm-up). Throws as `get`.
   */
  refresh(dir: string, signal?: AbortSignal, opts: { background?: boolean } = {}): Promise<Listing> {
    const cached = this.#o.store.getListing(dir);
    if (cached && this.relistInMs(cached) > 0) {
      this.counters.relistsAvoided += 1;
      this.expire(dir);
      return Promise.resolve(cached);
    }
    return raceSignal(this.#fetch(dir, opts.background ?? false).promise, signal);
  }

  /** Write-through: add or replace (same id) `entry` in its folder's listing (a change of ours). */
  upsert(entry: RemoteEntry): void {
    const dir = parentOf(entry.path);
    this.#o.store.upsertEntry(entry);
    this.#writes.added(entry);
    this.#inflight.get(dir)?.mutations.push({ op: 'upsert', entry });
    this.#tell({ op: 'upsert', entry });
  }

  /** Write-through: drop the entry `id` from the listing of `dir` (a change of ours). */
  remove(dir: string, id: string): void {
    this.#o.store.removeEntry(dir, id);
    this.#writes.removed(dir, id);
    this.#inflight.get(dir)?.mutations.push({ op: 'remove', id });
    this.#tell({ op: 'remove', dir, id });
  }

  /**
   * A folder moved from `src` to `dst` through us: its cached listings below move with it (no listing is
   * needed to show it at its new place), fetches in flight there are not stored.
   */
  moveTree(src: string, dst: string): void {
    this.#o.store.moveTree(src, dst);
    this.#writes.moved(src, dst);
    for (const [dir, f] of this.#inflight) if (isWithin(dir, src)) f.discarded = true;
    this.#tell({ op: 'moveTree', src, dst });
  }

  /**
   * The service made entries `ids` in `dir` on our request, and we know them by id only (a remote upload's
   * files): until a fetched listing shows them all, or the consistency grace ends, a listing of `dir` that lacks
   * one is stored already due for a new fetch, so the next read lists the folder again instead of trusting a
   * late listing for the whole dir cache time.
   */
  expect(dir: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    const e = this.#expected.get(dir);
    const until = this.#o.clock.now() + this.#expectForMs;
    if (e) {
      for (const id of ids) e.ids.add(id);
      e.until = until;
    } else this.#expected.set(dir, { ids: new Set(ids), until });
  }

  /** The listing of `dir` no longer reflects the service (an operation half done): fetch it at the next read. */
  expire(dir: string): void {
    const l = this.#o.store.getListing(dir);
    if (l) this.#o.store.putListing(dir, l.entries, Math.min(l.fetchedAt, this.#o.clock.now() - Math.max(this.#o.dirCacheTimeMs, this.#minRelist)), l.partial);
  }

  /** Record that `dir` was just created by us: its listing is known (empty) and fresh. */
  putEmpty(dir: string): void {
    this.#o.store.putListing(dir, [], this.#o.clock.now());
    this.#tell({ op: 'putEmpty', dir });
  }

  /**
   * Forget listings at and below `prefix` ('' = all); fetches in flight there are not stored. `gone`: the
   * folder itself went away through us, so our recorded changes there go too (a mere forget keeps them, so a
   * listing fetched again still shows what we wrote).
   */
  forgetTree(prefix: string, opts: { gone?: boolean } = {}): void {
    this.#o.store.forgetTree(prefix);
    if (opts.gone) this.#writes.forget(prefix);
    for (const [dir, f] of this.#inflight) if (isWithin(dir, prefix)) f.discarded = true;
    this.#tell({ op: 'forgetTree', prefix, gone: opts.gone ?? false });
  }

  /** Wait for background revalidations to settle. */
  async drain(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  #revalidate(dir: string): void {
    if (this.#inflight.has(dir)) return;
    const p = this.#fetch(dir, true).promise.catch((err: unknown) => {
      this.#o.logger.warn({ dir, err }, 'background revalidation failed');
    });
    this.#background.add(p);
    void p.finally(() => this.#background.delete(p));
  }

  #fetch(dir: string, background = false): Inflight {
    const running = this.#inflight.get(dir);
    if (running) return running;
    const f: Inflight = { promise: Promise.resolve({ entries: [], fetchedAt: 0 }), mutations: [], discarded: false };
    f.promise = this.#run(dir, f, background);
    this.#inflight.set(dir, f);
    void f.promise.then(
      () => this.#inflight.delete(dir),
      () => this.#inflight.delete(dir),
    );
    return f;
  }

  async #run(dir: string, f: Inflight, background: boolean): Promise<Listing> {
    this.counters.listings += 1;
    let entries: RemoteEntry[];
    let partial = false;
    try {
      entries = await this.#o.remote.list(dir, undefined, { background, onPartial: () => (partial = true) });
    } catch (err) {
      if (isFsError(err, 'ENOENT') || isFsError(err, 'ENOTDIR')) this.#vanished(dir);
      throw err;
    }
    // Stamped when the answer arrived, not when it was asked for: a listing may wait for the listing budget
    // (up to the per-folder interval) before it is sent, and counting its freshness from before that wait made it
    // stale on arrival whenever the wait outlasted --dir-cache-time. The overlay of recent writes stays right:
    // it drops a record only when the listing shows the change (writes.apply).
    const fetchedAt = this.#o.clock.now();
    for (const m of f.mutations) {
      if (m.op === 'upsert') entries = [...entries.filter((e) => e.id !== m.entry.id), m.entry];
      else entries = entries.filter((e) => e.id !== m.id);
    }
    entries = this.#writes.apply(dir, entries, fetchedAt);
    if (!f.discarded) {
      this.#o.store.putListing(dir, entries, fetchedAt, partial);
      if (entries.length <= SHARED_LISTING_MAX_ENTRIES) this.#tell({ op: 'listed', dir, entries, fetchedAt, partial });
      if (this.#stillExpecting(dir, entries)) this.expire(dir);
    }
    return partial ? { entries, fetchedAt, partial } : { entries, fetchedAt };
  }

  /** True when `dir` waits for entries (expect) that `entries` still lack, within the time allowed. */
  #stillExpecting(dir: string, entries: RemoteEntry[]): boolean {
    const e = this.#expected.get(dir);
    if (!e) return false;
    for (const x of entries) e.ids.delete(x.id);
    if (e.ids.size > 0 && this.#o.clock.now() < e.until) return true;
    this.#expected.delete(dir);
    return false;
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
