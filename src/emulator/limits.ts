import type { Clock } from '../util/clock.ts';
import { KO, type KoError } from './errors.ts';

/**
 * The flood rules of the API host, per key, and the bans they start. Every time is in ms of the injected
 * clock; 0 turns an interval rule off. The profiles (profile.ts) fill these in; the admin API changes them.
 */
export interface RateLimits {
  /** Max API calls per key in any sliding window of `rpsWindowMs` (half-open (t-w, t]); 0 = off. Exceeded => ban. */
  rps: number;
  rpsWindowMs: number;
  /** Min time between two listings (folder/ls or file/ls, any folder) per key; 0 = off. Broken => ban. */
  listIntervalMs: number;
  /** Min time between two listings of the same folder (folder/ls and file/ls together) per key; 0 = off. Broken => ban. */
  listFolderIntervalMs: number;
  /** Min time between two file/ls of folder_id -1 (every file) per key; 0 = off. Broken => ban. */
  fileLsAllIntervalMs: number;
  /** Min time between two user/info per key; 0 = off. Broken => 403 #38, no ban, other endpoints unaffected. */
  userInfoIntervalMs: number;
  /** Length of a first ban (level 1; message "Flood detected: IP Locked #374"). */
  banMs: number;
  /** Length of a ban from level 2 on (message "IP Locked"); 0 = no escalation, every ban lasts banMs. */
  banEscalatedMs: number;
  /** The ban level drops by one for each full banDecayMs after the end of the last ban; 0 = never. */
  banDecayMs: number;
  /** Probability in [0, 1] that an answer refused by a ban is plain text instead of a JSON KO body. */
  banPlainTextRatio: number;
  /** Switch: `errorBanCount` answers 401/403/404/410 within `errorBanWindowMs` start a ban. */
  errorBan: boolean;
  errorBanCount: number;
  errorBanWindowMs: number;
}

/** Every rule off, 30 s fixed bans, JSON bodies: the emulator before it had profiles. */
export const NO_LIMITS: RateLimits = {
  rps: 0,
  rpsWindowMs: 1000,
  listIntervalMs: 0,
  listFolderIntervalMs: 0,
  fileLsAllIntervalMs: 0,
  userInfoIntervalMs: 0,
  banMs: 30_000,
  banEscalatedMs: 0,
  banDecayMs: 0,
  banPlainTextRatio: 0,
  errorBan: false,
  errorBanCount: 10,
  errorBanWindowMs: 60_000,
};

/** Why a call was refused: during a ban, or the rule it broke. */
export type RuleName = 'ban' | 'rps' | 'listInterval' | 'listFolderInterval' | 'fileLsAllInterval' | 'userInfoInterval' | 'errors';

/** What a call is, as far as the rules care. */
export interface LimitedCall {
  /** Endpoint path relative to /v1/, e.g. "folder/ls.cgi". */
  endpoint: string;
  /** folder_id of a folder/ls or file/ls body, when numeric (absent = root for listings). */
  folderId?: number;
}

export interface Refusal {
  error: KoError;
  rule: RuleName;
}

/** The ban state shown in stats. */
export interface BanView {
  /** Bans started since creation. */
  bans: number;
  /** Current level of the account key after decay (0 = never banned or fully decayed). */
  banLevel: number;
  /** End of the ban in force (clock ms), or null. */
  bannedUntil: number | null;
}

const ERROR_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 410]);
const LISTINGS: ReadonlySet<string> = new Set(['folder/ls.cgi', 'file/ls.cgi']);

/** True for the endpoints the listing rules count (folder/ls with or without files, file/ls). */
export function isListing(endpoint: string): boolean {
  return LISTINGS.has(endpoint);
}

interface Ban {
  until: number;
  message: () => KoError;
}

interface KeyState {
  recent: number[];
  errors: number[];
  ban?: Ban;
  level: number;
  /** End of the last ban (decay counts from there). */
  lastBanEnd: number;
  lastListing?: number;
  lastUserInfo?: number;
  lastFileLsAll?: number;
  lastListingOf: Map<number, number>;
}

/**
 * Per-key flood rules. `check()` records one authenticated API call and returns the refusal to answer
 * instead, or undefined when the call may proceed. A refused call does not move any rule's clock. Calls
 * refused by a ban do not lengthen it (unless the error-answer rule is on: they are 403 answers).
 */
export class Limiter {
  limits: RateLimits = { ...NO_LIMITS };
  private readonly perKey = new Map<string, KeyState>();
  private started = 0;

  /** `plainText()` draws whether a ban answer is plain text (given the configured ratio). */
  constructor(
    private readonly clock: Clock,
    private readonly plainText: (ratio: number) => boolean = () => false,
  ) {}

  /** Bans started since creation (never reset: stats subtract their own baseline). */
  get bans(): number {
    return this.started;
  }

  /** Merges `partial` into the current limits. */
  set(partial: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...partial };
  }

  /** Bans `key` for `ms` from now, level unchanged; calls during the ban get #374 (or #412 "User Locked"). */
  ban(key: string, ms: number, code: 374 | 412 = 374): void {
    const s = this.state(key);
    s.ban = { until: this.clock.now() + ms, message: code === 412 ? KO.userLocked : KO.flood };
    this.started++;
  }

  /** Drops every ban, level and rule history (limits unchanged). */
  reset(): void {
    this.perKey.clear();
  }

  /** Ban state of `key` now. */
  view(key: string): BanView {
    const s = this.perKey.get(key);
    const now = this.clock.now();
    return {
      bans: this.started,
      banLevel: s ? this.decayedLevel(s, now) : 0,
      bannedUntil: s?.ban && now < s.ban.until ? s.ban.until : null,
    };
  }

  /** Records a call by `key`; returns the refusal to answer, or undefined when allowed. */
  check(key: string, call: LimitedCall): Refusal | undefined {
    const now = this.clock.now();
    const s = this.state(key);
    if (s.ban && now < s.ban.until) return { error: this.banAnswer(s.ban), rule: 'ban' };
    const l = this.limits;
    if (l.rps > 0) {
      while (s.recent.length > 0 && s.recent[0]! <= now - l.rpsWindowMs) s.recent.shift();
      if (s.recent.length >= l.rps) return this.startBan(s, now, 'rps');
      s.recent.push(now);
    }
    if (call.endpoint === 'user/info.cgi' && l.userInfoIntervalMs > 0) {
      if (s.lastUserInfo !== undefined && now - s.lastUserInfo < l.userInfoIntervalMs) return { error: KO.userInfoFlood(), rule: 'userInfoInterval' };
      s.lastUserInfo = now;
    }
    if (isListing(call.endpoint)) return this.checkListing(s, now, call);
    return undefined;
  }

  private checkListing(s: KeyState, now: number, call: LimitedCall): Refusal | undefined {
    const l = this.limits;
    const folder = call.folderId ?? 0;
    const all = call.endpoint === 'file/ls.cgi' && folder === -1;
    if (all && l.fileLsAllIntervalMs > 0 && s.lastFileLsAll !== undefined && now - s.lastFileLsAll < l.fileLsAllIntervalMs) {
      return this.startBan(s, now, 'fileLsAllInterval');
    }
    if (l.listIntervalMs > 0 && s.lastListing !== undefined && now - s.lastListing < l.listIntervalMs) return this.startBan(s, now, 'listInterval');
    const last = s.lastListingOf.get(folder);
    if (l.listFolderIntervalMs > 0 && last !== undefined && now - last < l.listFolderIntervalMs) return this.startBan(s, now, 'listFolderInterval');
    s.lastListing = now;
    s.lastListingOf.set(folder, now);
    if (all) s.lastFileLsAll = now;
    return undefined;
  }

  /**
   * Records the HTTP status answered to `key` (any host). With the error-answer rule on, the
   * `errorBanCount`-th 401/403/404/410 within `errorBanWindowMs` starts a ban for the next calls.
   */
  noteAnswer(key: string, status: number): void {
    const l = this.limits;
    if (!l.errorBan || !ERROR_STATUSES.has(status)) return;
    const now = this.clock.now();
    const s = this.state(key);
    while (s.errors.length > 0 && s.errors[0]! <= now - l.errorBanWindowMs) s.errors.shift();
    s.errors.push(now);
    if (s.errors.length >= l.errorBanCount && !(s.ban && now < s.ban.until)) {
      s.errors = [];
      this.startBan(s, now, 'errors');
    }
  }

  private decayedLevel(s: KeyState, now: number): number {
    const d = this.limits.banDecayMs;
    if (s.level === 0 || d <= 0) return s.level;
    const end = s.ban ? s.ban.until : s.lastBanEnd;
    if (now <= end) return s.level;
    return Math.max(0, s.level - Math.floor((now - end) / d));
  }

  private startBan(s: KeyState, now: number, rule: RuleName): Refusal {
    const l = this.limits;
    s.level = this.decayedLevel(s, now) + 1;
    const escalated = s.level >= 2 && l.banEscalatedMs > 0;
    const until = now + (escalated ? l.banEscalatedMs : l.banMs);
    s.ban = { until, message: escalated ? KO.ipLocked : KO.flood };
    s.lastBanEnd = until;
    this.started++;
    return { error: this.banAnswer(s.ban), rule };
  }

  private banAnswer(ban: Ban): KoError {
    const err = ban.message();
    return this.plainText(this.limits.banPlainTextRatio) ? err.asPlainText() : err;
  }

  private state(key: string): KeyState {
    let s = this.perKey.get(key);
    if (!s) {
      s = { recent: [], errors: [], level: 0, lastBanEnd: 0, lastListingOf: new Map() };
      this.perKey.set(key, s);
    }
    return s;
  }
}
