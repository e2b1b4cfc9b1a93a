/**
 * The RateState a gateway with `--shared-state` uses: the Redis one while Redis answers, its own local one
 * (the in-process state of api/rate-state.ts, persisted as usual) when it does not, switching per call.
 *
 * - Shared: every step goes to Redis; what this gateway does is also written to the local state (its call
 *   starts, its listings, the bans it sees), so the local state takes over from where this gateway was.
 * - Local (Redis unreachable, lost, or a command failed): the general spacing is divided by `share`, and the
 *   listings follow the timetable of schedule.ts (own frames, own folders, nothing before one folder interval
 *   after the loss), built from the membership last seen in Redis. The link logs the change once.
 * - Back: for `settleMs` after Redis returns (the other gateways are still reconnecting, on their timetables),
 *   listings follow both the shared budget and the timetable; this gateway's times and bans from the local
 *   period are merged into Redis first (later times win), so nobody starts listings that would break a rule.
 *
 * Concurrency: `#mode` and the remembered times change synchronously; every await is one Redis or local step.
 */
import type { BanRecord, ListingClaim, RateState } from '../api/rate-state.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { SharedLink } from './link.ts';
import type { SharedRateState } from './redis-rate-state.ts';
import { listingSlot, type Membership } from './schedule.ts';

export interface FailoverOptions {
  shared: SharedRateState;
  local: RateState;
  link: Pick<SharedLink, 'up' | 'onChange'>;
  clock: Clock;
  logger: Logger;
  /** Share of the budget this gateway takes on local state, 0 < share <= 1. */
  share: number;
  /** The listing budget's intervals (the timetable needs them). */
  listIntervalMs: number;
  folderIntervalMs: number;
  /** How long the timetable still applies after Redis returns. Default 10 s (the link's longest reconnect wait, doubled). */
  settleMs?: number;
  /** The membership to assume before Redis was ever seen. Default: round(1 / share) gateways, this one at 0. */
  members?: Membership;
}

export interface FailoverStats {
  /** 'shared' (Redis answers), 'settling' (back, on the timetable for a while), 'local' (Redis away). */
  mode: 'shared' | 'settling' | 'local';
  /** Steps answered by the local state since start. */
  localSteps: number;
  members: Membership;
}

export interface FailoverRateState extends RateState {
  probeAnswered(): Promise<void>;
  stats(): FailoverStats;
  /** Sets the membership (from the heartbeat). */
  setMembers(m: Membership): void;
}

export function createFailoverRateState(opts: FailoverOptions): FailoverRateState {
  return new Failover(opts);
}

class Failover implements FailoverRateState {
  readonly #o: FailoverOptions;
  readonly #share: number;
  readonly #settle: number;
  #members: Membership;
  /** When Redis was lost (or the gateway started without it); -Infinity while it answered since start. */
  #lostAt: number;
  /** When Redis came back after a loss. */
  #backAt = Number.NEGATIVE_INFINITY;
  #localSteps = 0;
  /** What this gateway did on local state, merged into Redis when it returns. */
  #localNextListing = Number.NEGATIVE_INFINITY;
  #localNextCall = Number.NEGATIVE_INFINITY;
  readonly #localFolders = new Map<number, number>();
  #localBan: BanRecord | undefined;
  #merging: Promise<void> | undefined;

  constructor(o: FailoverOptions) {
    if (!(o.share > 0 && o.share <= 1)) throw new RangeError(`fallback share must be in (0, 1], got ${o.share}`);
    this.#o = o;
    this.#share = o.share;
    this.#settle = o.settleMs ?? 10_000;
    this.#members = o.members ?? { count: Math.max(1, Math.round(1 / o.share)), index: 0 };
    this.#lostAt = o.link.up ? Number.NEGATIVE_INFINITY : o.clock.now();
    o.link.onChange((up) => {
      const now = o.clock.now();
      if (!up) {
        this.#lostAt = now;
        return;
      }
      this.#backAt = now;
      this.#merging = this.#mergeBack().catch((err: unknown) => o.logger.warn({ err: describe(err) }, 'could not merge local pacing times into the shared state'));
    });
  }

  stats(): FailoverStats {
    return { mode: this.#mode(), localSteps: this.#localSteps, members: { ...this.#members } };
  }

  setMembers(m: Membership): void {
    if (m.count >= 1 && m.index >= 0 && m.index < m.count) this.#members = { ...m };
  }

  async reserveCall(now: number, intervalMs: number): Promise<number> {
    return this.#either(
      async (s) => {
        const at = await s.reserveCall(now, intervalMs);
        await this.#o.local.reserveCall(at, intervalMs);
        return at;
      },
      async (l) => {
        const at = await l.reserveCall(now, intervalMs / this.#share);
        this.#localNextCall = Math.max(this.#localNextCall, at + intervalMs / this.#share);
        return at;
      },
    );
  }

  async ban(): Promise<BanRecord | undefined> {
    return this.#either(
      async (s) => {
        const ban = await s.ban();
        const local = await this.#o.local.ban();
        if (ban && (!local || local.until < ban.until || local.level !== ban.level)) await this.#o.local.updateBan(() => ban);
        return ban;
      },
      (l) => l.ban(),
    );
  }

  async updateBan(next: (previous: BanRecord | undefined) => BanRecord): Promise<BanRecord> {
    return this.#either(
      async (s) => {
        const ban = await s.updateBan(next);
        await this.#o.local.updateBan(() => ban);
        return ban;
      },
      async (l) => {
        const ban = await l.updateBan(next);
        this.#localBan = ban;
        return ban;
      },
    );
  }

  async probeAnswered(): Promise<void> {
    if (this.#o.link.up) await this.#o.shared.probeAnswered().catch(() => undefined);
  }

  async claimListing(folderId: number, now: number, leaseMs: number): Promise<ListingClaim> {
    const timetable = (): ListingClaim | undefined => {
      const slot = listingSlot({
        now,
        folderId,
        listIntervalMs: this.#o.listIntervalMs,
        folderIntervalMs: this.#o.folderIntervalMs,
        lostAt: this.#lostAt,
        members: this.#members,
      });
      return slot.ok ? undefined : { ok: false, retryAt: slot.retryAt };
    };
    return this.#either(
      async (s) => {
        const wait = this.#mode() === 'settling' ? timetable() : undefined;
        return wait ?? s.claimListing(folderId, now, leaseMs);
      },
      async (l) => timetable() ?? l.claimListing(folderId, now, leaseMs),
    );
  }

  async endListing(folderId: number, endedAt: number, sent: boolean, intervalMs: number, folderIntervalMs: number): Promise<void> {
    await this.#either(
      async (s) => {
        await s.endListing(folderId, endedAt, sent, intervalMs, folderIntervalMs);
        await this.#o.local.endListing(folderId, endedAt, sent, intervalMs, folderIntervalMs);
      },
      async (l) => {
        const interval = intervalMs / this.#share;
        const folderInterval = folderIntervalMs / this.#share;
        await l.endListing(folderId, endedAt, sent, interval, folderInterval);
        if (!sent) return;
        this.#localNextListing = Math.max(this.#localNextListing, endedAt + interval);
        this.#localFolders.set(folderId, Math.max(this.#localFolders.get(folderId) ?? 0, endedAt + folderInterval));
      },
    );
  }

  #mode(): FailoverStats['mode'] {
    if (!this.#o.link.up) return 'local';
    return this.#o.clock.now() < this.#backAt + this.#settle ? 'settling' : 'shared';
  }

  /** Runs `shared` while Redis answers (after any merge in progress), else, or when it fails, `local`. */
  async #either<T>(shared: (s: SharedRateState) => Promise<T>, local: (l: RateState) => Promise<T>): Promise<T> {
    if (this.#o.link.up) {
      try {
        if (this.#merging) await this.#merging;
        return await shared(this.#o.shared);
      } catch {
        // Redis failed this step (the link logs the loss once): this step, and the next ones until it is back,
        // use the local state.
        if (this.#lostAt < this.#backAt || this.#lostAt === Number.NEGATIVE_INFINITY) this.#lostAt = this.#o.clock.now();
      }
    }
    this.#localSteps++;
    return local(this.#o.local);
  }

  /** Merges what this gateway did on local state into Redis (later times win), then forgets it. */
  async #mergeBack(): Promise<void> {
    const now = this.#o.clock.now();
    const s = this.#o.shared;
    await s.mergeBack(this.#localNextListing, this.#localNextCall);
    for (const [folderId, at] of this.#localFolders) {
      if (at > now) await s.endListing(folderId, now, true, Math.max(0, this.#localNextListing - now), at - now);
    }
    const ban = this.#localBan;
    if (ban && ban.until > now) await s.updateBan((prev) => (prev && prev.until >= ban.until ? prev : ban));
    this.#localFolders.clear();
    this.#localBan = undefined;
    this.#localNextListing = Number.NEGATIVE_INFINITY;
    this.#localNextCall = Number.NEGATIVE_INFINITY;
    this.#merging = undefined;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? ((err as { code?: string }).code ?? err.name) : typeof err;
}
