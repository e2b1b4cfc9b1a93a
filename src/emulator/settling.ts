/**
 * Eventual-consistency state that lives only in memory (a restart forgets it, like a settled service):
 * folders whose folder/rm still says "not empty" after a file deletion, and uploads whose end.pl is not
 * ready yet. Listing visibility of new and deleted files is stored with the files (state.ts).
 */
export type EndPlPhase = 'no-links' | 'wait-page';

export class Settling {
  private readonly rmBlockedUntil = new Map<number, number>();
  private readonly endPl = new Map<string, { phase: EndPlPhase; until: number }>();

  /** folder/rm of `folderId` says "not empty" until `until` (ms). */
  blockRm(folderId: number, until: number): void {
    this.rmBlockedUntil.set(folderId, Math.max(until, this.rmBlockedUntil.get(folderId) ?? 0));
  }

  rmBlocked(folderId: number, now: number): boolean {
    const until = this.rmBlockedUntil.get(folderId);
    if (until === undefined) return false;
    if (now < until) return true;
    this.rmBlockedUntil.delete(folderId);
    return false;
  }

  /** end.pl of upload `xid` answers in `phase` until `until` (ms). */
  holdEndPl(xid: string, phase: EndPlPhase, until: number): void {
    this.endPl.set(xid, { phase, until });
  }

  /** The phase end.pl of `xid` is in at `now`, or undefined once its links are ready. */
  endPlPhase(xid: string, now: number): EndPlPhase | undefined {
    const h = this.endPl.get(xid);
    if (!h) return undefined;
    if (now < h.until) return h.phase;
    this.endPl.delete(xid);
    return undefined;
  }
}
