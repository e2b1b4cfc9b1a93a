import type { BanView, RuleName } from './limits.ts';

/**
 * Call counters for tests and operators (GET /_emulator/stats, /_emulator/calls).
 * A call is recorded when it arrives (so counts never lag behind a client that already has its answer);
 * its status is filled in when the answer is sent.
 */
export interface EmulatorStats {
  /** /v1 API calls only. */
  total: number;
  /** Per route: "/v1/folder/ls.cgi", "/upload.cgi", "/end.pl", "download". */
  calls: Record<string, number>;
  /** Download GETs that started sending bytes. */
  downloads: number;
  /** Bans started (rate limits or /_emulator/ban) since the last reset. */
  bans: number;
  /** The account key's ban level now (0 = clean; 2 and more = escalated bans). */
  banLevel: number;
  /** End of the ban in force (clock ms), or null. */
  bannedUntil: number | null;
  /** Calls refused, by rule: 'ban' (during a ban) or the rule the call broke. */
  refusedByRule: Partial<Record<RuleName, number>>;
  /** Download GETs answered 302 to another download host. */
  redirects: number;
  /** Upload request body bytes received. */
  bytesIn: number;
  /** Download body bytes sent. */
  bytesOut: number;
  /** Calls refused by a ban or a flood rule (403 #374, #412, #38, "IP Locked"). */
  rejected: number;
}

export interface CallRecord {
  /** Arrival time (clock ms). */
  t: number;
  path: string;
  /** HTTP status answered; 0 while in flight or when the connection died first. */
  status: number;
  /** folder_id of a listing (folder/ls, file/ls; root when absent from the body). */
  folder?: number;
  /** Set when the call was refused by the flood rules: 'ban', or the rule it broke. */
  rule?: RuleName;
}

const RING = 20_000;

export class Stats {
  total = 0;
  calls: Record<string, number> = {};
  downloads = 0;
  bytesIn = 0;
  bytesOut = 0;
  rejected = 0;
  redirects = 0;
  refusedByRule: Partial<Record<RuleName, number>> = {};
  private bansAtReset = 0;
  private ring: CallRecord[] = [];
  private head = 0;

  constructor(private readonly banView: () => BanView) {}

  /** Counts a call refused by `rule`. */
  refused(rule: RuleName): void {
    this.rejected++;
    this.refusedByRule[rule] = (this.refusedByRule[rule] ?? 0) + 1;
  }

  /** Counts one call to `path` at `t`; returns the record whose status the caller fills in. */
  record(path: string, t: number, api: boolean): CallRecord {
    if (api) this.total++;
    this.calls[path] = (this.calls[path] ?? 0) + 1;
    const rec: CallRecord = { t, path, status: 0 };
    if (this.ring.length < RING) this.ring.push(rec);
    else {
      this.ring[this.head] = rec;
      this.head = (this.head + 1) % RING;
    }
    return rec;
  }

  /** Recorded calls that arrived at or after `since`, oldest first. */
  since(since: number): CallRecord[] {
    const ordered = this.ring.length < RING ? this.ring : [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
    return ordered.filter((r) => r.t >= since).map((r) => ({ ...r }));
  }

  snapshot(): EmulatorStats {
    const ban = this.banView();
    return {
      total: this.total,
      calls: { ...this.calls },
      downloads: this.downloads,
      bans: ban.bans - this.bansAtReset,
      banLevel: ban.banLevel,
      bannedUntil: ban.bannedUntil,
      refusedByRule: { ...this.refusedByRule },
      redirects: this.redirects,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      rejected: this.rejected,
    };
  }

  /** Zeroes counters and the call log (the ban level and any ban in force are not counters: they stay). */
  reset(): void {
    this.total = this.downloads = this.bytesIn = this.bytesOut = this.rejected = this.redirects = 0;
    this.calls = {};
    this.refusedByRule = {};
    this.bansAtReset = this.banView().bans;
    this.ring = [];
    this.head = 0;
  }
}
