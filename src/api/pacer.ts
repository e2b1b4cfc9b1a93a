/**
 * The process-wide pacer: every 1fichier API call goes through one instance (the client takes it as an
 * option), so parallel transfers share one rate budget, as rclone's single pacer per remote does.
 *
 * - Call starts are at least `minIntervalMs` apart (default 400 ms, rclone's value); at most
 *   `concurrency` attempts run at once (default 4).
 * - Listings (a run with `listing`) also pass the listing budget (list-budget.ts): 3 s apart, one folder per
 *   30 s, foreground before background. Every attempt of a listing is a listing for the service, so each one
 *   passes the budget, before it takes a concurrency slot (a listing waiting for its turn holds nothing).
 * - A flood ban (403/Flood/#374/#412/"IP Locked"; not user/info's #38) pauses every caller: `floodCooldownMs`
 *   (default 5 min) for a first ban, `floodEscalatedCooldownMs` (default 1 h) for a ban while the previous one
 *   has not decayed (less than that long after it ended) or when the server says the ban is long (the bare
 *   "IP Locked"); a larger Retry-After wins. After the cooldown ONE call goes first (the probe); the others wait
 *   until the server answers it with something other than a flood, then resume at the normal interval.
 * - With `banPolicy: 'fail'` a call that would wait for a cooldown fails at once instead (a 'flood' error with
 *   the time left as retryAfterMs): a WebDAV client is told to come back (503 + Retry-After) rather than left
 *   hanging for minutes. The probe, and callers waiting for its answer, are not affected.
 * - Retryable failures are retried with exponential backoff and full jitter (base 500 ms, cap 30 s), at most
 *   `maxAttempts` attempts (default 10, rclone's low-level retries; fewer when the error says so); a
 *   Retry-After header sets a floor.
 * - Non-retryable failures (auth, not found, KO refusals...) and runs with `retry: false` are never retried.
 *
 * The next call start, the ban and the listing budget live in a RateState (rate-state.ts: in process by
 * default, persisted by the stack so a restart during a ban sends nothing before it ends). The probe role is
 * decided here, per process: any ban record this pacer had not seen yet (its own, another gateway's, or one
 * loaded at start) makes the next call a probe.
 *
 * Half-updated state: `#probe`, `#probeDone` and `#epoch` change together synchronously; a caller parked in
 * `#gate` re-reads them and the ban after every await.
 */
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { silentLogger } from '../util/log.ts';
import { FichierApiError, isEscalatedBan, isFloodBan } from './errors.ts';
import { createListingBudget, type ListingBudget, type ListingBudgetStats } from './list-budget.ts';
import { createRateState, type BanRecord, type RateState } from './rate-state.ts';
import { createSlots, type Slots } from './slots.ts';

export const DEFAULT_MIN_INTERVAL_MS = 400;
export const DEFAULT_FLOOD_COOLDOWN_MS = 5 * 60_000;
export const DEFAULT_FLOOD_ESCALATED_COOLDOWN_MS = 60 * 60_000;

export interface PacerOptions {
  /** Time source for intervals, cooldowns and backoff. Default: the system clock. */
  clock?: Clock;
  /** Minimum time between two call starts, in ms. Default 400. */
  minIntervalMs?: number;
  /** Maximum attempts running at once. Default 4. */
  concurrency?: number;
  /** Pause of every caller after a first flood ban, in ms (a larger Retry-After wins). Default 5 min. */
  floodCooldownMs?: number;
  /**
   * Pause after a ban that follows the previous one by less than this long, or that the server calls long
   * ("IP Locked"), in ms; also how long a ban counts for escalation. Default 1 h.
   */
  floodEscalatedCooldownMs?: number;
  /** 'wait' (default): a call waits out a cooldown; 'fail': it fails at once with the time left. */
  banPolicy?: 'wait' | 'fail';
  /** Listing budget: minimum time between two listings, in ms. Default 3000. */
  listIntervalMs?: number;
  /** Listing budget: minimum time between two listings of one folder, in ms. Default 30 000. */
  listFolderIntervalMs?: number;
  /** Where the next start, the ban and the listing budget live. Default: in this process, not persisted. */
  state?: RateState;
  /** First backoff cap, in ms; doubles per failed attempt. Default 500. */
  backoffBaseMs?: number;
  /** Largest backoff cap, in ms. Default 30 000. */
  backoffMaxMs?: number;
  /** Attempts per call, first one included. Default 10. */
  maxAttempts?: number;
  /** Longest Retry-After honoured, in ms (protects against absurd values). Default 2 h. */
  maxRetryAfterMs?: number;
  /** Uniform random source in [0, 1) for jitter. Default Math.random. */
  random?: () => number;
  logger?: Logger;
}

export interface RunOptions {
  /** false: one attempt only (an upload POST retried would create a duplicate file). Default true. */
  retry?: boolean;
  /** Overrides the pacer's maxAttempts for this call. */
  maxAttempts?: number;
  /** Stop retrying when the next attempt would start later than this many ms after the first. */
  maxElapsedMs?: number;
  /** false: do not hold a concurrency slot (long transfers); the start is still spaced and ban-aware. */
  slot?: boolean;
  /** This call is a listing of `folderId`: every attempt passes the listing budget. */
  listing?: { folderId: number; background?: boolean };
  signal?: AbortSignal;
  /** Name used in log lines (e.g. the endpoint). */
  label?: string;
}

export interface PacerStats {
  /** `run()` invocations. */
  calls: number;
  /** Attempts started (calls + retries). */
  attempts: number;
  /** Attempts that were retried. */
  retries: number;
  /** Flood bans started (a flood seen during a running cooldown extends it and is not counted). */
  bans: number;
  /** Level of the last ban seen (1 = first, 2+ = escalated), 0 when none. */
  banLevel: number;
  /** End of the current cooldown (clock ms), undefined when none is running. */
  cooldownUntil: number | undefined;
  /** True while the first call after a ban is in flight and the others wait for it. */
  probing: boolean;
  /** Attempts holding a concurrency slot / waiting for one. */
  active: number;
  queued: number;
  /** The listing budget: listings granted, waiters by class. */
  listing: ListingBudgetStats;
}

export interface Pacer {
  /**
   * Runs `fn` (given the 1-based attempt number) under the pacing rules and returns its result.
   * Rejects with the last FichierApiError when it is not retryable, when retries are exhausted or off, or
   * with any non-FichierApiError thrown by `fn` (never retried); with a 'flood' FichierApiError (httpStatus
   * undefined, retryAfterMs = time left) when banPolicy is 'fail' and a cooldown runs; with the signal's
   * reason on abort.
   */
  run<T>(fn: (attempt: number) => Promise<T>, opts?: RunOptions): Promise<T>;
  /** A snapshot of the counters, for metrics and tests. */
  stats(): PacerStats;
  /** The listing budget this pacer applies. */
  readonly listing: ListingBudget;
}

/** Creates a pacer. Use ONE per process and pass it to every client. */
export function createPacer(opts: PacerOptions = {}): Pacer {
  return new PacerImpl(opts);
}

let shared: Pacer | undefined;

/** The process-wide pacer with default settings (system clock), created on first use. */
export function sharedPacer(): Pacer {
  shared ??= createPacer();
  return shared;
}

interface Ticket {
  isProbe: boolean;
  epoch: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

class PacerImpl implements Pacer {
  readonly listing: ListingBudget;
  readonly #clock: Clock;
  readonly #state: RateState;
  readonly #interval: number;
  readonly #cooldown: number;
  readonly #escalated: number;
  readonly #failDuringBan: boolean;
  readonly #base: number;
  readonly #max: number;
  readonly #maxAttempts: number;
  readonly #maxRetryAfter: number;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #slots: Slots;

  /** The ban record as last read from the state (for the synchronous stats). */
  #banSeen: BanRecord | undefined;
  /** The `until` of the last ban record this pacer has reacted to (a new one calls for a probe). */
  #banKnown: number | undefined;
  #probe: 'none' | 'needed' | 'inflight' = 'none';
  #probeDone: Deferred | undefined;
  #epoch = 0;
  #calls = 0;
  #attempts = 0;
  #retries = 0;
  #bans = 0;

  constructor(o: PacerOptions) {
    this.#clock = o.clock ?? systemClock;
    this.#state = o.state ?? createRateState({ clock: this.#clock });
    this.#interval = o.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    this.#cooldown = o.floodCooldownMs ?? DEFAULT_FLOOD_COOLDOWN_MS;
    this.#escalated = Math.max(this.#cooldown, o.floodEscalatedCooldownMs ?? DEFAULT_FLOOD_ESCALATED_COOLDOWN_MS);
    this.#failDuringBan = o.banPolicy === 'fail';
    this.#base = o.backoffBaseMs ?? 500;
    this.#max = o.backoffMaxMs ?? 30_000;
    this.#maxAttempts = o.maxAttempts ?? 10;
    this.#maxRetryAfter = o.maxRetryAfterMs ?? 2 * 60 * 60_000;
    this.#random = o.random ?? Math.random;
    this.#log = o.logger ?? silentLogger;
    this.#slots = createSlots(o.concurrency ?? 4);
    this.listing = createListingBudget({
      state: this.#state,
      clock: this.#clock,
      ...(o.listIntervalMs !== undefined ? { intervalMs: o.listIntervalMs } : {}),
      ...(o.listFolderIntervalMs !== undefined ? { folderIntervalMs: o.listFolderIntervalMs } : {}),
    });
  }

  async run<T>(fn: (attempt: number) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    this.#calls++;
    const firstStart = this.#clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(fn, attempt, opts);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        const delay = await this.#retryDelay(err, attempt, opts, firstStart);
        if (delay === undefined) throw err;
        this.#retries++;
        this.#log.debug({ label: opts.label, attempt, delayMs: delay, err: describe(err) }, 'retrying 1fichier call');
        if (delay > 0) await this.#clock.sleep(delay, opts.signal);
      }
    }
  }

  stats(): PacerStats {
    const until = this.#banSeen?.until;
    return {
      calls: this.#calls,
      attempts: this.#attempts,
      retries: this.#retries,
      bans: this.#bans,
      banLevel: this.#banSeen?.level ?? 0,
      cooldownUntil: until !== undefined && until > this.#clock.now() ? until : undefined,
      probing: this.#probe === 'inflight',
      active: this.#slots.active,
      queued: this.#slots.pending,
      listing: this.listing.stats(),
    };
  }

  async #attempt<T>(fn: (attempt: number) => Promise<T>, attempt: number, opts: RunOptions): Promise<T> {
    const lease = opts.listing
      ? await this.listing.acquire({ folderId: opts.listing.folderId, background: opts.listing.background ?? false, ...(opts.signal ? { signal: opts.signal } : {}) })
      : undefined;
    let sent = false;
    try {
      const release = opts.slot === false ? undefined : await this.#slots.acquire(opts.signal);
      try {
        const ticket = await this.#gate(opts);
        this.#attempts++;
        sent = true;
        try {
          const result = await fn(attempt);
          await this.#settle(ticket, undefined);
          return result;
        } catch (err) {
          await this.#settle(ticket, err);
          throw err;
        }
      } finally {
        release?.();
      }
    } finally {
      await lease?.release(sent);
    }
  }

  /** Waits until this caller may start: after any cooldown, after the probe, and one interval after the last start. */
  async #gate(opts: RunOptions): Promise<Ticket> {
    const { signal } = opts;
    for (;;) {
      const ban = await this.#readBan();
      const now = this.#clock.now();
      if (ban && ban.until > now) {
        if (this.#failDuringBan) throw bannedError(opts.label ?? 'api', ban.until - now);
        await this.#clock.sleep(ban.until - now, signal);
        continue;
      }
      if (this.#probe === 'inflight' && this.#probeDone) {
        await untilAborted(this.#probeDone.promise, signal);
        continue;
      }
      const epoch = this.#epoch;
      const isProbe = this.#probe === 'needed';
      if (isProbe) {
        this.#probe = 'inflight';
        this.#probeDone = deferred();
      }
      const mine = this.#probeDone;
      try {
        const at = await this.#state.reserveCall(now, this.#interval);
        if (at > now) {
          await this.#clock.sleep(at - now, signal);
          // A shared state may have recorded another gateway's ban during the wait.
          await this.#readBan();
        }
      } catch (err) {
        if (isProbe && this.#epoch === epoch) this.#endProbe('needed');
        throw err;
      }
      if (this.#epoch !== epoch) {
        // A new ban since: this caller is no longer the probe (and must not leave the others waiting for it).
        if (isProbe && this.#probeDone === mine) this.#endProbe('needed');
        continue;
      }
      return { isProbe, epoch };
    }
  }

  /** The ban record of the state; a record not seen before (another gateway's, or loaded at start) calls for a probe. */
  async #readBan(): Promise<BanRecord | undefined> {
    const ban = await this.#state.ban();
    this.#banSeen = ban;
    if (ban && ban.until !== this.#banKnown) {
      this.#banKnown = ban.until;
      this.#epoch++;
      if (this.#probe === 'none') this.#probe = 'needed';
    }
    return ban;
  }

  async #settle(ticket: Ticket, err: unknown): Promise<void> {
    if (err instanceof FichierApiError && isFloodBan(err)) return this.#ban(err);
    if (!ticket.isProbe || ticket.epoch !== this.#epoch) return;
    const serverAnswered = err === undefined || (err instanceof FichierApiError && err.kind !== 'transport');
    this.#endProbe(serverAnswered ? 'none' : 'needed');
    // A shared state lets the other gateways waiting for this probe go on at once.
    if (serverAnswered) await this.#state.probeAnswered?.().catch(() => undefined);
  }

  async #ban(err: FichierApiError): Promise<void> {
    const now = this.#clock.now();
    const hinted = Math.min(err.retryAfterMs ?? 0, this.#maxRetryAfter);
    let started = false;
    const ban = await this.#state.updateBan((prev) => {
      if (prev && prev.until > now) return { level: prev.level, until: Math.max(prev.until, now + Math.max(hinted, this.#cooldownFor(prev.level))) };
      started = true;
      const decayed = prev ? Math.max(0, prev.level - Math.floor((now - prev.until) / this.#escalated)) : 0;
      const level = Math.max(decayed + 1, isEscalatedBan(err) ? 2 : 1);
      return { level, until: now + Math.max(hinted, this.#cooldownFor(level)) };
    });
    if (started) this.#bans++;
    this.#banSeen = ban;
    this.#banKnown = ban.until;
    this.#epoch++;
    this.#endProbe('needed');
    this.#log.warn(
      { endpoint: err.endpoint, code: err.code, level: ban.level, cooldownMs: ban.until - now },
      '1fichier flood ban: pausing every call',
    );
  }

  #cooldownFor(level: number): number {
    return level >= 2 ? this.#escalated : this.#cooldown;
  }

  #endProbe(next: 'none' | 'needed'): void {
    this.#probe = next;
    const d = this.#probeDone;
    this.#probeDone = undefined;
    d?.resolve();
  }

  async #retryDelay(err: unknown, attempt: number, opts: RunOptions, firstStart: number): Promise<number | undefined> {
    if (opts.retry === false) return undefined;
    if (!(err instanceof FichierApiError) || !err.retryable) return undefined;
    if (attempt >= Math.min(opts.maxAttempts ?? this.#maxAttempts, err.attemptLimit ?? Number.POSITIVE_INFINITY)) return undefined;
    let delay = 0;
    if (!isFloodBan(err)) {
      const cap = Math.min(this.#max, this.#base * 2 ** (attempt - 1));
      delay = Math.floor(this.#random() * cap);
      if (err.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(err.retryAfterMs, this.#maxRetryAfter));
    }
    const banUntil = (await this.#state.ban())?.until ?? 0;
    const startsAt = Math.max(this.#clock.now() + delay, banUntil);
    if (opts.maxElapsedMs !== undefined && startsAt - firstStart > opts.maxElapsedMs) return undefined;
    return delay;
  }
}

/** The error of a call refused locally because a ban runs (banPolicy 'fail'). */
function bannedError(endpoint: string, leftMs: number): FichierApiError {
  return new FichierApiError({
    endpoint,
    kind: 'flood',
    retryable: false,
    retryAfterMs: leftMs,
    advice: `1fichier banned this key for now; nothing is sent for ${Math.ceil(leftMs / 1000)} s more (retry then)`,
  });
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function describe(err: unknown): Record<string, unknown> {
  return err instanceof FichierApiError
    ? { kind: err.kind, code: err.code, httpStatus: err.httpStatus }
    : { name: err instanceof Error ? err.name : typeof err };
}
