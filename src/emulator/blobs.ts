import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWhirlpoolHasher } from '../util/whirlpool.ts';

/**
 * File contents, content-addressed by their Whirlpool hex digest (so copies share one blob).
 * Disk mode: `<dataDir>/blobs/<hash>`, staged under `<dataDir>/tmp/` while being received.
 * Memory mode: a Map of Buffers.
 * Staging then `commit()` (synchronous) guarantees that a blob is complete before any file row points
 * at it; the caller inserts the row in the same JavaScript turn as `commit()`.
 */
export interface StagedBlob {
  hash: string;
  size: number;
  /** Makes the blob readable under `hash` (synchronous; idempotent when the blob already exists). */
  commit(): void;
  /** Drops the staged bytes. */
  discard(): void;
}

export interface BlobStore {
  /** Consumes `source` while hashing it (backpressure respected). Rejects with the source's error; nothing is kept then. */
  receive(source: Readable): Promise<StagedBlob>;
  /** Bytes `start..end` (inclusive) of a committed blob as a stream; the stream errors if the blob is gone. */
  read(hash: string, start: number, end: number): Readable;
  /** Deletes a blob (synchronous; no error if absent). */
  remove(hash: string): void;
  /** Deletes every blob not in `keep` and every leftover staged file (startup cleanup). */
  sweep(keep: Set<string>): void;
}

const CHUNK = 64 * 1024;

function hashingTransform(onChunk: (c: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onChunk(chunk);
      cb(null, chunk);
    },
  });
}

/** Receives `source` into `sink` while hashing; returns digest and size. */
async function hashInto(source: Readable, sink: Writable): Promise<{ hash: string; size: number }> {
  // The source may fail before the pipeline below is attached (hasher set-up is async); the pipeline
  // still sees that error, this listener only keeps it from being an uncaught 'error' event.
  source.on('error', () => undefined);
  const hasher = await createWhirlpoolHasher();
  let size = 0;
  await pipeline(
    source,
    hashingTransform((c) => {
      hasher.update(c);
      size += c.length;
    }),
    sink,
  );
  return { hash: hasher.digestHex(), size };
}

export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, Buffer>();
  return {
    async receive(source) {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          cb();
        },
      });
      const { hash, size } = await hashInto(source, sink);
      let data: Buffer | undefined = Buffer.concat(chunks);
      return {
        hash,
        size,
        commit() {
          if (data && !blobs.has(hash)) blobs.set(hash, data);
          data = undefined;
        },
        discard() {
          data = undefined;
        },
      };
    },
    read(hash, start, end) {
      const buf = blobs.get(hash);
      if (!buf) return new Readable({ read() { this.destroy(new Error(`blob ${hash} not found`)); } });
      return Readable.from(
        (function* () {
          for (let i = start; i <= end; i += CHUNK) yield buf.subarray(i, Math.min(end + 1, i + CHUNK));
        })(),
      );
    },
    remove(hash) {
      blobs.delete(hash);
    },
    sweep(keep) {
      for (const h of [...blobs.keys()]) if (!keep.has(h)) blobs.delete(h);
    },
  };
}

export function createDiskBlobStore(dataDir: string): BlobStore {
  const blobDir = join(dataDir, 'blobs');
  const tmpDir = join(dataDir, 'tmp');
  mkdirSync(blobDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  const pathOf = (hash: string) => {
    if (!/^[0-9a-f]{128}$/.test(hash)) throw new Error(`invalid blob hash ${hash}`);
    return join(blobDir, hash);
  };
  return {
    async receive(source) {
      const tmp = join(tmpDir, randomBytes(12).toString('hex'));
      try {
        const { hash, size } = await hashInto(source, createWriteStream(tmp));
        let staged = true;
        return {
          hash,
          size,
          commit() {
            if (!staged) return;
            staged = false;
            if (existsSync(pathOf(hash))) rmSync(tmp, { force: true });
            else renameSync(tmp, pathOf(hash));
          },
          discard() {
            if (staged) rmSync(tmp, { force: true });
            staged = false;
          },
        };
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
    },
    read(hash, start, end) {
      return createReadStream(pathOf(hash), { start, end, highWaterMark: CHUNK });
    },
    remove(hash) {
      rmSync(pathOf(hash), { force: true });
    },
    sweep(keep) {
      for (const f of readdirSync(tmpDir)) rmSync(join(tmpDir, f), { force: true });
      for (const f of readdirSync(blobDir)) if (!keep.has(f)) rmSync(join(blobDir, f), { force: true });
    },
  };
}
