/**
 * The process-wide pacer: every 1fichier API call goes through one instance (the client takes it as an
 * option), so parallel transfers share one rate budget, as rclone's single pacer per remote does.
 *
 * - Call starts are at least `minIntervalMs` apart (default 400 ms, rclone's value); at most
 *   `concurrency` attempts run at once (default 4).
 * - A flood ban (403/Flood/#374/#412, or #38) pauses every caller for `floodCooldownMs` (default 30 s, or
 *   longer if Retry-After says so). After the cooldown ONE call goes first (the probe); the others wait until
 *   the server answers it with something other than a flood, then resume at the normal interval.
 * - Retryable failures are retried with exponential backoff and full jitter (base 500 ms, cap 30 s), at most
 *   `maxAttempts` attempts (default 10, rclone's low-level retries); a Retry-After header sets a floor.
 * - Non-retryable failures (auth, not found, KO refusals...) and runs with `retry: false` are never retried.
 *
 * Half-updated state: between a ban and the end of its probe, `#cooldownUntil`, `#probe` and `#epoch` change
 * together synchronously; a caller parked in `#gate` re-reads all three after every await.
 */
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { silentLogger } from '../util/log.ts';
import { FichierApiError, isFloodBan } from './errors.ts';
import { createSlots, type Slots } from './slots.ts';

export interface PacerOptions {
  /** Time source for intervals, cooldowns and backoff. Default: the system clock. */
  clock?: Clock;
  /** Minimum time between two call starts, in ms. Default 400. */
  minIntervalMs?: number;
  /** Maximum attempts running at once. Default 4. */
  concurrency?: number;
  /** Pause of every caller after a flood ban, in ms (a larger Retry-After wins). Default 30 000. */
  floodCooldownMs?: number;
  /** First backoff cap, in ms; doubles per failed attempt. Default 500. */
  backoffBaseMs?: number;
  /** Largest backoff cap, in ms. Default 30 000. */
  backoffMaxMs?: number;
  /** Attempts per call, first one included. Default 10. */
  maxAttempts?: number;
  /** Longest Retry-After honoured, in ms (protects against absurd values). Default 15 min. */
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
  /** End of the current cooldown (clock ms), undefined when none is running. */
  cooldownUntil: number | undefined;
  /** True while the first call after a ban is in flight and the others wait for it. */
  probing: boolean;
  /** Attempts holding a concurrency slot / waiting for one. */
  active: number;
  queued: number;
}

export interface Pacer {
  /**
   * Runs `fn` (given the 1-based attempt number) under the pacing rules and returns its result.
   * Rejects with the last FichierApiError when it is not retryable, when retries are exhausted or off, or
   * with any non-FichierApiError thrown by `fn` (never retried); rejects with the signal's reason on abort.
   */
  run<T>(fn: (attempt: number) => Promise<T>, opts?: RunOptions): Promise<T>;
  /** A snapshot of the counters, for metrics and tests. */
  stats(): PacerStats;
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
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #cooldown: number;
  readonly #base: number;
  readonly #max: number;
  readonly #maxAttempts: number;
  readonly #maxRetryAfter: number;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #slots: Slots;

  #lastStart = Number.NEGATIVE_INFINITY;
  #cooldownUntil = 0;
  #probe: 'none' | 'needed' | 'inflight' = 'none';
  #probeDone: Deferred | undefined;
  #epoch = 0;
  #calls = 0;
  #attempts = 0;
  #retries = 0;
  #bans = 0;

  constructor(o: PacerOptions) {
    this.#clock = o.clock ?? systemClock;
    this.#interval = o.minIntervalMs ?? 400;
    this.#cooldown = o.floodCooldownMs ?? 30_000;
    this.#base = o.backoffBaseMs ?? 500;
    this.#max = o.backoffMaxMs ?? 30_000;
    this.#maxAttempts = o.maxAttempts ?? 10;
    this.#maxRetryAfter = o.maxRetryAfterMs ?? 15 * 60_000;
    this.#random = o.random ?? Math.random;
    this.#log = o.logger ?? silentLogger;
    this.#slots = createSlots(o.concurrency ?? 4);
  }

  async run<T>(fn: (attempt: number) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    this.#calls++;
    const firstStart = this.#clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(fn, attempt, opts);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        const delay = this.#retryDelay(err, attempt, opts, firstStart);
        if (delay === undefined) throw err;
        this.#retries++;
        this.#log.debug({ label: opts.label, attempt, delayMs: delay, err: describe(err) }, 'retrying 1fichier call');
        if (delay > 0) await this.#clock.sleep(delay, opts.signal);
      }
    }
  }

  stats(): PacerStats {
    return {
      calls: this.#calls,
      attempts: this.#attempts,
      retries: this.#retries,
      bans: this.#bans,
      cooldownUntil: this.#cooldownUntil > this.#clock.now() ? this.#cooldownUntil : undefined,
      probing: this.#probe === 'inflight',
      active: this.#slots.active,
      queued: this.#slots.pending,
    };
  }

  async #attempt<T>(fn: (attempt: number) => Promise<T>, attempt: number, opts: RunOptions): Promise<T> {
    const release = opts.slot === false ? undefined : await this.#slots.acquire(opts.signal);
    try {
      const ticket = await this.#gate(opts.signal);
      this.#attempts++;
      try {
        const result = await fn(attempt);
        this.#settle(ticket, undefined);
        return result;
      } catch (err) {
        this.#settle(ticket, err);
        throw err;
      }
    } finally {
      release?.();
    }
  }

  /** Waits until this caller may start: after any cooldown, after the probe, and one interval after the last start. */
  async #gate(signal: AbortSignal | undefined): Promise<Ticket> {
    for (;;) {
      const now = this.#clock.now();
      if (this.#cooldownUntil > now) {
        await this.#clock.sleep(this.#cooldownUntil - now, signal);
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
      const at = Math.max(now, this.#lastStart + this.#interval);
      this.#lastStart = at;
      try {
        if (at > now) await this.#clock.sleep(at - now, signal);
      } catch (err) {
        if (isProbe && this.#epoch === epoch) this.#endProbe('needed');
        throw err;
      }
      if (this.#epoch !== epoch) continue;
      return { isProbe, epoch };
    }
  }

  #settle(ticket: Ticket, err: unknown): void {
    if (err instanceof FichierApiError && isFloodBan(err)) return this.#ban(err);
    if (!ticket.isProbe || ticket.epoch !== this.#epoch) return;
    const serverAnswered = err === undefined || (err instanceof FichierApiError && err.kind !== 'transport');
    this.#endProbe(serverAnswered ? 'none' : 'needed');
  }

  #ban(err: FichierApiError): void {
    const now = this.#clock.now();
    const wait = Math.max(this.#cooldown, Math.min(err.retryAfterMs ?? 0, this.#maxRetryAfter));
    if (this.#cooldownUntil <= now) this.#bans++;
    this.#cooldownUntil = Math.max(this.#cooldownUntil, now + wait);
    this.#epoch++;
    this.#endProbe('needed');
    this.#log.warn(
      { endpoint: err.endpoint, code: err.code, cooldownMs: this.#cooldownUntil - now },
      '1fichier flood ban: pausing every call',
    );
  }

  #endProbe(next: 'none' | 'needed'): void {
    this.#probe = next;
    const d = this.#probeDone;
    this.#probeDone = undefined;
    d?.resolve();
  }

  #retryDelay(err: unknown, attempt: number, opts: RunOptions, firstStart: number): number | undefined {
    if (opts.retry === false) return undefined;
    if (!(err instanceof FichierApiError) || !err.retryable) return undefined;
    if (attempt >= (opts.maxAttempts ?? this.#maxAttempts)) return undefined;
    let delay = 0;
    if (!isFloodBan(err)) {
      const cap = Math.min(this.#max, this.#base * 2 ** (attempt - 1));
      delay = Math.floor(this.#random() * cap);
      if (err.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(err.retryAfterMs, this.#maxRetryAfter));
    }
    const startsAt = Math.max(this.#clock.now() + delay, this.#cooldownUntil);
    if (opts.maxElapsedMs !== undefined && startsAt - firstStart > opts.maxElapsedMs) return undefined;
    return delay;
  }
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
