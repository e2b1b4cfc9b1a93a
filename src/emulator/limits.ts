import type { Clock } from '../util/clock.ts';
import { KO, type KoError } from './errors.ts';

/** Opt-in flood limits, all off (0) by default. Times in ms. */
export interface RateLimits {
  /** Max API calls per key in any sliding 1 s window (half-open (t-1000, t]); 0 = off. */
  rps: number;
  /** Ban duration when a limit is exceeded (default 30_000). */
  banMs: number;
  /** Min interval between folder/ls of the same folder per key (real: 30_000); 0 = off. Exceeded => ban. */
  folderLsIntervalMs: number;
  /** Min interval between user/info per key (real ~300_000); 0 = off. Exceeded => 403 #38, no ban. */
  userInfoIntervalMs: number;
  /** Min interval between file/ls with folder_id -1 (real 3_600_000); 0 = off. Exceeded => ban. */
  fileLsAllIntervalMs: number;
}

export const DEFAULT_LIMITS: RateLimits = { rps: 0, banMs: 30_000, folderLsIntervalMs: 0, userInfoIntervalMs: 0, fileLsAllIntervalMs: 0 };

/** What a call is, as far as limits care. */
export interface LimitedCall {
  /** Endpoint path relative to /v1/, e.g. "folder/ls.cgi". */
  endpoint: string;
  /** folder_id of a folder/ls or file/ls body, when numeric. */
  folderId?: number;
}

const WINDOW_MS = 1000;

/**
 * Per-key flood limiter. `check()` records one API call and returns the KO error to answer instead
 * (403 #374 / #412 during a ban, 403 #38 for user/info), or undefined when the call may proceed.
 */
export class Limiter {
  limits: RateLimits = { ...DEFAULT_LIMITS };
  private readonly perKey = new Map<string, KeyState>();
  /** Number of bans started (by limits or by `ban()`). */
  bans = 0;

  constructor(private readonly clock: Clock) {}

  /** Merges `partial` into the current limits. */
  set(partial: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...partial };
  }

  /** Bans `key` for `ms` from now; calls during the ban get #374 (or #412). */
  ban(key: string, ms: number, code: 374 | 412 = 374): void {
    this.state(key).ban = { until: this.clock.now() + ms, code };
    this.bans++;
  }

  /** Drops every ban and history (limits unchanged). */
  reset(): void {
    this.perKey.clear();
  }

  /** Records a call by `key`; returns the error to answer, or undefined when allowed. */
  check(key: string, call: LimitedCall): KoError | undefined {
    const now = this.clock.now();
    const s = this.state(key);
    if (s.ban && now < s.ban.until) return s.ban.code === 412 ? KO.userLocked() : KO.flood();
    s.ban = undefined;
    const l = this.limits;
    if (l.rps > 0) {
      while (s.recent.length > 0 && s.recent[0]! <= now - WINDOW_MS) s.recent.shift();
      s.recent.push(now);
      if (s.recent.length > l.rps) return this.startBan(key);
    }
    if (call.endpoint === 'user/info.cgi' && l.userInfoIntervalMs > 0) {
      if (s.lastUserInfo !== undefined && now - s.lastUserInfo < l.userInfoIntervalMs) return KO.userInfoFlood();
      s.lastUserInfo = now;
    }
    if (call.endpoint === 'folder/ls.cgi' && l.folderLsIntervalMs > 0 && call.folderId !== undefined) {
      const last = s.lastFolderLs.get(call.folderId);
      if (last !== undefined && now - last < l.folderLsIntervalMs) return this.startBan(key);
      s.lastFolderLs.set(call.folderId, now);
    }
    if (call.endpoint === 'file/ls.cgi' && call.folderId === -1 && l.fileLsAllIntervalMs > 0) {
      if (s.lastFileLsAll !== undefined && now - s.lastFileLsAll < l.fileLsAllIntervalMs) return this.startBan(key);
      s.lastFileLsAll = now;
    }
    return undefined;
  }

  private startBan(key: string): KoError {
    this.ban(key, this.limits.banMs);
    return KO.flood();
  }

  private state(key: string): KeyState {
    let s = this.perKey.get(key);
    if (!s) {
      s = { recent: [], lastFolderLs: new Map() };
      this.perKey.set(key, s);
    }
    return s;
  }
}

interface KeyState {
  recent: number[];
  ban?: { until: number; code: 374 | 412 };
  lastUserInfo?: number;
  lastFileLsAll?: number;
  lastFolderLs: Map<number, number>;
}
