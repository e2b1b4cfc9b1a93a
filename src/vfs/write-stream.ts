/**
 * The one write pipeline under Vfs.openWrite: a Writable that counts and hashes what it receives (MD5 and
 * SHA-1, which 1fichier cannot compute; once, here, for every consumer), hands it to a sink (write-sinks.ts),
 * and once all bytes are in and stored, commits the result (write.ts: metadata, cache, replaced file).
 *
 * - 'finish' is emitted only after the commit, so a caller that answers on 'finish' (webdav-server does)
 *   answers once the file is durable and listed. `result` resolves with the entry at the same moment.
 * - More bytes than an announced size fail at once, fewer at the end, both with EINVAL.
 * - Expected digests (OC-Checksum) compare case-insensitively; a mismatch is EBADMSG (core/errors.ts), the
 *   client's mistake rather than a failure of the transfer, and nothing stays stored.
 * - A failure (the sink's, the commit's, a size or digest mismatch) or an abort (the signal, or destroy()
 *   without an error: EIO) destroys the stream with one FsError, rejects `result` with it and aborts the sink,
 *   which removes whatever it stored: the previous version of a replaced file is untouched.
 * - Every chunk counts towards the process's periodic young-generation collection (util/gc-hint.ts): the dead
 *   buffers of a streamed body are freed in step with it instead of piling up between scavenges.
 */
import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import { FsError, isFsError } from '../core/errors.ts';
import { streamedBytes } from '../util/gc-hint.ts';
import type { Logger } from '../util/log.ts';
import type { VfsEntry, VfsWriteStream } from './types.ts';
import { discardPut, type Sink, type Stored } from './write-sinks.ts';
import type { Remote } from '../remote/types.ts';

export type DigestType = 'md5' | 'sha1';

/** What the bytes were: their count and lower-case hex digests. */
export interface Received {
  size: number;
  md5: string;
  sha1: string;
}

export interface WriteStreamOptions {
  /** Shown path of the file, for errors and logs. */
  path: string;
  /** Exact size when announced. */
  size?: number;
  /** Expected digests (hex). */
  expect?: Partial<Record<DigestType, string>>;
  sink: Sink;
  /** Records what the sink stored and returns the new entry; throws FsError. */
  commit: (stored: Stored, received: Received) => Promise<VfsEntry>;
  /** True when the path held a file before this write (201 vs 204). */
  replaced: boolean;
  /** Aborting destroys the stream (EIO, the signal's reason as cause). */
  signal?: AbortSignal;
  /** For removing an upload that completed after the stream was destroyed. */
  remote: Remote;
  logger: Logger;
  /** Told when the stream closes (counters). */
  onClose?: () => void;
}

/** The stream of one write; see the module doc. */
export class WriteStream extends Writable implements VfsWriteStream {
  readonly result: Promise<VfsEntry>;
  readonly replaced: boolean;
  #resolve!: (e: VfsEntry) => void;
  #reject!: (e: FsError) => void;
  /** Set once `result` is decided (or about to be): a later failure no longer changes it. */
  #settled = false;
  #received = 0;
  readonly #md5: Hash = createHash('md5');
  readonly #sha1: Hash = createHash('sha1');
  #digests: { md5: string; sha1: string } | undefined;
  readonly #o: WriteStreamOptions;
  readonly #onAbort = (): void => {
    this.destroy(new FsError('EIO', 'write aborted', { path: this.#o.path, cause: this.#o.signal?.reason }));
  };

  constructor(opts: WriteStreamOptions) {
    super();
    this.#o = opts;
    this.replaced = opts.replaced;
    this.result = new Promise<VfsEntry>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // `result` may be ignored by a caller that listens to the stream's 'error' instead.
    this.result.catch(() => undefined);
    if (opts.onClose) this.once('close', opts.onClose);
    if (opts.signal?.aborted) queueMicrotask(this.#onAbort);
    else opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const size = this.#o.size;
    if (size !== undefined && this.#received + chunk.length > size) {
      cb(new FsError('EINVAL', `more than the announced ${size} bytes`, { path: this.#o.path }));
      return;
    }
    this.#received += chunk.length;
    this.#md5.update(chunk);
    this.#sha1.update(chunk);
    streamedBytes(chunk.length);
    this.#o.sink.write(chunk).then(
      () => cb(),
      (err: unknown) => cb(toFsError(err, this.#o.path)),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#complete().then(
      (entry) => {
        if (entry === undefined) return;
        this.#settle();
        this.#resolve(entry);
        cb();
      },
      (err: unknown) => cb(toFsError(err, this.#o.path)),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.#settled) {
      cb(err);
      return;
    }
    this.#settle();
    const fsErr = err ? toFsError(err, this.#o.path) : new FsError('EIO', 'write aborted', { path: this.#o.path });
    this.#o.sink.abort(fsErr).then(() => {
      this.#o.logger.debug({ path: this.#o.path, code: fsErr.code, bytes: this.#received }, 'write failed');
      this.#reject(fsErr);
      cb(err ? fsErr : null);
    });
  }

  #settle(): void {
    this.#settled = true;
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
  }

  /**
   * Checks the size, lets the sink store the bytes (it verifies the digests), and commits. Resolves undefined
   * when the stream was destroyed while the sink was storing (what it stored is removed again).
   */
  async #complete(): Promise<VfsEntry | undefined> {
    const size = this.#o.size;
    if (size !== undefined && this.#received !== size) {
      throw new FsError('EINVAL', `${this.#received} bytes received, ${size} announced`, { path: this.#o.path });
    }
    this.#digests = { md5: this.#md5.digest('hex'), sha1: this.#sha1.digest('hex') };
    const stored = await this.#o.sink.finish(this.#received, () => this.#verify());
    if (this.#settled) {
      await discardPut(stored.entry && Promise.resolve(stored.entry), { remote: this.#o.remote, path: this.#o.path, logger: this.#o.logger });
      return undefined;
    }
    return this.#o.commit(stored, { size: this.#received, ...this.#digests });
  }

  /** Throws EBADMSG when an expected digest differs from the computed one. */
  #verify(): void {
    const got = this.#digests;
    for (const type of ['md5', 'sha1'] as const) {
      const want = this.#o.expect?.[type];
      if (want !== undefined && got && want.toLowerCase() !== got[type]) {
        throw new FsError('EBADMSG', `${type} mismatch: expected ${want}, got ${got[type]}`, { path: this.#o.path });
      }
    }
  }
}

/** The error a write fails with: an FsError as is, anything else EIO with its cause. */
export function toFsError(err: unknown, path: string): FsError {
  return isFsError(err) ? err : new FsError('EIO', 'write failed', { path, cause: err });
}
