/**
 * The upload stream under Vfs.openWrite: hashes what it receives (MD5 and SHA-1, which 1fichier cannot
 * compute) and stores it through `remote.put`, in one of three ways chosen up front:
 * - size known (> 0): piped straight into `put` as it arrives, with backpressure (O(1) memory);
 * - size unknown: spooled to a temp file in `spoolDir`, then put once complete (its size is known then);
 * - `collect`: kept in memory (local-only junk files), capped by `maxCollectBytes`.
 * 0 bytes never reach the remote (1fichier cannot store them): the outcome carries no entry.
 *
 * Choices where the reference is silent:
 * - The put starts on the first byte, not at creation: a write aborted before any data costs no API call.
 * - A failed or aborted streaming upload destroys the put's source with the error and aborts its signal; if
 *   a remote still stored something, that entry is removed, so no partial file survives.
 * - Over `maxCollectBytes` fails with ENOSPC (the local store is "full" for that file). Default 16 MiB.
 * - Expected digests compare case-insensitively (hex).
 * - Abort (signal, or destroy() without an error) rejects `done` with EIO.
 */
import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import type { Logger } from '../util/log.ts';
import { FsError, isFsError } from '../core/errors.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import { createSpool, type Spool } from './spool.ts';

export interface UploadOutcome {
  /** The stored file; undefined when nothing was uploaded (0 bytes, or `collect`). */
  entry?: RemoteEntry;
  size: number;
  /** Lower-case hex digests of the bytes received. */
  md5: string;
  sha1: string;
  /** The bytes, when size 0 or when `collect`. */
  content?: Buffer;
}

export type DigestType = 'md5' | 'sha1';

export interface UploadStreamOptions {
  remote: Remote;
  /** Canonical remote path of the new file. */
  path: string;
  /** Exact size when known: streams directly; more or fewer bytes fail with EINVAL. */
  size?: number;
  /** Directory for the temp file of an upload of unknown size (must exist). */
  spoolDir: string;
  /** Expected digests (hex): a mismatch fails with EIO and leaves nothing stored. */
  expect?: Partial<Record<DigestType, string>>;
  /** Keep the bytes in memory (outcome.content) instead of uploading. */
  collect?: boolean;
  /** Cap of `collect`, bytes (default 16 MiB); more fails with ENOSPC. */
  maxCollectBytes?: number;
  /** Aborting destroys the stream and the upload in progress; `done` rejects with EIO. */
  signal?: AbortSignal;
  logger: Logger;
}

export type UploadStream = Writable & { done: Promise<UploadOutcome> };

export const DEFAULT_MAX_COLLECT_BYTES = 16 * 1024 * 1024;

/**
 * A Writable that hashes what it receives and (size known) streams it to remote.put(path) as it arrives, or
 * (size unknown) spools to a temp file in spoolDir, then puts it. 0 bytes => no put. `collect: true` keeps the
 * bytes in memory instead of uploading (capped by maxCollectBytes, ENOSPC beyond). A size mismatch (EINVAL),
 * an `expect` digest mismatch (EIO; checked BEFORE the put when spooling; when streaming, the put happens and
 * the new entry is removed again) or a put failure (the remote's FsError, or EIO) => `done` rejects with that
 * FsError and the stream errors with it. 'finish' is emitted only after `done` resolved. Temp files are always
 * deleted.
 */
export function createUploadStream(opts: UploadStreamOptions): UploadStream {
  return new UploadWriter(opts);
}

/** Where the bytes go; chosen once per stream. */
interface Sink {
  /** Accepts a chunk; resolves when it may be given the next one. Throws FsError or a lower error. */
  write(chunk: Buffer): Promise<void>;
  /** All bytes are in (count and digests already checked where needed); returns the stored entry, if any. */
  finish(size: number, check: () => void): Promise<{ entry?: RemoteEntry; content?: Buffer }>;
  /** Stops and cleans up after a failure; never throws. */
  abort(err: Error): Promise<void>;
}

class UploadWriter extends Writable {
  readonly done: Promise<UploadOutcome>;
  private resolveDone!: (o: UploadOutcome) => void;
  private rejectDone!: (e: FsError) => void;
  private settled = false;
  private received = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly sha1: Hash = createHash('sha1');
  private readonly sink: Sink;
  private digests: { md5: string; sha1: string } | undefined;
  private readonly onAbort = (): void => {
    this.destroy(new FsError('EIO', 'upload aborted', { path: this.opts.path, cause: this.opts.signal?.reason }));
  };

  constructor(private readonly opts: UploadStreamOptions) {
    super();
    this.done = new Promise<UploadOutcome>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // `done` may be ignored by a caller that listens to the stream's 'error' instead.
    this.done.catch(() => undefined);
    this.sink = makeSink(opts);
    if (opts.signal?.aborted) queueMicrotask(this.onAbort);
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const size = this.opts.size;
    if (size !== undefined && this.received + chunk.length > size) {
      cb(new FsError('EINVAL', `more than the announced ${size} bytes`, { path: this.opts.path }));
      return;
    }
    this.received += chunk.length;
    this.md5.update(chunk);
    this.sha1.update(chunk);
    this.sink.write(chunk).then(
      () => cb(),
      (err: unknown) => cb(toFsError(err, this.opts.path)),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.complete().then(
      (outcome) => {
        if (this.settled) {
          // destroyed while the put was confirming: `done` already rejected, so nothing may stay stored
          void discardPut(outcome.entry && Promise.resolve(outcome.entry), this.opts.remote, this.opts.path, this.opts.logger);
          return;
        }
        this.settle();
        this.resolveDone(outcome);
        cb();
      },
      (err: unknown) => cb(toFsError(err, this.opts.path)),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    if (this.settled) {
      cb(err);
      return;
    }
    this.settle();
    const fsErr = err ? toFsError(err, this.opts.path) : new FsError('EIO', 'upload aborted', { path: this.opts.path });
    this.sink.abort(fsErr).then(() => {
      this.opts.logger.debug({ path: this.opts.path, code: fsErr.code, bytes: this.received }, 'upload failed');
      this.rejectDone(fsErr);
      cb(err ? fsErr : null);
    });
  }

  private settle(): void {
    this.settled = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  private async complete(): Promise<UploadOutcome> {
    const size = this.opts.size;
    if (size !== undefined && this.received !== size) {
      throw new FsError('EINVAL', `${this.received} bytes received, ${size} announced`, { path: this.opts.path });
    }
    const digests = { md5: this.md5.digest('hex'), sha1: this.sha1.digest('hex') };
    this.digests = digests;
    const { entry, content } = await this.sink.finish(this.received, () => this.checkDigests());
    return { ...(entry ? { entry } : {}), size: this.received, ...digests, ...(content ? { content } : {}) };
  }

  /** Throws EIO when an expected digest differs from the computed one. */
  private checkDigests(): void {
    const got = this.digests;
    for (const type of ['md5', 'sha1'] as const) {
      const want = this.opts.expect?.[type];
      if (want !== undefined && got && want.toLowerCase() !== got[type]) {
        throw new FsError('EIO', `${type} mismatch: expected ${want}, got ${got[type]}`, { path: this.opts.path });
      }
    }
  }
}

function makeSink(opts: UploadStreamOptions): Sink {
  if (opts.collect) return new CollectSink(opts.maxCollectBytes ?? DEFAULT_MAX_COLLECT_BYTES, opts.path);
  if (opts.size === 0) return new CollectSink(0, opts.path);
  if (opts.size !== undefined) return new StreamSink(opts.remote, opts.path, opts.size, opts.logger);
  return new SpoolSink(opts.remote, opts.path, opts.spoolDir, opts.logger);
}

/** Keeps the bytes in memory; also used for an announced size of 0 (nothing can arrive). */
class CollectSink implements Sink {
  private chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly max: number,
    private readonly path: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.total += chunk.length;
    if (this.total > this.max) throw new FsError('ENOSPC', `local file over ${this.max} bytes`, { path: this.path });
    this.chunks.push(Buffer.from(chunk));
  }

  async finish(_size: number, check: () => void): Promise<{ content: Buffer }> {
    check();
    return { content: Buffer.concat(this.chunks) };
  }

  async abort(): Promise<void> {
    this.chunks = [];
  }
}

/** Size unknown: a temp file, created on the first byte, put once complete, always deleted. */
class SpoolSink implements Sink {
  private spool: Promise<Spool> | undefined;
  private readonly ac = new AbortController();
  /** The put in progress (undefined before it starts and once its outcome is handled). */
  private put: Promise<RemoteEntry> | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly path: string,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.spool ??= createSpool(this.dir);
    await (await this.spool).write(chunk);
  }

  async finish(size: number, check: () => void): Promise<{ entry?: RemoteEntry; content?: Buffer }> {
    try {
      check();
      if (size === 0 || !this.spool) return { content: Buffer.alloc(0) };
      const spool = await this.spool;
      await spool.close();
      this.put = this.remote.put(this.path, spool.openRead(), { size, signal: this.ac.signal });
      const entry = await this.put;
      this.put = undefined;
      return { entry };
    } finally {
      await this.dispose();
    }
  }

  async abort(err: Error): Promise<void> {
    this.ac.abort(err);
    await discardPut(this.put, this.remote, this.path, this.logger);
    await this.dispose();
  }

  private async dispose(): Promise<void> {
    const spool = await this.spool?.catch(() => undefined);
    await spool?.dispose();
  }
}

/** Size known: the bytes go straight into `remote.put` through a PassThrough, started on the first byte. */
class StreamSink implements Sink {
  private readonly source = new PassThrough();
  private readonly ac = new AbortController();
  private put: Promise<RemoteEntry> | undefined;
  /** Rejects with the put's error; never resolves (a put cannot succeed before its last byte). */
  private failed: Promise<never> | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly path: string,
    private readonly size: number,
    private readonly logger: Logger,
  ) {
    // The remote sees the error through its own reader; this only keeps an unread 'error' from crashing.
    this.source.on('error', () => undefined);
  }

  private start(): void {
    const put = Promise.resolve().then(() => this.remote.put(this.path, this.source, { size: this.size, signal: this.ac.signal }));
    put.catch(() => undefined);
    this.put = put;
    this.failed = put.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => {
        throw err;
      },
    );
    this.failed.catch(() => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    if (!this.put) this.start();
    if (this.source.write(chunk)) return;
    let onDrain: (() => void) | undefined;
    const drained = new Promise<void>((resolve) => {
      onDrain = resolve;
      this.source.once('drain', resolve);
    });
    try {
      await Promise.race([drained, this.failed]);
    } finally {
      if (onDrain) this.source.off('drain', onDrain);
    }
  }

  async finish(_size: number, check: () => void): Promise<{ entry: RemoteEntry }> {
    if (!this.put) throw new FsError('EINVAL', 'no bytes for a non-empty upload', { path: this.path });
    this.source.end();
    const entry = await this.put;
    this.put = undefined;
    try {
      check();
    } catch (err) {
      await discardPut(Promise.resolve(entry), this.remote, this.path, this.logger);
      throw err;
    }
    return { entry };
  }

  async abort(err: Error): Promise<void> {
    const put = this.put;
    if (!put) return;
    this.source.destroy(err);
    this.ac.abort(err);
    await discardPut(put, this.remote, this.path, this.logger);
  }
}

/** Waits for an aborted put to settle and removes what it stored anyway, if anything; never throws. */
async function discardPut(put: Promise<RemoteEntry> | undefined, remote: Remote, path: string, logger: Logger): Promise<void> {
  const stored = await put?.catch(() => undefined);
  if (!stored) return;
  try {
    await remote.remove(stored);
  } catch (err) {
    logger.warn({ path, id: stored.id, err: String(err) }, 'could not remove a rejected upload');
  }
}

function toFsError(err: unknown, path: string): FsError {
  if (isFsError(err)) return err;
  return new FsError('EIO', 'upload failed', { path, cause: err });
}
