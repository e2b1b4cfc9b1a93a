/**
 * The warning for a file that holds a secret (the API key, a password) and that other local users can read.
 */
import { statSync } from 'node:fs';

/**
 * Returns a warning naming `file` and suggesting `chmod 600` when its mode lets the group or others read it,
 * else undefined (also on Windows, where POSIX modes mean nothing, and when the file cannot be stat'ed).
 * `what` says what the file holds ("the API key").
 */
export function readableByOthersWarning(file: string, what: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o044) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `${file} holds ${what} and other users can read it (mode ${octal}): run chmod 600 ${file}`;
}
