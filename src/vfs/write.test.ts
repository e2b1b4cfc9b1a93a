/**
 * The write pipeline (write.ts, write-stream.ts, write-sinks.ts) through Vfs.openWrite over a memory remote
 * that records its puts and removes: which sink takes the bytes, size and digest checks, failures, aborts,
 * and the 'finish'-after-durable rule.
 */
import { buffer } from 'node:stream/consumers';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsError } from '../core/errors.ts';
import { createMemoryRemote } from '../remote/memory/index.ts';
import type { PutOptions, Remote, RemoteEntry } from '../remote/types.ts';
import { openMetaStore } from '../store/index.ts';
import type { MetaStore } from '../store/types.ts';
import { FakeClock } from '../util/clock.ts';
import { createVfs } from './index.ts';
import type { Vfs, VfsEntry, WriteOptions } from './types.ts';
import { MAX_LOCAL_FILE_BYTES } from './write.ts';
import { testBytes } from '../../test/support/bytes.ts';
import { codeOf } from '../../test/support/errors.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

function* pieces(data: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

interface PutCall {
  name: string;
  size: number;
  signal: AbortSignal | undefined;
  source: Readable;
}

type PutHook = (parent: RemoteEntry, name: string, source: Readable, opts: PutOptions, inner: Remote) => Promise<RemoteEntry>;

let spoolDir: string;
const stores: MetaStore[] = [];
beforeEach(() => {
  spoolDir = mkdtempSync(join(tmpdir(), 'fdav-spool-test-'));
});
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

/** A Vfs over a memory remote that records its puts and removes; `put` may replace the remote's put. */
function spyVfs(put?: PutHook) {
  const inner = createMemoryRemote({ facts: { duplicateNames: true, emptyFiles: false } });
  const puts: PutCall[] = [];
  const removed: string[] = [];
  const remote: Remote = {
    ...inner,
    put(parent, name, source, opts) {
      puts.push({ name, size: opts.size, signal: opts.signal, source });
      return put ? put(parent, name, source, opts, inner) : inner.put(parent, name, source, opts);
    },
    remove(file, s) {
      removed.push(file.id);
      return inner.remove(file, s);
    },
  };
  const store = openMetaStore({ file: ':memory:' });
  stores.push(store);
  const vfs = createVfs({ remote, store, spoolDir });
  return { vfs, remote: inner, puts, removed };
}

async function readAll(vfs: Vfs, path: string): Promise<Buffer> {
  return buffer(await vfs.openRead(path));
}

/** Pipes `data` (in `piece`-byte pieces) into a write of `path`; resolves with the result, rejects with the pipeline's error. */
async function write(vfs: Vfs, path: string, data: Buffer, opts: WriteOptions = {}, piece = 64 * 1024): Promise<VfsEntry> {
  const w = await vfs.openWrite(path, opts);
  await pipeline(Readable.from(pieces(data, piece)), w);
  return w.result;
}

describe('the write pipeline', () => {
  it('streams a body of known size straight into put, hashing it once', async () => {
    const { vfs, puts } = spyVfs();
    const data = testBytes(1024 * 1024 + 17);
    const e = await write(vfs, 'f.bin', data, { size: data.length });
    expect(e).toMatchObject({ size: data.length, local: false, hashes: { md5: md5(data), sha1: sha1(data) } });
    expect(puts.map((p) => [p.name, p.size])).toEqual([['f.bin', data.length]]);
    expect((await readAll(vfs, 'f.bin')).equals(data)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('applies backpressure when the put does not read (O(1) memory)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { vfs } = spyVfs(async (parent, name, source, opts, inner) => {
      await gate;
      return inner.put(parent, name, source, opts);
    });
    const data = testBytes(16 * 1024 * 1024);
    let produced = 0;
    const source = Readable.from(
      (function* () {
        for (const p of pieces(data)) {
          produced += p.length;
          yield p;
        }
      })(),
    );
    const w = await vfs.openWrite('f.bin', { size: data.length });
    const piped = pipeline(source, w);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(produced).toBeLessThan(1024 * 1024);
    release();
    await piped;
    await w.result;
    expect((await readAll(vfs, 'f.bin')).equals(data)).toBe(true);
  });

  it('spools a body of unknown size to a temp file, puts it with its size, then deletes it', async () => {
    let spooled: string[] = [];
    const { vfs, puts } = spyVfs((parent, name, source, opts, inner) => {
      spooled = readdirSync(spoolDir);
      return inner.put(parent, name, source, opts);
    });
    const data = testBytes(300 * 1024 + 5);
    const e = await write(vfs, 'f.bin', data, {}, 10_000);
    expect(spooled).toHaveLength(1);
    expect(puts.map((p) => p.size)).toEqual([data.length]);
    expect(e.hashes).toMatchObject({ md5: md5(data), sha1: sha1(data) });
    expect((await readAll(vfs, 'f.bin')).equals(data)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('0 bytes, announced or not: no put, no temp file, a local empty file with its digests', async () => {
    for (const size of [undefined, 0]) {
      const { vfs, puts } = spyVfs();
      const w = await vfs.openWrite('empty.bin', size === undefined ? {} : { size });
      w.end();
      const e = await w.result;
      expect(e).toMatchObject({ size: 0, local: true, hashes: { md5: md5(Buffer.alloc(0)), sha1: sha1(Buffer.alloc(0)) } });
      expect(puts).toHaveLength(0);
      expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it('a junk name keeps the bytes local and uploads nothing; over the local cap is ENOSPC', async () => {
    const { vfs, puts } = spyVfs();
    const data = testBytes(5000);
    const e = await write(vfs, '.DS_Store', data, {}, 1000);
    expect(e).toMatchObject({ local: true, size: 5000, hashes: { md5: md5(data) } });
    expect((await readAll(vfs, '.DS_Store')).equals(data)).toBe(true);
    const big = await vfs.openWrite('Thumbs.db');
    await expect(pipeline(Readable.from(pieces(testBytes(MAX_LOCAL_FILE_BYTES + 1), 1024 * 1024)), big)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await codeOf(big.result)).toBe('ENOSPC');
    expect(puts).toHaveLength(0);
  });

  it('more bytes than announced: EINVAL, the put fails, nothing stored', async () => {
    const { vfs, remote, puts } = spyVfs();
    const w = await vfs.openWrite('f.bin', { size: 150_000 });
    await expect(pipeline(Readable.from(pieces(testBytes(200_000), 10_000)), w)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await codeOf(w.result)).toBe('EINVAL');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.source.destroyed).toBe(true);
    expect(await remote.list('')).toEqual([]);
  });

  it('fewer bytes than announced: EINVAL, nothing stored', async () => {
    const { vfs, remote } = spyVfs();
    const w = await vfs.openWrite('f.bin', { size: 150_000 });
    await expect(pipeline(Readable.from(pieces(testBytes(100_000), 10_000)), w)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await codeOf(w.result)).toBe('EINVAL');
    expect(await remote.list('')).toEqual([]);
    const none = await vfs.openWrite('g.bin', { size: 10 });
    const errored = new Promise<unknown>((r) => none.once('error', r));
    none.end();
    expect(await errored).toMatchObject({ code: 'EINVAL' });
    expect(await codeOf(none.result)).toBe('EINVAL');
  });

  it('digest mismatch when spooling: EBADMSG before any put, no temp file', async () => {
    const { vfs, puts } = spyVfs();
    const w = await vfs.openWrite('f.bin', { expect: { md5: md5(Buffer.from('other')) } });
    await expect(pipeline(Readable.from(pieces(testBytes(50_000), 7000)), w)).rejects.toMatchObject({ code: 'EBADMSG' });
    expect(await codeOf(w.result)).toBe('EBADMSG');
    expect(puts).toHaveLength(0);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('digest mismatch when streaming: the stored file is removed again, EBADMSG', async () => {
    const { vfs, remote, puts, removed } = spyVfs();
    const data = testBytes(50_000);
    const w = await vfs.openWrite('f.bin', { size: data.length, expect: { sha1: sha1(Buffer.from('other')) } });
    await expect(pipeline(Readable.from(pieces(data, 7000)), w)).rejects.toMatchObject({ code: 'EBADMSG' });
    expect(await codeOf(w.result)).toBe('EBADMSG');
    expect(puts).toHaveLength(1);
    expect(removed).toHaveLength(1);
    expect(await remote.list('')).toEqual([]);
    expect(await vfs.readdir('')).toEqual([]);
  });

  it('matching expected digests (any case) pass', async () => {
    const { vfs } = spyVfs();
    const data = testBytes(20_000);
    const e = await write(vfs, 'f.bin', data, { size: data.length, expect: { md5: md5(data).toUpperCase(), sha1: sha1(data) } });
    expect(e.size).toBe(data.length);
  });

  it('a put failure rejects result with its code and errors the stream (streaming and spooled)', async () => {
    for (const size of [300_000, undefined]) {
      const { vfs } = spyVfs(async (_parent, _name, source) => {
        let n = 0;
        for await (const c of source) {
          n += (c as Buffer).length;
          if (n > 100_000) break;
        }
        throw new FsError('ENOSPC', 'quota');
      });
      const w = await vfs.openWrite('f.bin', size === undefined ? {} : { size });
      const errored = new Promise<unknown>((r) => w.once('error', r));
      const piped = pipeline(Readable.from(pieces(testBytes(300_000), 10_000)), w).catch((e: unknown) => e);
      expect(await codeOf(w.result)).toBe('ENOSPC');
      expect(await errored).toMatchObject({ code: 'ENOSPC' });
      expect(await piped).toMatchObject({ code: 'ENOSPC' });
      expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it('a non-FsError from put becomes EIO with its cause', async () => {
    const boom = new Error('boom');
    const { vfs } = spyVfs(() => Promise.reject(boom));
    const w = await vfs.openWrite('f.bin', { size: 10 });
    w.on('error', () => undefined);
    w.end(Buffer.alloc(10));
    const err = await w.result.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EIO', cause: boom });
  });

  it("'finish' comes only after the put confirmed and the cache holds the entry", async () => {
    const events: string[] = [];
    const clock = new FakeClock();
    const { vfs } = spyVfs(async (parent, name, source, opts, inner) => {
      const e = await inner.put(parent, name, source, opts);
      events.push('stored');
      await clock.sleep(20_000); // the storage takes its time to confirm
      events.push('put');
      return e;
    });
    const w = await vfs.openWrite('f.bin', { size: 3 });
    void w.result.then(() => events.push('result'));
    const finished = new Promise<void>((r) =>
      w.once('finish', () => {
        events.push('finish');
        r();
      }),
    );
    w.end(Buffer.from('abc'));
    while (clock.pending === 0) await new Promise((r) => setImmediate(r));
    await clock.advance(19_999);
    expect(events).toEqual(['stored']);
    await clock.advance(1);
    await finished;
    expect(events).toEqual(['stored', 'put', 'result', 'finish']);
    expect((await vfs.readdir('')).map((e) => e.name)).toEqual(['f.bin']);
  });

  it('abort (signal) mid-way: result rejects with EIO, the put is aborted, nothing stored, no temp file', async () => {
    for (const size of [1_000_000, undefined]) {
      const { vfs, remote, puts } = spyVfs();
      const ac = new AbortController();
      const w = await vfs.openWrite('f.bin', { signal: ac.signal, ...(size === undefined ? {} : { size }) });
      w.on('error', () => undefined);
      w.write(testBytes(100_000));
      await new Promise((r) => setImmediate(r));
      ac.abort();
      expect(await codeOf(w.result)).toBe('EIO');
      if (size !== undefined) {
        expect(puts[0]!.signal?.aborted).toBe(true);
        expect(puts[0]!.source.destroyed).toBe(true);
      }
      expect(await remote.list('')).toEqual([]);
      expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it('destroy() without an error rejects result with EIO', async () => {
    const { vfs } = spyVfs();
    const w = await vfs.openWrite('f.bin');
    w.write(testBytes(1000));
    await new Promise((r) => setImmediate(r));
    w.destroy();
    expect(await codeOf(w.result)).toBe('EIO');
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
