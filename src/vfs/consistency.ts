/**
 * Read-your-writes over an eventually consistent service. 1fichier may list a file uploaded a moment ago only
 * seconds later, and keep listing a deleted one for a while (rclone's own tests re-list up to five times). A
 * client that PUTs a file and then lists its folder must see it; one that DELETEs must not see it come back.
 *
 * Every change made through us is recorded against the folder it touched (a file or folder that appeared there:
 * upload, copy, move in, mkdir; or one that left: delete, move out, rmdir), and every listing fetched from the
 * remote is seen through these records for `graceMs` after the change (a bounded time: a change made by someone
 * else later wins then):
 * - an entry we added stays listed, as we know it (our name and size win over a listing that predates a rename);
 * - an entry we removed stays hidden.
 * A record is dropped early once a listing fetched after the change agrees with it, and when it expires.
 *
 * Records are keyed by folder path and entry id, so a moved file is "removed" from one folder and "added" to
 * the other, and a listing of either shows it in one place only. State is in memory: after a restart the stored
 * listings (updated write-through) carry what we did, until they are fetched again.
 */
import { isWithin, parentOf } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { Clock } from '../util/clock.ts';

/** Default time a change of ours overrides what listings say. */
export const DEFAULT_CONSISTENCY_GRACE_MS = 60_000;

type Change = { kind: 'added'; entry: RemoteEntry; at: number } | { kind: 'removed'; at: number };

export class RecentWrites {
  readonly #clock: Clock;
  readonly #graceMs: number;
  /** Folder path -> entry id -> the last change of ours. */
  readonly #byDir = new Map<string, Map<string, Change>>();

  constructor(clock: Clock, graceMs = DEFAULT_CONSISTENCY_GRACE_MS) {
    this.#clock = clock;
    this.#graceMs = graceMs;
  }

  /** `entry` appeared in its folder through us (upload, copy, move in, mkdir). */
  added(entry: RemoteEntry): void {
    if (entry.path === '' || this.#graceMs <= 0) return;
    this.#set(parentOf(entry.path), entry.id, { kind: 'added', entry, at: this.#clock.now() });
  }

  /** The entry `id` left folder `dir` through us (delete, move out, rmdir). */
  removed(dir: string, id: string): void {
    if (this.#graceMs <= 0) return;
    this.#set(dir, id, { kind: 'removed', at: this.#clock.now() });
  }

  /** Forget the changes recorded at and below `prefix` (a folder that went away). */
  forget(prefix: string): void {
    for (const dir of [...this.#byDir.keys()]) if (isWithin(dir, prefix)) this.#byDir.delete(dir);
  }

  /**
   * The folder `src` moved to `dst` through us: the changes recorded inside it move with it. The service moves
   * a folder with its contents, but its listings of the new place lag exactly as they did at the old one (a file
   * uploaded a moment before the move is still missing there), so the records must keep applying.
   */
  moved(src: string, dst: string): void {
    if (src === dst || src === '') return;
    this.forget(dst);
    const rebase = (p: string): string => dst + p.slice(src.length);
    const moving = [...this.#byDir].filter(([dir]) => isWithin(dir, src));
    for (const [dir] of moving) this.#byDir.delete(dir);
    for (const [dir, changes] of moving) {
      const out = new Map<string, Change>();
      for (const [id, c] of changes) out.set(id, c.kind === 'added' ? { ...c, entry: { ...c.entry, path: rebase(c.entry.path) } } : c);
      this.#byDir.set(rebase(dir), out);
    }
  }

  /**
   * `entries` of folder `dir`, as a listing fetched at `fetchedAt` gave them, with our recent changes applied.
   * Returns the same array when nothing applies.
   */
  apply(dir: string, entries: RemoteEntry[], fetchedAt: number): RemoteEntry[] {
    const changes = this.#byDir.get(dir);
    if (!changes) return entries;
    const now = this.#clock.now();
    let out = entries;
    for (const [id, c] of changes) {
      if (c.at + this.#graceMs <= now) {
        changes.delete(id);
        continue;
      }
      const i = out.findIndex((e) => e.id === id);
      const listedAfter = fetchedAt > c.at;
      if (c.kind === 'removed') {
        if (i >= 0) out = out.filter((e) => e.id !== id);
        else if (listedAfter) changes.delete(id);
        continue;
      }
      const listed = i >= 0 ? out[i]! : undefined;
      if (listed && listed.name === c.entry.name && listed.size === c.entry.size) {
        if (listedAfter) changes.delete(id);
        continue;
      }
      out = listed ? out.map((e, j) => (j === i ? c.entry : e)) : [...out, c.entry];
    }
    if (changes.size === 0) this.#byDir.delete(dir);
    return out;
  }

  #set(dir: string, id: string, change: Change): void {
    let changes = this.#byDir.get(dir);
    if (!changes) {
      changes = new Map();
      this.#byDir.set(dir, changes);
    }
    changes.set(id, change);
  }
}
