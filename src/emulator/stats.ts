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
  /** Bans started (rate limits or /_emulator/ban). */
  bans: number;
  /** Upload request body bytes received. */
  bytesIn: number;
  /** Download body bytes sent. */
  bytesOut: number;
  /** Calls refused by a ban or a rate limit (403 #374, #412, #38). */
  rejected: number;
}

export interface CallRecord {
  /** Arrival time (clock ms). */
  t: number;
  path: string;
  /** HTTP status answered; 0 while in flight or when the connection died first. */
  status: number;
}

const RING = 20_000;

export class Stats {
  total = 0;
  calls: Record<string, number> = {};
  downloads = 0;
  bytesIn = 0;
  bytesOut = 0;
  rejected = 0;
  private bansAtReset = 0;
  private ring: CallRecord[] = [];
  private head = 0;

  constructor(private readonly bans: () => number) {}

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
    return {
      total: this.total,
      calls: { ...this.calls },
      downloads: this.downloads,
      bans: this.bans() - this.bansAtReset,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      rejected: this.rejected,
    };
  }

  reset(): void {
    this.total = this.downloads = this.bytesIn = this.bytesOut = this.rejected = 0;
    this.calls = {};
    this.bansAtReset = this.bans();
    this.ring = [];
    this.head = 0;
  }
}
