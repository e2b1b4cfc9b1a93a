/**
 * Account space, cached: remote.about is asked at most once per aboutTtlMs (the service limits user/info),
 * one call in flight at a time. When a refresh fails, the last known value keeps being served (and the
 * next call retries); the error surfaces only when nothing was ever fetched. Without remote.about,
 * everything is unknown.
 */
import type { About, Remote } from '../remote/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { raceSignal } from '../util/abort.ts';

export class AboutCache {
  readonly #remote: Remote;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  #last: { value: About; at: number } | undefined;
  #inflight: Promise<About> | undefined;

  constructor(opts: { remote: Remote; clock: Clock; logger: Logger; ttlMs: number }) {
    this.#remote = opts.remote;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#ttlMs = opts.ttlMs;
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
      return value;
    })();
    this.#inflight = p;
    void p.then(
      () => (this.#inflight = undefined),
      () => (this.#inflight = undefined),
    );
    return p;
  }
}
