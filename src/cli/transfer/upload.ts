/**
 * Uploading one local file to the account through the VFS.
 *
 * - Streams with the exact size, so the VFS pipes the bytes straight to the upload (O(1) memory); a 0-byte
 *   file becomes what the VFS makes of it (a local-only file: 1fichier cannot store empty files).
 * - Records the local mtime (ms, truncated) as the file's modTime.
 * - Verifies: the stored size must be the local size, and when the account reports a whirlpool for the new
 *   file it must be the whirlpool of the bytes sent (hashed on the way); a mismatch removes the stored file
 *   and fails with EIO, as rclone does for a transfer corrupted on the way.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import { FsError } from '../../core/errors.ts';
import { createWhirlpoolHasher } from '../../util/whirlpool.ts';
import type { Vfs, VfsEntry } from '../../vfs/types.ts';

export interface TransferOptions {
  /** Aborting stops the transfer; the promise rejects with the signal's reason (or an FsError). */
  signal?: AbortSignal;
  /** Called with the size of every piece of data moved. */
  onBytes?: (n: number) => void;
}

/** A Transform that passes bytes on unchanged, calling `see` with each chunk first. */
export function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      see(chunk);
      cb(null, chunk);
    },
  });
}

/**
 * Uploads the local file `localPath` to `remotePath` (replacing a file there) and resolves with the durable,
 * verified entry. Throws EISDIR when `localPath` is not a regular file, the local fs error when it cannot be
 * read, what Vfs.openWrite throws (ENOENT when the remote parent is missing, EISDIR, EROFS...), and EIO when
 * the verification fails (the stored copy is then removed).
 */
export async function uploadFile(vfs: Vfs, localPath: string, remotePath: string, opts: TransferOptions = {}): Promise<VfsEntry> {
  const st = await stat(localPath);
  if (!st.isFile()) throw new FsError('EISDIR', 'not a regular file', { path: localPath });
  const hasher = await createWhirlpoolHasher();
  const source = createReadStream(localPath, opts.signal ? { signal: opts.signal } : {});
  const counted = tap((chunk) => {
    hasher.update(chunk);
    opts.onBytes?.(chunk.length);
  });
  pipeline(source, counted, () => undefined);
  let entry: VfsEntry;
  try {
    entry = await vfs.writeFile(remotePath, counted, { size: st.size, modTime: Math.floor(st.mtimeMs), ...(opts.signal ? { signal: opts.signal } : {}) });
  } finally {
    counted.destroy();
  }
  const digest = hasher.digestHex();
  const stored = entry.hashes.whirlpool;
  if (entry.size !== st.size || (stored !== undefined && stored.toLowerCase() !== digest)) {
    await vfs.unlink(remotePath).catch(() => undefined);
    throw new FsError('EIO', `corrupted on transfer: the stored copy differs from the local file (${entry.size === st.size ? 'whirlpool' : 'size'})`, {
      path: remotePath,
    });
  }
  return entry;
}
