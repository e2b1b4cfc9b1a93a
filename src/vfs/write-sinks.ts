/**
 * Where the bytes of a write go (write-stream.ts picks one per write, write.ts decides which):
 * - RemoteSink, size known (> 0): piped straight into `remote.put` as they arrive, with backpressure (O(1)
 *   memory); the put starts on the first byte, so a write aborted before any data costs no API call.
 * - SpoolSink, size unknown: a temp file in the spool dir, put once complete (its size is known then); an
 *   upload that turns out empty is kept local instead.
 * - LocalSink: kept in memory for a local-only file (0 bytes, OS junk), capped (ENOSPC beyond).
 *
 * Every sink is told when all bytes are in (`finish`, with a `verify` to run before anything is stored when
 * it can: a streaming upload is stored before its last byte is hashed, so it verifies after and removes what
 * it stored on a mismatch), and on failure (`abort`: a put in progress is aborted and whatever it stored
 * anyway is removed, so no partial or rejected file survives). Temp files are always deleted.
 */
import { PassThrough } from 'node:stream';
import { FsError } from '../core/errors.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import type { Logger } from '../util/log.ts';
import { createSpool, type Spool } from './spool.ts';

/** What a finished sink stored: a remote file, or the bytes of a local-only one. */
export type Stored = { entry: RemoteEntry; content?: undefined } | { content: Buffer; entry?: undefined };

export interface Sink {
  /** Accepts a chunk; resolves when it may be given the next one. Throws FsError or a lower error. */
  write(chunk: Buffer): Promise<void>;
  /** All `size` bytes are in (their count checked); `verify` throws on a digest mismatch. Stores them. */
  finish(size: number, verify: () => void): Promise<Stored>;
  /** Stops and cleans up after a failure; never throws. */
  abort(err: Error): Promise<void>;
}

/** Where a remote sink stores its file: `name` in folder `parent`, shown at `path`. */
export interface RemoteTarget {
  remote: Remote;
  parent: RemoteEntry;
  name: string;
  path: string;
  logger: Logger;
  /** Ids of the files of this name already in the folder (PutOptions.knownIds). */
  knownIds: readonly string[];
}

/** Keeps the bytes in memory, at most `max` of them (ENOSPC beyond). */
export class LocalSink implements Sink {
  #chunks: Buffer[] = [];
  #total = 0;

  constructor(
    private readonly max: number,
    private readonly path: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.#total += chunk.length;
    if (this.#total > this.max) throw new FsError('ENOSPC', `local file over ${this.max} bytes`, { path: this.path });
    this.#chunks.push(Buffer.from(chunk));
  }

  async finish(_size: number, verify: () => void): Promise<Stored> {
    verify();
    return { content: Buffer.concat(this.#chunks) };
  }

  async abort(): Promise<void> {
    this.#chunks = [];
  }
}

/** Size unknown: a temp file, created on the first byte, put once complete, always deleted. */
export class SpoolSink implements Sink {
  #spool: Promise<Spool> | undefined;
  readonly #ac = new AbortController();
  /** The put in progress (undefined before it starts and once its outcome is handled). */
  #put: Promise<RemoteEntry> | undefined;

  constructor(
    private readonly to: RemoteTarget,
    private readonly dir: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.#spool ??= createSpool(this.dir);
    await (await this.#spool).write(chunk);
  }

  async finish(size: number, verify: () => void): Promise<Stored> {
    try {
      verify();
      if (size === 0 || !this.#spool) return { content: Buffer.alloc(0) };
      const spool = await this.#spool;
      await spool.close();
      const { remote, parent, name } = this.to;
      this.#put = remote.put(parent, name, spool.openRead(), { size, signal: this.#ac.signal, knownIds: this.to.knownIds });
      const entry = await this.#put;
      this.#put = undefined;
      return { entry };
    } finally {
      await this.#dispose();
    }
  }

  async abort(err: Error): Promise<void> {
    this.#ac.abort(err);
    await discardPut(this.#put, this.to);
    await this.#dispose();
  }

  async #dispose(): Promise<void> {
    const spool = await this.#spool?.catch(() => undefined);
    await spool?.dispose();
  }
}

/** Size known: the bytes go straight into `remote.put` through a PassThrough, started on the first byte. */
export class RemoteSink implements Sink {
  readonly #source = new PassThrough();
  readonly #ac = new AbortController();
  #put: Promise<RemoteEntry> | undefined;
  /** The put's error once it failed: every later write rejects with it. */
  #failure: { err: unknown } | undefined;
  /** Ends the write waiting for 'drain', with the put's error when it failed meanwhile. */
  #wake: ((err?: unknown) => void) | undefined;

  constructor(
    private readonly to: RemoteTarget,
    private readonly size: number,
  ) {
    // The remote sees the error through its own reader; this only keeps an unread 'error' from crashing.
    this.#source.on('error', () => undefined);
  }

  #start(): void {
    const { remote, parent, name } = this.to;
    const put = Promise.resolve().then(() => remote.put(parent, name, this.#source, { size: this.size, signal: this.#ac.signal, knownIds: this.to.knownIds }));
    this.#put = put;
    put.catch((err: unknown) => {
      this.#failure = { err };
      this.#wake?.(err);
    });
  }

  /**
   * Waits for 'drain' with one listener and one callback per wait, both dropped when it ends. Not a race
   * against a promise of the put's failure: each race adds a reaction to that promise, which lives as long as
   * the put, so a long upload kept two closures and a promise per chunk it waited on (~4 MB of heap per GiB, measured).
   */
  async write(chunk: Buffer): Promise<void> {
    if (!this.#put) this.#start();
    if (this.#failure) throw this.#failure.err;
    if (this.#source.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown): void => {
        this.#source.off('drain', onDrain);
        this.#wake = undefined;
        if (err === undefined) resolve();
        else reject(err);
      };
      const onDrain = (): void => done();
      this.#source.once('drain', onDrain);
      this.#wake = done;
    });
  }

  async finish(_size: number, verify: () => void): Promise<Stored> {
    if (!this.#put) throw new FsError('EINVAL', 'no bytes for a non-empty upload', { path: this.to.path });
    this.#source.end();
    const entry = await this.#put;
    this.#put = undefined;
    try {
      verify();
    } catch (err) {
      await discardPut(Promise.resolve(entry), this.to);
      throw err;
    }
    return { entry };
  }

  async abort(err: Error): Promise<void> {
    const put = this.#put;
    if (!put) return;
    this.#source.destroy(err);
    this.#ac.abort(err);
    await discardPut(put, this.to);
  }
}

/** Waits for an aborted or rejected put to settle and removes what it stored anyway, if anything; never throws. */
export async function discardPut(put: Promise<RemoteEntry> | undefined, to: Pick<RemoteTarget, 'remote' | 'path' | 'logger'>): Promise<void> {
  const stored = await put?.catch(() => undefined);
  if (!stored) return;
  try {
    await to.remote.remove(stored);
  } catch (err) {
    to.logger.warn({ path: to.path, id: stored.id, err: String(err) }, 'could not remove a rejected upload');
  }
}
