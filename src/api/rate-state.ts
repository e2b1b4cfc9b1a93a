/**
 * The state of the pacing rules of ONE API key, behind a small interface: what several gateways sharing the key
 * must agree on, kept apart from the logic that reads it (pacer.ts, list-budget.ts) so that a shared
 * implementation (a Redis one, for gateways on several hosts) can replace the in-process one without touching
 * its callers. Every method is one atomic step and returns a promise, as a networked store would.
 *
 * What it holds (times are ms of the injected clock, i.e. wall-clock ms in production):
 * - the next start of an API call (the general spacing, rclone's 400 ms);
 * - the ban: until when, its level (1 = first ban, 2+ = escalated), when the last one ended;
 * - the listing budget: when the next listing may start (any folder) and, per folder, when it may be listed
 *   again; a listing in flight holds the budget under a lease until it ends.
 *
 * The in-process implementation may be given a `persist` hook: the ban and the listing times are saved there on
 * every change and loaded at creation, so a restarted process (a supervisor's restart loop) sends nothing
 * before a ban ends and does not list a folder again too early. The general spacing is not saved: a restart
 * takes longer than it.
 */
import type { Clock } from '../util/clock.ts';

/** A ban of the key as last seen. */
export interface BanRecord {
  /** End of the cooldown (ms). */
  until: number;
  /** 1 for a first ban; 2 and more for a ban before the previous one had decayed (longer cooldowns). */
  level: number;
}

/** What a shared store keeps; also the persisted form. */
export interface RateSnapshot {
  ban?: BanRecord;
  /** Earliest start of the next listing of any folder. */
  nextListingAt: number;
  /** Folder id -> earliest start of its next listing (entries in the past may be dropped). */
  folderNextAt: Record<string, number>;
}

/** The answer to a listing claim. */
export type ListingClaim = { ok: true } | { ok: false; retryAt: number };

export interface RateState {
  /**
   * Reserves the start of one API call: returns the time (>= now) at which it may start; the next reservation
   * will be at least `intervalMs` after it.
   */
  reserveCall(now: number, intervalMs: number): Promise<number>;
  /** The ban last recorded (possibly over), or undefined when the key was never banned (or the record decayed). */
  ban(): Promise<BanRecord | undefined>;
  /**
   * Atomically replaces the ban record with `next(previous)` and returns the new record (two gateways seeing the
   * same ban must not both escalate it: `next` is given what the other one already wrote).
   */
  updateBan(next: (previous: BanRecord | undefined) => BanRecord): Promise<BanRecord>;
  /**
   * Claims the listing budget for one listing of `folderId` at `now`: granted when no listing holds it, `now` is
   * past the next-listing time and past the folder's own; the budget is then held for at most `leaseMs` (a
   * holder that died frees it then). Otherwise says when to ask again.
   */
  claimListing(folderId: number, now: number, leaseMs: number): Promise<ListingClaim>;
  /**
   * Releases the budget after a listing of `folderId` that was (`sent`) or was not sent: when sent, the next
   * listing may start `intervalMs` after `endedAt`, and this folder's `folderIntervalMs` after it.
   */
  endListing(folderId: number, endedAt: number, sent: boolean, intervalMs: number, folderIntervalMs: number): Promise<void>;
  /**
   * Optional, for a state shared by several processes: the first call after a ban (the probe) that this process
   * sent got an answer from the server, so the other processes waiting for it may go on. Never required: a
   * shared state must also free them when its own probe lease ends.
   */
  probeAnswered?(): Promise<void>;
}

/** Where the in-process state saves itself (the metadata store, wired by app/stack.ts). */
export interface RatePersistence {
  /** The saved state, or undefined. Must not throw (a broken record is ignored). */
  load(): RateSnapshot | undefined;
  /** Saves the state. A failure is logged by the caller, never fatal. */
  save(snapshot: RateSnapshot): void;
}

/** The in-process RateState, optionally persisted (see the module doc). */
export function createRateState(opts: { clock: Clock; persist?: RatePersistence; onSaveError?: (err: unknown) => void }): RateState {
  return new LocalRateState(opts.clock, opts.persist, opts.onSaveError);
}

class LocalRateState implements RateState {
  #nextCall = Number.NEGATIVE_INFINITY;
  #ban: BanRecord | undefined;
  #nextListing = Number.NEGATIVE_INFINITY;
  #folderNext = new Map<string, number>();
  /** End of the lease of the listing in flight, 0 when none. */
  #leaseUntil = 0;

  constructor(
    private readonly clock: Clock,
    private readonly persist: RatePersistence | undefined,
    private readonly onSaveError: ((err: unknown) => void) | undefined,
  ) {
    const saved = persist?.load();
    if (!saved) return;
    if (saved.ban && Number.isFinite(saved.ban.until) && saved.ban.level >= 1) this.#ban = { until: saved.ban.until, level: saved.ban.level };
    if (Number.isFinite(saved.nextListingAt)) this.#nextListing = saved.nextListingAt;
    for (const [id, at] of Object.entries(saved.folderNextAt ?? {})) if (Number.isFinite(at)) this.#folderNext.set(id, at);
  }

  async reserveCall(now: number, intervalMs: number): Promise<number> {
    const at = Math.max(now, this.#nextCall);
    this.#nextCall = at + intervalMs;
    return at;
  }

  async ban(): Promise<BanRecord | undefined> {
    return this.#ban ? { ...this.#ban } : undefined;
  }

  async updateBan(next: (previous: BanRecord | undefined) => BanRecord): Promise<BanRecord> {
    this.#ban = { ...next(this.#ban ? { ...this.#ban } : undefined) };
    this.#save();
    return { ...this.#ban };
  }

  async claimListing(folderId: number, now: number, leaseMs: number): Promise<ListingClaim> {
    const retryAt = Math.max(this.#leaseUntil, this.#nextListing, this.#folderNext.get(String(folderId)) ?? Number.NEGATIVE_INFINITY);
    if (retryAt > now) return { ok: false, retryAt };
    this.#leaseUntil = now + leaseMs;
    return { ok: true };
  }

  async endListing(folderId: number, endedAt: number, sent: boolean, intervalMs: number, folderIntervalMs: number): Promise<void> {
    this.#leaseUntil = 0;
    if (!sent) return;
    this.#nextListing = Math.max(this.#nextListing, endedAt + intervalMs);
    const key = String(folderId);
    this.#folderNext.set(key, Math.max(this.#folderNext.get(key) ?? Number.NEGATIVE_INFINITY, endedAt + folderIntervalMs));
    this.#save();
  }

  #save(): void {
    if (!this.persist) return;
    const now = this.clock.now();
    for (const [id, at] of this.#folderNext) if (at <= now) this.#folderNext.delete(id);
    const snapshot: RateSnapshot = {
      ...(this.#ban ? { ban: { ...this.#ban } } : {}),
      nextListingAt: Number.isFinite(this.#nextListing) ? this.#nextListing : 0,
      folderNextAt: Object.fromEntries(this.#folderNext),
    };
    try {
      this.persist.save(snapshot);
    } catch (err) {
      this.onSaveError?.(err);
    }
  }
}
