/**
 * Account space, cached: remote.about is asked at most once per aboutTtlMs (the service limits user/info to
 * about one call per 5 minutes and answers #38 otherwise), one call in flight at a time. When a refresh fails,
 * the last known value keeps being served (and the next call retries); the error surfaces only when nothing was
 * ever fetched. The last value is kept in the metadata store, so a restart serves it too (and does not ask
 * user/info again before its time). Without remote.about, everything is unknown.
 */
import type { About, Remote } from '../remote/types.ts';
import type { MetaStore } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { raceSignal } from '../util/abort.ts';

/** The store record of the last known value. */
const STATE_KEY = 'about';

export class AboutCache {
  readonly #remote: Remote;
  readonly #store: MetaStore | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  #last: { value: About; at: number } | undefined;
  #inflight: Promise<About> | undefined;

  constructor(opts: { remote: Remote; store?: MetaStore; clock: Clock; logger: Logger; ttlMs: number }) {
    this.#remote = opts.remote;
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#ttlMs = opts.ttlMs;
    this.#last = this.#load();
  }

  /** Account space. Throws what remote.about throws (EAGAIN/EIO...) only when no value is cached. */
  async get(signal?: AbortSignal): Promise<About> {
    const last = this.#last;
    if (last && last.at + this.#ttlMs > this.#clock.now()) return last.value;
    try {
      return await raceSignal(this.#fetch(), signal);
    } catch (err) {
      if (!last) throw err;
      this.#logger.warn({ err }, 'about refresh failed; serving the last value');
      return last.value;
    }
  }

  #fetch(): Promise<About> {
    if (this.#inflight) return this.#inflight;
    const about = this.#remote.about;
    const p = (async () => {
      const value = about ? await about.call(this.#remote) : {};
      this.#last = { value, at: this.#clock.now() };
      this.#save();
      return value;
    })();
    this.#inflight = p;
    void p.then(
      () => (this.#inflight = undefined),
      () => (this.#inflight = undefined),
    );
    return p;
  }

  #load(): { value: About; at: number } | undefined {
    try {
      const raw = this.#store?.getState(STATE_KEY);
      if (raw === undefined) return undefined;
      const rec = JSON.parse(raw) as { value?: About; at?: number };
      return rec.value && typeof rec.at === 'number' ? { value: rec.value, at: rec.at } : undefined;
    } catch {
      return undefined;
    }
  }

  #save(): void {
    try {
      this.#store?.setState(STATE_KEY, JSON.stringify(this.#last));
    } catch (err) {
      this.#logger.warn({ err }, 'could not keep the quota in the metadata store');
    }
  }
}
