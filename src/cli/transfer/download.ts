/**
 * Resumable downloads of one account file to a local path.
 *
 * Bytes go to `<localPath>.partial` (rclone also names its in-progress files with a `.partial` suffix); the
 * final name appears only once the whole file is there and verified, by an atomic rename, so a failed or
 * interrupted download never leaves a truncated file under the final name: it leaves the `.partial`, which
 * the next run resumes.
 *
 * - A `.partial` smaller than the remote file is resumed with a ranged read from its size; one of the same
 *   size is only verified; a bigger one is deleted and the download starts over.
 * - Verification: the size, and when the account reports a whirlpool for the file, the whirlpool of the whole
 *   local file (the prefix already on disk is hashed first, the rest on the way). So a resume onto content
 *   that changed since the `.partial` was written is caught: the `.partial` is deleted and the download
 *   restarts from zero, once; a fresh download that fails verification deletes the `.partial` and fails
 *   with EIO. Without a whirlpool (local-only files) the bytes of an earlier `.partial` are trusted.
 * - Durability: the `.partial` is fsynced, given the entry's modTime as its mtime, renamed into place, and
 *   the directory is fsynced (where the platform allows), before the promise resolves.
 * - Two runs downloading to the same path at once are not coordinated.
 */
import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable, Transform, Writable } from 'node:stream';
import { FsError } from '../../core/errors.ts';
import { createWhirlpoolHasher, type WhirlpoolHasher } from '../../util/whirlpool.ts';
import type { Vfs, VfsEntry, VfsNode } from '../../vfs/types.ts';
import { hashFileInto } from './local-hash.ts';
import { setLocalTime } from './local-time.ts';
import { tap, type TransferOptions } from './upload.ts';

/** The suffix of in-progress downloads. */
export const PARTIAL_SUFFIX = '.partial';

/** Where the bytes of a download to `localPath` collect until it is complete. */
export function partialPathFor(localPath: string): string {
  return `${localPath}${PARTIAL_SUFFIX}`;
}

export interface DownloadOptions extends TransferOptions {
  /** Called when an attempt starts: the offset it resumes from and the bytes it still has to fetch. */
  onAttempt?: (offset: number, remaining: number) => void;
}

export interface DownloadResult {
  entry: VfsEntry;
  /** Bytes found in the `.partial` and kept (0 for a download from scratch). */
  resumedFrom: number;
  /** True when a resumed download failed verification and was done again from zero. */
  restarted: boolean;
}

/** The verification of a downloaded file failed (size or whirlpool). */
export class IntegrityError extends FsError {
  constructor(path: string, what: 'size' | 'whirlpool') {
    super('EIO', `downloaded file failed verification (${what} differs from the account's)`, { path });
    this.name = 'IntegrityError';
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** fsync of a file, or best effort of a directory (not possible on every platform). */
async function fsync(path: string, bestEffort: boolean): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
    await fh.sync();
  } catch (err) {
    if (!bestEffort) throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Pipes `body` through `through` into `out`. When `body` fails (a dropped connection, an abort), what it
 * delivered before still reaches `out`, which is then closed, and the promise rejects with that failure: a
 * `.partial` keeps every byte received. Rejects with `out`'s error when writing fails (`body` is destroyed).
 */
function pipeKeepingReceived(body: Readable, through: Transform, out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: unknown;
    body.once('error', (err) => {
      failure ??= err;
      body.unpipe(through);
      through.end();
    });
    out.once('error', (err) => {
      failure ??= err;
      body.destroy();
    });
    out.once('close', () => (failure === undefined ? resolve() : reject(failure instanceof Error ? failure : new Error(String(failure)))));
    body.pipe(through).pipe(out);
  });
}

/**
 * One attempt: appends the bytes from `offset` to the `.partial` (created empty when offset is 0), then
 * checks the size and the whirlpool. Throws IntegrityError on a mismatch, what Vfs.openRead or the stream
 * throws on a transfer failure, and local fs errors.
 */
async function attempt(vfs: Vfs, file: VfsNode, partial: string, offset: number, opts: DownloadOptions): Promise<void> {
  const { entry } = file;
  opts.onAttempt?.(offset, entry.size - offset);
  const expected = entry.hashes.whirlpool?.toLowerCase();
  const hasher: WhirlpoolHasher | undefined = expected !== undefined ? await createWhirlpoolHasher() : undefined;
  if (hasher && offset > 0) await hashFileInto(hasher, partial, offset, opts.signal);
  if (offset === 0 || offset < entry.size) {
    if (entry.size === 0) {
      await writeFile(partial, '');
    } else {
      const body = await vfs.openRead(file, { start: offset, end: entry.size - 1 }, opts.signal);
      const out = createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' });
      const seen = tap((chunk) => {
        hasher?.update(chunk);
        opts.onBytes?.(chunk.length);
      });
      await pipeKeepingReceived(body, seen, out);
    }
  }
  await fsync(partial, false);
  if ((await stat(partial)).size !== entry.size) throw new IntegrityError(entry.path, 'size');
  if (hasher && hasher.digestHex() !== expected) throw new IntegrityError(entry.path, 'whirlpool');
}

/**
 * Downloads the file at `remotePath` to `localPath` as described in the module doc and resolves once the
 * file is in place, verified, with the entry's modTime. Throws ENOENT (no such remote file), EISDIR (a
 * folder), IntegrityError (EIO: verification failed; the `.partial` is gone), what Vfs.openRead and its
 * stream throw (the `.partial` is kept for a later resume), the signal's reason on abort, and local fs errors.
 */
export async function downloadFile(vfs: Vfs, remotePath: string, localPath: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const file = await vfs.lookup(remotePath, opts.signal);
  const { entry } = file;
  if (entry.kind !== 'file') throw new FsError('EISDIR', 'a folder cannot be downloaded as a file', { path: entry.path });
  const partial = partialPathFor(localPath);
  let offset = (await sizeOf(partial)) ?? 0;
  if (offset > entry.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  const resumedFrom = offset;
  let restarted = false;
  try {
    await attempt(vfs, file, partial, offset, opts);
  } catch (err) {
    if (!(err instanceof IntegrityError)) throw err;
    await rm(partial, { force: true });
    if (offset === 0) throw err;
    restarted = true;
    try {
      await attempt(vfs, file, partial, 0, opts);
    } catch (again) {
      if (again instanceof IntegrityError) await rm(partial, { force: true });
      throw again;
    }
  }
  await setLocalTime(partial, entry.modTime);
  await rename(partial, localPath);
  await fsync(dirname(localPath), true);
  return { entry, resumedFrom, restarted };
}
