/**
 * How gateways that lost their shared state keep out of each other's way without talking: a fixed timetable on
 * the clock they share (NTP), computed from the membership they last saw in Redis.
 *
 * - Listings: time is cut in frames of `3 x listInterval`; gateway `index` of `count` may start a listing only in
 *   the first `listInterval` of its own frames (one frame in `count`). A listing of another gateway therefore
 *   starts at least two intervals after the last one this gateway may start, whatever each one does.
 * - Folders: a folder is listed by one gateway only (its id modulo `count`), and not before one folder interval
 *   after the loss (another gateway may have listed it just before). Another gateway's folders wait for the
 *   shared state (their cached listings are still served).
 * - Calls: the general spacing is divided by the share (each gateway takes `share` of the budget).
 *
 * The same timetable applies for a while after Redis returns (the other gateways reconnect at their own pace,
 * and run on it until they do).
 */

export interface Membership {
  /** Gateways of the account seen alive in the shared state. */
  count: number;
  /** This gateway's place among them (0-based). */
  index: number;
}

export interface TimetableInput {
  now: number;
  folderId: number;
  listIntervalMs: number;
  folderIntervalMs: number;
  /** When this gateway lost the shared state (or started without it). */
  lostAt: number;
  members: Membership;
}

/** The answer: 0 when a listing may start now, else when to ask again; `never` when the folder is another gateway's. */
export type TimetableAnswer = { ok: true } | { ok: false; retryAt: number; othersFolder: boolean };

export function listingSlot(t: TimetableInput): TimetableAnswer {
  const count = Math.max(1, t.members.count);
  const index = ((t.members.index % count) + count) % count;
  const folderOwner = ((Math.abs(Math.trunc(t.folderId)) % count) + count) % count;
  if (folderOwner !== index) return { ok: false, retryAt: t.now + Math.max(t.listIntervalMs, 250), othersFolder: true };
  const folderFrom = t.lostAt + t.folderIntervalMs;
  if (t.now < folderFrom) return { ok: false, retryAt: folderFrom, othersFolder: false };
  const frame = 3 * t.listIntervalMs;
  const cycle = frame * count;
  const into = t.now % cycle;
  const start = index * frame;
  if (into >= start && into < start + t.listIntervalMs) return { ok: true };
  const next = into < start ? t.now - into + start : t.now - into + cycle + start;
  return { ok: false, retryAt: next, othersFolder: false };
}
