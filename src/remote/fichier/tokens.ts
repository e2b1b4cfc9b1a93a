/**
 * Reusable download tokens. rclone asks for a one-shot token (`single: 1`) on every open, so
 * each seek costs an API call; we ask for `single: 0` tokens and reuse one per file URL for `ttlMs`
 * (default 240 s, safely below the service's 5 minutes), so a seek costs one HTTP request and no API call.
 * Concurrent requests for one file share a single in-flight get_token call. The reuse window starts when
 * the get_token request is sent, so clock skew on the answer only shortens it.
 */
import type { FichierClient } from '../../api/client.ts';
import { raceSignal } from '../../util/abort.ts';
import type { Clock } from '../../util/clock.ts';

/** Beyond this many cached tokens, expired ones are pruned, then the oldest. */
const MAX_CACHED = 1024;

interface CachedToken {
  tokenUrl: string;
  expiresAt: number;
}

export interface TokenLease {
  tokenUrl: string;
  /** True when the token came from the cache (it may have been revoked since: retry once with a fresh one). */
  reused: boolean;
}

/** Extra get_token fields for every token: CDN credits, and the password of password-protected files. */
export interface TokenRequestOptions {
  cdn?: boolean;
  pass?: string;
}

export class DownloadTokens {
  readonly #client: FichierClient;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, CachedToken>();
  readonly #inflight = new Map<string, Promise<CachedToken>>();
  readonly #tokenOpts: TokenRequestOptions;

  constructor(client: FichierClient, clock: Clock, ttlMs: number, tokenOpts: TokenRequestOptions = {}) {
    this.#client = client;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#tokenOpts = tokenOpts;
  }

  /**
   * A token URL for file `url`: the cached one while it is younger than the TTL, else a new one (one
   * get_token call shared by concurrent callers; `signal` only stops this caller's wait).
   * Throws what get_token throws (FichierApiError), or the signal's reason.
   */
  async lease(url: string, signal?: AbortSignal): Promise<TokenLease> {
    const cached = this.#cache.get(url);
    if (cached && this.#clock.now() < cached.expiresAt) return { tokenUrl: cached.tokenUrl, reused: true };
    let pending = this.#inflight.get(url);
    if (!pending) {
      pending = this.#fetch(url);
      this.#inflight.set(url, pending);
      const forget = (): void => void this.#inflight.delete(url);
      pending.then(forget, forget);
    }
    const fresh = await raceSignal(pending, signal);
    return { tokenUrl: fresh.tokenUrl, reused: false };
  }

  /** Forgets the token of `url` if it is still `tokenUrl` (or any token when `tokenUrl` is undefined). */
  drop(url: string, tokenUrl?: string): void {
    const cached = this.#cache.get(url);
    if (cached && (tokenUrl === undefined || cached.tokenUrl === tokenUrl)) this.#cache.delete(url);
  }

  clear(): void {
    this.#cache.clear();
  }

  async #fetch(url: string): Promise<CachedToken> {
    const sentAt = this.#clock.now();
    const res = await this.#client.getToken(url, { ...this.#tokenOpts, single: false });
    const token = { tokenUrl: res.url, expiresAt: sentAt + this.#ttlMs };
    this.#cache.delete(url);
    this.#cache.set(url, token);
    this.#prune();
    return token;
  }

  #prune(): void {
    if (this.#cache.size <= MAX_CACHED) return;
    const now = this.#clock.now();
    for (const [url, t] of this.#cache) if (t.expiresAt <= now) this.#cache.delete(url);
    for (const url of this.#cache.keys()) {
      if (this.#cache.size <= MAX_CACHED) break;
      this.#cache.delete(url);
    }
  }
}
