/**
 * The RateState of one API key kept in Redis, shared by every gateway and CLI process of that key: the next call
 * start, the ban (with its escalation level) and the listing budget with its lease. Each method is one script of
 * scripts.ts (atomic in Redis) except updateBan, whose new value is computed by the caller's function: it is a
 * compare-and-set on the ban's version, retried when another gateway changed the ban in between.
 *
 * One probe after a ban for all gateways: `ban()` names the first gateway that reads an ended ban as its prober
 * (for `probeLeaseMs`); the others are shown the ban lasting until that lease ends (in steps of `probePollMs`, so they look again), so they wait. The prober's
 * pacer reports the answer (`probeAnswered`), which ends the wait of the others at once; a prober that died
 * frees the role when its lease ends.
 *
 * Keys live under `prefix` (a hash of the API base and the key: the key itself never reaches Redis) and expire:
 * a folder's next-listing time when it passes, a folder's waiting order soon after its waiters stop asking, the
 * listing queue after 10 min without a claim, the rest after `idleTtlMs` without a change.
 *
 * Every method rejects when Redis does not answer (link.ts: no queueing, a short timeout); failover.ts turns that
 * into the local state.
 */
import type { Redis } from 'ioredis';
import type { BanRecord, ListingClaim, RateState } from '../api/rate-state.ts';
import type { Clock } from '../util/clock.ts';
import { CLAIM_LISTING, END_LISTING, MERGE_BACK, PROBE_ANSWERED, READ_BAN, RESERVE_CALL, SET_BAN } from './scripts.ts';

export interface RedisRateStateOptions {
  redis: Redis;
  /** Key prefix of the account, ending with ':'. */
  prefix: string;
  /** This process's name in the state (probe and listing lease holder): unique per process. */
  owner: string;
  /** How long the prober holds its role without answering. Default 30 s. */
  probeLeaseMs?: number;
  /** How often a gateway waiting for another one's probe asks whether it was answered. Default 250 ms. */
  probePollMs?: number;
  /** The callers' clock (wall-clock ms in production: every gateway must speak the same time). */
  clock: Clock;
  /** How long state without changes is kept. Default 1 day (longer than any ban and its decay). */
  idleTtlMs?: number;
  /**
   * How long the gateway first in the listing queue has to claim the budget once it is free before it loses its
   * place (scripts.ts CLAIM_LISTING). Default 250 ms: it asks again at the time it was told, so this covers timer
   * and network delays. Give at most one listing interval: a head that is not coming holds the budget idle for
   * this long, and a grace longer than the interval wastes more than a whole listing slot each time.
   */
  queueGraceMs?: number;
  /**
   * The longest time between two claims of a gateway waiting for a folder: list-budget.ts asks again for every
   * waiting folder at least once per listing interval, so give that interval. A gateway not seen asking for a
   * folder for this long plus the grace has gone and loses its place in that folder's order. Default 3000 ms.
   */
  askEveryMs?: number;
}

/** A RateState that also tells, for the pacer's probe after a ban, that the probe got an answer. */
export interface SharedRateState extends RateState {
  probeAnswered(): Promise<void>;
  /** Merges local times into Redis (after running on local state): later times win; frees this owner's lease. */
  mergeBack(nextListingAt: number, nextCallAt: number): Promise<void>;
}

const SCRIPTS = { RESERVE_CALL, READ_BAN, SET_BAN, PROBE_ANSWERED, CLAIM_LISTING, END_LISTING, MERGE_BACK } as const;
type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;

export function createRedisRateState(opts: RedisRateStateOptions): SharedRateState {
  return new RedisRateState(opts);
}

export const QUEUE_GRACE_MS = 250;
/** The default listing interval (api/list-budget.ts), the longest a waiting gateway goes without asking again. */
const ASK_EVERY_MS = 3000;

/** Times go to Redis as whole ms: Lua numbers are doubles, and whole ms of the epoch are exact in them. */
const ms = (n: number): string => String(Math.ceil(n));

class RedisRateState implements SharedRateState {
  readonly #redis: Redis;
  readonly #k: { call: string; ban: string; probe: string; list: string };
  readonly #prefix: string;
  readonly #owner: string;
  readonly #probeLease: number;
  readonly #probePoll: number;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #queueGrace: number;
  readonly #askEvery: number;
  /** The version of the ban this process probes (set when `ban()` made it the prober). */
  #probing: string | undefined;

  constructor(o: RedisRateStateOptions) {
    this.#redis = o.redis;
    this.#prefix = o.prefix;
    this.#k = { call: `${o.prefix}call`, ban: `${o.prefix}ban`, probe: `${o.prefix}probe`, list: `${o.prefix}list` };
    this.#owner = o.owner;
    this.#probeLease = o.probeLeaseMs ?? 30_000;
    this.#probePoll = o.probePollMs ?? 250;
    this.#clock = o.clock;
    this.#ttl = o.idleTtlMs ?? 24 * 60 * 60_000;
    this.#queueGrace = o.queueGraceMs ?? QUEUE_GRACE_MS;
    this.#askEvery = o.askEveryMs ?? ASK_EVERY_MS;
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in this.#redis)) this.#redis.defineCommand(name, { lua });
    }
  }

  async reserveCall(now: number, intervalMs: number): Promise<number> {
    return Number(await this.#run('RESERVE_CALL', [this.#k.call], [ms(now), ms(intervalMs), this.#ttl]));
  }

  async ban(): Promise<BanRecord | undefined> {
    return this.#readBan(this.#clock.now());
  }

  async updateBan(next: (previous: BanRecord | undefined) => BanRecord): Promise<BanRecord> {
    for (let i = 0; ; i++) {
      const raw = await this.#redis.get(this.#k.ban);
      const current = parseBan(raw);
      const wanted = next(current ? { until: current.until, level: current.level } : undefined);
      const written = await this.#run('SET_BAN', [this.#k.ban], [current?.version ?? '0', ms(wanted.until), String(wanted.level), this.#ttl + Math.max(0, Math.ceil(wanted.until - this.#clock.now()))]);
      if (Number(written) === 1) return { until: Math.ceil(wanted.until), level: wanted.level };
      // Another gateway changed the ban between the read and the write: compute again from what it wrote.
      if (i >= 20) throw new Error('shared ban record keeps changing');
    }
  }

  async probeAnswered(): Promise<void> {
    const version = this.#probing;
    if (version === undefined) return;
    this.#probing = undefined;
    await this.#run('PROBE_ANSWERED', [this.#k.probe], [version, this.#owner]);
  }

  async claimListing(folderId: number, now: number, leaseMs: number): Promise<ListingClaim> {
    const p = this.#prefix;
    const keys = [this.#k.list, this.#folderKey(folderId), `${p}queue`, `${p}fwait:${folderId}`, `${p}fseen:${folderId}`, `${p}waiter:${this.#owner}`];
    const r = Number(await this.#run('CLAIM_LISTING', keys, [ms(now), ms(leaseMs), this.#owner, ms(this.#queueGrace), ms(this.#askEvery + this.#queueGrace), this.#ttl]));
    return r === 0 ? { ok: true } : { ok: false, retryAt: r };
  }

  async endListing(folderId: number, endedAt: number, sent: boolean, intervalMs: number, folderIntervalMs: number): Promise<void> {
    await this.#run('END_LISTING', [this.#k.list, this.#folderKey(folderId)], [this.#owner, sent ? '1' : '0', ms(endedAt + intervalMs), ms(endedAt + folderIntervalMs), ms(endedAt), this.#ttl]);
  }

  async mergeBack(nextListingAt: number, nextCallAt: number): Promise<void> {
    const finite = (n: number): string => (Number.isFinite(n) ? ms(n) : '0');
    await this.#run('MERGE_BACK', [this.#k.list, this.#k.call], [this.#owner, finite(nextListingAt), finite(nextCallAt), this.#ttl]);
  }

  /**
   * The ban as this process must see it (scripts.ts READ_BAN): the real record, or for a gateway that is not
   * the prober, the ban lasting until the probe lease ends. Reading an ended ban may make this process the prober.
   */
  async #readBan(now: number): Promise<BanRecord | undefined> {
    const r = (await this.#run('READ_BAN', [this.#k.ban, this.#k.probe], [ms(now), this.#owner, this.#probeLease, this.#ttl, this.#probePoll])) as string[];
    if (!Array.isArray(r) || r.length < 4) return undefined;
    const [until, level, version, shown] = r.map(Number) as [number, number, number, number];
    if (shown === until && until <= now) this.#probing = String(version);
    return { until: Math.max(until, shown), level };
  }

  #folderKey(folderId: number): string {
    return `${this.#prefix}folder:${folderId}`;
  }

  /** Runs a script of scripts.ts (defined on the connection without a key count: it is the first argument). */
  #run(name: ScriptName, keys: string[], args: Arg[]): Promise<unknown> {
    const fn = (this.#redis as unknown as Record<string, (...a: Arg[]) => Promise<unknown>>)[name]!;
    return fn.call(this.#redis, keys.length, ...keys, ...args.map(String));
  }
}

interface StoredBan extends BanRecord {
  version: string;
}

function parseBan(raw: string | null): StoredBan | undefined {
  if (raw === null) return undefined;
  const [until, level, version] = raw.split(' ');
  if (until === undefined || level === undefined || version === undefined) return undefined;
  return { until: Number(until), level: Number(level), version };
}
