/**
 * The listing budget: 1fichier's listing rules, kept apart from the general pacing of API calls. A listing is a
 * folder/ls or file/ls call (one page of one folder); the rules (the official API page and an rclone
 * maintainer's account) are:
 * - listings start at least `intervalMs` apart, whatever the folder (default 3 s);
 * - one folder is listed at most once per `folderIntervalMs` (default 30 s; every page counts).
 *
 * The service measures when a listing arrives, which the client cannot see; the end of the previous listing's
 * answer is a time the arrival certainly preceded, so the spacing counts from there: one listing at a time, the
 * next `intervalMs` after the previous one ended, the same folder `folderIntervalMs` after its last listing ended.
 *
 * Order: foreground listings (a client is waiting) go before background ones (revalidation, recursive warm-ups):
 * a background listing starts only when no foreground one waits. Among each class, the first that may start
 * goes (a folder still inside its 30 s does not hold up the others). A waiter's signal aborts its own wait.
 *
 * State lives in a RateState (rate-state.ts), so gateways sharing a key can share the budget; this module only
 * orders the local waiters. Concurrency: `#pump` is the one loop that grants; every await in it re-reads the
 * queue, which callers may change at any time (a new waiter, an abort, a release) and then wake it.
 */
import type { Clock } from '../util/clock.ts';
import type { RateState } from './rate-state.ts';

export interface ListingBudgetOptions {
  state: RateState;
  clock: Clock;
  /** Minimum time between two listings, from the end of the previous one, in ms. Default 3000. */
  intervalMs?: number;
  /** Minimum time between two listings of one folder, from the end of the previous one, in ms. Default 30 000. */
  folderIntervalMs?: number;
  /** Longest hold of the budget by one listing (frees the budget of a holder that died). Default 10 min. */
  leaseMs?: number;
}

export interface ListingRequest {
  /** The folder listed (0 = the root, -1 = every file of the account). */
  folderId: number;
  /** A listing nobody waits for (revalidation, warm-up): goes after every foreground one. */
  background?: boolean;
  signal?: AbortSignal;
}

/** The budget held for one listing; release it exactly once, saying whether the request was sent. */
export interface ListingLease {
  release(sent: boolean): Promise<void>;
}

export interface ListingBudgetStats {
  /** Listings granted since creation. */
  granted: number;
  /** Waiters now, by class. */
  foreground: number;
  background: number;
}

export interface ListingBudget {
  /**
   * Resolves once this listing may be sent; rejects with the signal's reason when it aborts first (nothing is
   * held then).
   */
  acquire(req: ListingRequest): Promise<ListingLease>;
  stats(): ListingBudgetStats;
  readonly intervalMs: number;
  readonly folderIntervalMs: number;
}

export const DEFAULT_LIST_INTERVAL_MS = 3000;
export const DEFAULT_LIST_FOLDER_INTERVAL_MS = 30_000;
const DEFAULT_LEASE_MS = 10 * 60_000;

export function createListingBudget(opts: ListingBudgetOptions): ListingBudget {
  return new Budget(opts);
}

interface Waiter {
  req: ListingRequest;
  grant: (lease: ListingLease) => void;
  fail: (err: unknown) => void;
}

class Budget implements ListingBudget {
  readonly intervalMs: number;
  readonly folderIntervalMs: number;
  readonly #state: RateState;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #waiters: Waiter[] = [];
  #granted = 0;
  #pumping = false;
  /** Set by every poke: the queue or the budget changed since the pump last looked. */
  #dirty = false;
  #wake: AbortController | undefined;

  constructor(o: ListingBudgetOptions) {
    this.#state = o.state;
    this.#clock = o.clock;
    this.intervalMs = o.intervalMs ?? DEFAULT_LIST_INTERVAL_MS;
    this.folderIntervalMs = o.folderIntervalMs ?? DEFAULT_LIST_FOLDER_INTERVAL_MS;
    this.#leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  }

  acquire(req: ListingRequest): Promise<ListingLease> {
    const { signal } = req;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ListingLease>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        reject(signal?.reason);
        this.#poke();
      };
      const waiter: Waiter = {
        req,
        grant: (lease) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#poke();
    });
  }

  stats(): ListingBudgetStats {
    const background = this.#waiters.filter((w) => w.req.background).length;
    return { granted: this.#granted, foreground: this.#waiters.length - background, background };
  }

  /** Starts the pump, or wakes it from its sleep to look at the queue again. */
  #poke(): void {
    this.#dirty = true;
    if (this.#pumping) {
      this.#wake?.abort();
      return;
    }
    this.#pumping = true;
    void this.#pump().finally(() => {
      this.#pumping = false;
      if (this.#waiters.length > 0) this.#poke();
    });
  }

  async #pump(): Promise<void> {
    while (this.#waiters.length > 0) {
      this.#dirty = false;
      // One `now` for the whole pass, and every waiting folder asked again at least once per interval: a shared
      // state tells a pass's claims apart by it and keeps a waiting gateway's place only while it keeps asking.
      const now = this.#clock.now();
      const foreground = this.#waiters.filter((w) => !w.req.background);
      const candidates = foreground.length > 0 ? foreground : this.#waiters;
      let retryAt = Number.POSITIVE_INFINITY;
      let granted = false;
      for (const w of candidates) {
        let claim;
        try {
          claim = await this.#state.claimListing(w.req.folderId, now, this.#leaseMs);
        } catch (err) {
          this.#remove(w);
          w.fail(err);
          granted = true;
          break;
        }
        if (!this.#waiters.includes(w)) {
          // Aborted while the claim was answered: give the budget back unused.
          if (claim.ok) await this.#end(w.req.folderId, false);
          granted = true;
          break;
        }
        if (claim.ok) {
          this.#remove(w);
          this.#granted++;
          w.grant(this.#lease(w.req.folderId));
          granted = true;
          break;
        }
        retryAt = Math.min(retryAt, claim.retryAt);
      }
      if (granted || this.#dirty) continue;
      // Ask again when the earliest waiter may go, or after one interval (a holder elsewhere may end sooner).
      const wait = Math.max(1, Math.min(retryAt - now, Math.max(1, this.intervalMs)));
      this.#wake = new AbortController();
      await this.#clock.sleep(wait, this.#wake.signal).catch(() => undefined);
      this.#wake = undefined;
    }
  }

  #lease(folderId: number): ListingLease {
    let released = false;
    return {
      release: async (sent) => {
        if (released) return;
        released = true;
        await this.#end(folderId, sent);
      },
    };
  }

  async #end(folderId: number, sent: boolean): Promise<void> {
    try {
      await this.#state.endListing(folderId, this.#clock.now(), sent, this.intervalMs, this.folderIntervalMs);
    } finally {
      this.#poke();
    }
  }

  #remove(w: Waiter): void {
    const i = this.#waiters.indexOf(w);
    if (i >= 0) this.#waiters.splice(i, 1);
  }
}
