/**
 * The connection to the shared-state Redis (ioredis), and whether it is usable now.
 *
 * ioredis is used for its reconnection with a backoff of our choosing (`retryStrategy`), its script support
 * (EVALSHA with a fallback to EVAL, for the atomic steps of scripts.ts) and its pub/sub connection that
 * re-subscribes after a reconnection. Commands are never queued while Redis is away (`enableOfflineQueue:
 * false`) and time out after `commandTimeoutMs`: a caller must learn at once that Redis is gone, and use its
 * local state, rather than wait for it.
 *
 * Health: `up` is true while the command connection is ready. A change is logged once per change (lost: a
 * warning with the reason; back: an info line), never once per failed command, and counted for metrics.
 * `onChange` listeners run on every change (the rate state merges its local times back when Redis returns).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../util/log.ts';

export interface SharedLinkOptions {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  /** Read from the environment or a file by the caller; never part of the address. */
  password?: string;
  /** The address as shown in logs (no credentials). */
  shown: string;
  logger: Logger;
  /** A command not answered in this long fails (the caller falls back to local state). Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Longest wait between two reconnection attempts. Default 5000 ms (the first waits 100 ms, doubling). */
  maxReconnectDelayMs?: number;
}

export interface SharedLinkStats {
  /** True while Redis answers. */
  up: boolean;
  /** Times the link was lost since start. */
  losses: number;
  /** When the current state began (ms since the epoch). */
  since: number;
  /** The address (no credentials). */
  address: string;
}

export interface SharedLink {
  /** The command connection: use only while `up` (commands fail fast otherwise). */
  readonly redis: Redis;
  /** A second connection for pub/sub (a subscribed connection can run no other command). */
  readonly subscriber: Redis;
  readonly up: boolean;
  stats(): SharedLinkStats;
  /** Calls `fn(up)` on every change of health. */
  onChange(fn: (up: boolean) => void): void;
  /** Resolves once Redis answered, or after `ms` (then `up` tells). */
  ready(ms: number): Promise<boolean>;
  /** Closes both connections; no reconnection after. */
  close(): Promise<void>;
}

export function createSharedLink(opts: SharedLinkOptions): SharedLink {
  return new Link(opts);
}

class Link implements SharedLink {
  readonly redis: Redis;
  readonly subscriber: Redis;
  #up = false;
  #everUp = false;
  #losses = 0;
  #since = Date.now();
  #lastError = '';
  #closed = false;
  #toldUnreachable = false;
  readonly #listeners: ((up: boolean) => void)[] = [];
  readonly #o: SharedLinkOptions;

  constructor(o: SharedLinkOptions) {
    this.#o = o;
    const maxDelay = o.maxReconnectDelayMs ?? 5000;
    const base: RedisOptions = {
      host: o.host,
      port: o.port,
      db: o.db,
      ...(o.tls ? { tls: { servername: o.host } } : {}),
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      connectTimeout: 2000,
      // Backoff with full jitter: gateways that lost the same Redis do not all knock at once when it returns.
      retryStrategy: (times) => (this.#closed ? null : Math.round(Math.min(maxDelay, 100 * 2 ** Math.min(times, 10)) * (0.5 + Math.random() / 2))),
      lazyConnect: false,
    };
    this.redis = new Redis({ ...base, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: o.commandTimeoutMs ?? 1000 });
    this.subscriber = new Redis({ ...base, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true });
    this.redis.on('ready', () => this.#set(true));
    this.redis.on('close', () => this.#set(false));
    this.redis.on('end', () => this.#set(false));
    // ioredis reports connection errors as events; without listeners it prints them. The reason is kept for the
    // one log line of the loss.
    this.redis.on('error', (err: Error) => {
      this.#lastError = errCode(err);
      if (this.#everUp || this.#toldUnreachable || this.#closed) return;
      this.#toldUnreachable = true;
      o.logger.warn({ address: o.shown, reason: this.#lastError }, 'shared state unreachable: pacing on local state at the fallback share of the budget until it answers');
    });
    this.subscriber.on('error', () => undefined);
  }

  get up(): boolean {
    return this.#up;
  }

  stats(): SharedLinkStats {
    return { up: this.#up, losses: this.#losses, since: this.#since, address: this.#o.shown };
  }

  onChange(fn: (up: boolean) => void): void {
    this.#listeners.push(fn);
  }

  ready(ms: number): Promise<boolean> {
    if (this.#up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.#up), ms);
      t.unref();
      this.onChange((up) => {
        if (!up) return;
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.length = 0;
    await Promise.allSettled([quit(this.redis), quit(this.subscriber)]);
  }

  #set(up: boolean): void {
    if (up === this.#up || (this.#closed && up)) return;
    const wasEverUp = this.#everUp;
    this.#up = up;
    this.#since = Date.now();
    const log = this.#o.logger;
    if (up) {
      this.#everUp = true;
      if (wasEverUp) log.info({ address: this.#o.shown }, 'shared state is back: pacing with the other gateways again');
      else log.info({ address: this.#o.shown }, 'shared state connected');
    } else if (!this.#closed) {
      this.#losses++;
      log.warn({ address: this.#o.shown, reason: this.#lastError || 'connection closed' }, 'shared state lost: pacing on local state at the fallback share of the budget until it returns');
    }
    for (const fn of [...this.#listeners]) fn(up);
  }
}

/** A short reason for logs: the error's code (ECONNREFUSED, ETIMEDOUT...) or its name, never the message (it may echo the address with credentials). */
function errCode(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}

async function quit(r: Redis): Promise<void> {
  try {
    if (r.status === 'ready') await r.quit();
    else r.disconnect();
  } catch {
    r.disconnect();
  }
}
