/**
 * Setting a local file's modification time to a millisecond value exactly.
 */
import { utimes } from 'node:fs/promises';

/**
 * Half a microsecond, in ms: fs.utimes takes seconds as a double, and `ms / 1000` can land a hair below the
 * intended millisecond (1795475083.517 -> …083.516999), which a filesystem with ns precision would keep.
 * The nudge is well above a double's resolution at today's epoch (~0.24 µs) and below 1 ms.
 */
const NUDGE_MS = 0.0005;

/** Sets both atime and mtime of `path` to `ms` (since the epoch), so that floor(stat.mtimeMs) === ms. Throws fs errors. */
export async function setLocalTime(path: string, ms: number): Promise<void> {
  const seconds = (ms + NUDGE_MS) / 1000;
  await utimes(path, seconds, seconds);
}
