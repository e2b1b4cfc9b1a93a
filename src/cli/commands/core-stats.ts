import type { CoreStats } from '../../rc/server.ts';
import type { VfsStats } from '../../vfs/types.ts';

/**
 * rclone's core/stats from the VFS counters: bytes and transfers both ways since start. The VFS keeps no
 * per-transfer list or error count yet, so `transferring` is empty and `errors` 0 (documented in the rc).
 */
export function coreStatsOf(v: VfsStats, elapsedMs: number): CoreStats {
  return {
    bytes: v.uploadBytes + v.downloadBytes,
    transfers: v.uploads + v.downloads,
    errors: 0,
    elapsedTime: elapsedMs / 1000,
    transferring: [],
  };
}
