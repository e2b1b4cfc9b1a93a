/**
 * Whether a file needs transferring, with rclone's rules (its default check is size and modification time):
 *
 * - no destination: transfer;
 * - `--ignore-existing`: any destination is kept (skip);
 * - sizes differ: transfer; `--size-only`: equal sizes skip;
 * - modTimes within MODIFY_WINDOW_MS: skip;
 * - modTimes differ but both whirlpools are known (the account knows its files'; a local file is hashed for
 *   this) and equal: skip, and the destination's modTime should be set to the source's (rclone: "Updated
 *   modification time in destination"); otherwise transfer.
 *
 * The modify window is 1 s: the account keeps the modTimes clients give it (ms), but WebDAV clients set them
 * in whole seconds (X-OC-Mtime), and 1fichier itself keeps none.
 */
import type { Item } from './sides.ts';

export type CheckMode = 'default' | 'size-only' | 'ignore-existing';

/** `transfer`: copy it; `skip`: identical; `touch`: identical content, only the destination's modTime differs. */
export type Decision = 'transfer' | 'skip' | 'touch';

export const MODIFY_WINDOW_MS = 1000;

/**
 * Decides for source `src` and destination `dst` (undefined when absent). `localHash` computes the whirlpool
 * of whichever side is local (only called when the other side's whirlpool is known). Throws what it throws.
 */
export async function decide(src: Item, dst: Item | undefined, mode: CheckMode, localHash: () => Promise<string | undefined>): Promise<Decision> {
  if (!dst) return 'transfer';
  if (mode === 'ignore-existing') return 'skip';
  if (dst.kind !== src.kind || dst.size !== src.size) return 'transfer';
  if (mode === 'size-only') return 'skip';
  if (Math.abs(dst.modTime - src.modTime) < MODIFY_WINDOW_MS) return 'skip';
  const known = src.whirlpool ?? dst.whirlpool;
  if (known === undefined) return 'transfer';
  const a = src.whirlpool ?? (await localHash());
  const b = dst.whirlpool ?? (await localHash());
  return a !== undefined && a === b ? 'touch' : 'transfer';
}
