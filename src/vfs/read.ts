/**
 * Chunked, resumable reads (rclone's `fs/chunkedreader` with `--vfs-read-chunk-size` semantics): one ranged
 * `remote.openRead` at a time, `Range: off-(off+chunk-1)`, the chunk doubling after each chunk up to the
 * limit. A chunk is requested only when the consumer wants more bytes (bounded read-ahead: one request in
 * flight and at most the stream's highWaterMark buffered).
 *
 * Retries, one owner per kind of failure: this reader resumes a failed transfer (a download that fails or a
 * body that drops mid-stream) at the current offset. A failure that the remote marks `final` was an API call
 * the pacer already retried (core/errors.ts): the stream errors with it at once, so the reader's attempts
 * never multiply the pacer's.
 *
 * Choices where the reference is silent:
 * - After a failure, the reopen covers [current offset, end of the current chunk]: chunk boundaries and the
 *   doubling sequence do not depend on where a failure happened.
 * - "Consecutive" failures: the counter resets as soon as an attempt delivers at least one byte, so a long
 *   stream survives any number of well-spaced drops but not a dead source.
 * - A body that ends before its range is complete is a failure like any other (resumed at the offset);
 *   bytes beyond the requested range are dropped.
 * - Backoff: 100 ms doubling to 5 s, or the error's `retryAfterMs` when it says more (capped at 30 s),
 *   slept on the injected clock.
 */
import { Readable } from 'node:stream';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { FsError, isFsError } from '../core/errors.ts';
import type { ByteSpan } from '../core/span.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';

export interface ChunkedReadOptions {
  /** First chunk, bytes (rclone --vfs-read-chunk-size); 0 = one open-ended request for the whole range. */
  chunkSize: number;
  /** The chunk size doubles after each chunk up to this (rclone --vfs-read-chunk-size-limit); -1 = no limit. */
  chunkSizeLimit: number;
  /** Consecutive failed attempts tolerated before the stream errors with EIO (rclone --low-level-retries). */
  retries: number;
  clock: Clock;
  logger: Logger;
  /** Aborting it destroys the stream (and the request in flight) with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the size of every piece of data handed to the consumer. */
  onBytes?: (n: number) => void;
}

/** Bytes buffered ahead of the consumer at most (the Readable's highWaterMark). */
export const READ_HIGH_WATER_MARK = 1024 * 1024;

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const RETRY_AFTER_MAX_MS = 30_000;

/** Codes that a reopen cannot cure: the stream errors with them at once. */
const FATAL_CODES = new Set(['ENOENT', 'EACCES', 'ERANGE', 'EISDIR', 'EINVAL']);

/**
 * Stream the bytes of `span` (inside the file: validated by the caller) of `file`: sequential ranged opens of
 * doubling chunks (chunkSize 0 = one request for the whole span); on a transfer failure (anything but a
 * `final` error or ENOENT/EACCES/ERANGE/EISDIR/EINVAL) reopen at the current offset, up to `retries`
 * consecutive failures with a short backoff, invisibly to the reader. Backpressure-aware. The stream errors
 * with the remote's FsError for final and fatal ones, with EIO (cause: the last failure) once retries are
 * exhausted, or with the signal's reason on abort. `destroy()` aborts the request in flight.
 */
export function chunkedRead(remote: Remote, file: RemoteEntry, span: ByteSpan, opts: ChunkedReadOptions): Readable {
  return new ChunkedReader(remote, file, span, opts);
}

class ChunkedReader extends Readable {
  private offset: number;
  private chunk: number;
  private failures = 0;
  private started = false;
  private wake: (() => void) | undefined;
  /** _read() was called since the last push: the consumer wants more. */
  private want = false;
  private readonly ac = new AbortController();
  private body: Readable | undefined;
  private readonly onAbort = (): void => {
    this.destroy(this.opts.signal?.reason instanceof Error ? this.opts.signal.reason : new FsError('EIO', 'read aborted', { path: this.file.path }));
  };

  private readonly end: number;

  constructor(
    private readonly remote: Remote,
    private readonly file: RemoteEntry,
    span: ByteSpan,
    private readonly opts: ChunkedReadOptions,
  ) {
    super({ highWaterMark: READ_HIGH_WATER_MARK });
    this.offset = span.start;
    this.end = span.end;
    this.chunk = opts.chunkSize;
    if (opts.signal?.aborted) queueMicrotask(this.onAbort);
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  override _read(): void {
    if (!this.started) {
      this.started = true;
      void this.pump();
      return;
    }
    this.want = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.ac.abort();
    this.body?.destroy();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    cb(err);
  }

  /** Resolves when the consumer asks for more (or the stream is destroyed). */
  private wanted(): Promise<void> {
    if (this.want || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Hands `buf` to the consumer; false when its buffer is full (wait for `wanted()`). */
  private deliver(buf: Buffer): boolean {
    this.offset += buf.length;
    this.failures = 0;
    this.opts.onBytes?.(buf.length);
    this.want = false;
    return this.push(buf);
  }

  private async pump(): Promise<void> {
    try {
      while (this.offset <= this.end && !this.destroyed) {
        const chunkEnd = this.chunk <= 0 ? this.end : Math.min(this.end, this.offset + this.chunk - 1);
        let more = true;
        while (this.offset <= chunkEnd && !this.destroyed) more = await this.attempt(chunkEnd);
        this.grow();
        if (!more && this.offset <= this.end) await this.wanted();
      }
      if (!this.destroyed) this.push(null);
    } catch (err) {
      if (!this.destroyed) this.destroy(err instanceof Error ? err : new FsError('EIO', 'read failed', { path: this.file.path, cause: err }));
    }
  }

  private grow(): void {
    if (this.chunk <= 0) return;
    const limit = this.opts.chunkSizeLimit;
    this.chunk = limit < 0 ? this.chunk * 2 : Math.max(this.opts.chunkSize, Math.min(this.chunk * 2, limit));
  }

  /**
   * One open + read of [offset, chunkEnd]. Returns whether the consumer still wants data (last push result).
   * Throws only fatal errors; recoverable ones are counted and slept off here.
   */
  private async attempt(chunkEnd: number): Promise<boolean> {
    let more = true;
    try {
      const whole = this.offset === 0 && chunkEnd === this.file.size - 1;
      const body = await this.remote.openRead(this.file, whole ? undefined : { start: this.offset, end: chunkEnd }, this.ac.signal);
      if (this.destroyed) {
        body.destroy();
        return false;
      }
      this.body = body;
      for await (const data of body as AsyncIterable<Uint8Array | string>) {
        let buf = toBuffer(data);
        if (buf.length === 0) continue;
        if (this.offset + buf.length > chunkEnd + 1) buf = buf.subarray(0, chunkEnd + 1 - this.offset);
        more = this.deliver(buf);
        if (this.offset > chunkEnd) break;
        if (!more) {
          await this.wanted();
          more = true;
        }
        if (this.destroyed) return false;
      }
      this.body = undefined;
      body.destroy();
      if (this.offset <= chunkEnd && !this.destroyed) {
        throw new FsError('EIO', `body ended at ${this.offset}, expected up to ${chunkEnd}`, { path: this.file.path });
      }
      return more;
    } catch (err) {
      this.body?.destroy();
      this.body = undefined;
      if (this.destroyed) return false;
      if (isFsError(err) && (err.final || FATAL_CODES.has(err.code))) throw err;
      await this.backoff(err);
      return true;
    }
  }

  private async backoff(err: unknown): Promise<void> {
    this.failures++;
    if (this.failures > this.opts.retries) {
      throw new FsError('EIO', `read failed after ${this.opts.retries} retries at offset ${this.offset}`, { path: this.file.path, cause: err });
    }
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
    const hinted = isFsError(err) && err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, RETRY_AFTER_MAX_MS) : 0;
    const delay = Math.max(exp, hinted);
    this.opts.logger.debug({ path: this.file.path, offset: this.offset, attempt: this.failures, delay, err: String(err) }, 'read: reopening after a failure');
    try {
      await this.opts.clock.sleep(delay, this.ac.signal);
    } catch {
      // aborted by destroy(): the pump sees `destroyed` and stops
    }
  }
}

function toBuffer(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
