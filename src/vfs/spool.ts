/**
 * A temporary file that holds an upload body of unknown size until it is complete (then its size is known
 * and it can be put). Created lazily by the caller, private (mode 0600, exclusive create), always removed by
 * `dispose()`, which is idempotent and safe to call at any point (also while a read stream is open).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface Spool {
  /** Absolute path of the temp file. */
  readonly path: string;
  /** Bytes written so far. */
  readonly size: number;
  /** Appends `chunk`; resolves once the OS has it (natural backpressure). Throws the fs error (ENOSPC...). */
  write(chunk: Uint8Array): Promise<void>;
  /** Closes the writing side. Throws the fs error. Further writes throw. */
  close(): Promise<void>;
  /** A stream of the whole content (call after `close()`); destroyed by `dispose()`. */
  openRead(): Readable;
  /** Closes everything and deletes the file; never throws. */
  dispose(): Promise<void>;
}

/** Creates an empty spool file in `dir` (which must exist). Throws the fs error (ENOENT, EACCES...). */
export async function createSpool(dir: string): Promise<Spool> {
  const path = join(dir, `fichier-dav-spool-${randomUUID()}`);
  let fh: FileHandle | undefined = await open(path, 'wx', 0o600);
  let size = 0;
  const readers: Readable[] = [];
  let disposed = false;
  return {
    path,
    get size() {
      return size;
    },
    async write(chunk) {
      if (!fh) throw new Error('spool closed');
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
      size += done;
    },
    async close() {
      const h = fh;
      fh = undefined;
      await h?.close();
    },
    openRead() {
      const r = createReadStream(path);
      readers.push(r);
      return r;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const r of readers) r.destroy();
      const h = fh;
      fh = undefined;
      await h?.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
    },
  };
}
