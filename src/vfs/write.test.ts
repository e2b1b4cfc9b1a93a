import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/log.ts';
import { FsError } from '../core/errors.ts';
import { createMemoryRemote } from '../remote/memory/index.ts';
import type { PutOptions, Remote, RemoteEntry } from '../remote/types.ts';
import { createUploadStream, type UploadStreamOptions } from './write.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 10)) & 0xff;
  return b;
}

function* pieces(data: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

interface PutCall {
  path: string;
  size: number;
  signal: AbortSignal | undefined;
  source: Readable;
}

/** The memory remote, recording its puts and removes; `hooks.put` may replace put. */
function spyRemote(hooks: { put?: (path: string, source: Readable, opts: PutOptions, inner: Remote) => Promise<RemoteEntry> } = {}) {
  const inner = createMemoryRemote();
  const puts: PutCall[] = [];
  const removed: string[] = [];
  const remote: Remote = {
    ...inner,
    name: inner.name,
    facts: inner.facts,
    list: (d, s) => inner.list(d, s),
    stat: (p, s) => inner.stat(p, s),
    openRead: (f, r, s) => inner.openRead(f, r, s),
    mkdir: (p, s) => inner.mkdir(p, s),
    rmdir: (p, s) => inner.rmdir(p, s),
    put(path, source, opts) {
      puts.push({ path, size: opts.size, signal: opts.signal, source });
      return hooks.put ? hooks.put(path, source, opts, inner) : inner.put(path, source, opts);
    },
    remove(file, s) {
      removed.push(file.id);
      return inner.remove(file, s);
    },
  };
  return { remote, puts, removed };
}

async function readAll(remote: Remote, entry: RemoteEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await remote.openRead(entry)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

let spoolDir: string;
beforeEach(() => {
  spoolDir = mkdtempSync(join(tmpdir(), 'fdav-spool-test-'));
});
afterEach(() => {
  rmSync(spoolDir, { recursive: true, force: true });
});

function upload(remote: Remote, extra: Partial<UploadStreamOptions> = {}) {
  return createUploadStream({ remote, path: 'f.bin', spoolDir, logger: silentLogger, ...extra });
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof FsError ? err.code : `not an FsError: ${String(err)}`;
}

describe('createUploadStream', () => {
  it('streams a body of known size straight into put, with its digests', async () => {
    const { remote, puts } = spyRemote();
    const data = pattern(1024 * 1024 + 17);
    const w = upload(remote, { size: data.length });
    await pipeline(Readable.from(pieces(data)), w);
    const out = await w.done;
    expect(out.size).toBe(data.length);
    expect(out.md5).toBe(md5(data));
    expect(out.sha1).toBe(sha1(data));
    expect(out.content).toBeUndefined();
    expect(puts.map((p) => [p.path, p.size])).toEqual([['f.bin', data.length]]);
    expect((await readAll(remote, out.entry!)).equals(data)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('applies backpressure when the put does not read (O(1) memory)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { remote } = spyRemote({
      put: async (path, source, opts, inner) => {
        await gate;
        return inner.put(path, source, opts);
      },
    });
    const data = pattern(16 * 1024 * 1024);
    let produced = 0;
    const source = Readable.from(
      (function* () {
        for (const p of pieces(data)) {
          produced += p.length;
          yield p;
        }
      })(),
    );
    const w = upload(remote, { size: data.length });
    const piped = pipeline(source, w);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(produced).toBeLessThan(1024 * 1024);
    release();
    await piped;
    expect((await readAll(remote, (await w.done).entry!)).equals(data)).toBe(true);
  });

  it('spools a body of unknown size to a temp file, puts it with its size, then deletes it', async () => {
    let spooled: string[] = [];
    const { remote, puts } = spyRemote({
      put: (path, source, opts, inner) => {
        spooled = readdirSync(spoolDir);
        return inner.put(path, source, opts);
      },
    });
    const data = pattern(300 * 1024 + 5);
    const w = upload(remote);
    await pipeline(Readable.from(pieces(data, 10_000)), w);
    const out = await w.done;
    expect(spooled).toHaveLength(1);
    expect(puts.map((p) => p.size)).toEqual([data.length]);
    expect(out.md5).toBe(md5(data));
    expect(out.sha1).toBe(sha1(data));
    expect((await readAll(remote, out.entry!)).equals(data)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('0 bytes: no put, no temp file, the empty content and digests', async () => {
    for (const size of [undefined, 0]) {
      const { remote, puts } = spyRemote();
      const w = upload(remote, size === undefined ? {} : { size });
      w.end();
      const out = await w.done;
      expect(out).toEqual({ size: 0, md5: md5(Buffer.alloc(0)), sha1: sha1(Buffer.alloc(0)), content: Buffer.alloc(0) });
      expect(puts).toHaveLength(0);
      expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it('collect mode keeps the bytes and uploads nothing; over the cap is ENOSPC', async () => {
    const { remote, puts } = spyRemote();
    const data = pattern(5000);
    const w = upload(remote, { collect: true });
    await pipeline(Readable.from(pieces(data, 1000)), w);
    const out = await w.done;
    expect(out.content?.equals(data)).toBe(true);
    expect(out.entry).toBeUndefined();
    expect(out.md5).toBe(md5(data));
    const big = upload(remote, { collect: true, maxCollectBytes: 4000 });
    await expect(pipeline(Readable.from(pieces(data, 1000)), big)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await codeOf(big.done)).toBe('ENOSPC');
    expect(puts).toHaveLength(0);
  });

  it('more bytes than announced: EINVAL, the put fails, nothing stored', async () => {
    const { remote, puts } = spyRemote();
    const data = pattern(200_000);
    const w = upload(remote, { size: 150_000 });
    await expect(pipeline(Readable.from(pieces(data, 10_000)), w)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await codeOf(w.done)).toBe('EINVAL');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.source.destroyed).toBe(true);
    expect(await remote.list('')).toEqual([]);
  });

  it('fewer bytes than announced: EINVAL, nothing stored', async () => {
    const { remote } = spyRemote();
    const data = pattern(100_000);
    const w = upload(remote, { size: 150_000 });
    await expect(pipeline(Readable.from(pieces(data, 10_000)), w)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await codeOf(w.done)).toBe('EINVAL');
    expect(await remote.list('')).toEqual([]);
    const none = upload(remote, { size: 10 });
    const errored = new Promise<unknown>((r) => none.once('error', r));
    none.end();
    expect(await errored).toMatchObject({ code: 'EINVAL' });
    expect(await codeOf(none.done)).toBe('EINVAL');
  });

  it('digest mismatch when spooling: EIO before any put', async () => {
    const { remote, puts } = spyRemote();
    const data = pattern(50_000);
    const w = upload(remote, { expect: { md5: md5(Buffer.from('other')) } });
    await expect(pipeline(Readable.from(pieces(data, 7000)), w)).rejects.toMatchObject({ code: 'EIO' });
    expect(await codeOf(w.done)).toBe('EIO');
    expect(puts).toHaveLength(0);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('digest mismatch when streaming: the new entry is removed again, EIO', async () => {
    const { remote, puts, removed } = spyRemote();
    const data = pattern(50_000);
    const w = upload(remote, { size: data.length, expect: { sha1: sha1(Buffer.from('other')) } });
    await expect(pipeline(Readable.from(pieces(data, 7000)), w)).rejects.toMatchObject({ code: 'EIO' });
    expect(await codeOf(w.done)).toBe('EIO');
    expect(puts).toHaveLength(1);
    expect(removed).toHaveLength(1);
    expect(await remote.list('')).toEqual([]);
  });

  it('matching expected digests (any case) pass', async () => {
    const { remote } = spyRemote();
    const data = pattern(20_000);
    const w = upload(remote, { size: data.length, expect: { md5: md5(data).toUpperCase(), sha1: sha1(data) } });
    await pipeline(Readable.from(pieces(data)), w);
    expect((await w.done).entry?.size).toBe(data.length);
  });

  it('a put failure rejects done with its code and errors the stream (streaming and spooled)', async () => {
    for (const size of [300_000, undefined]) {
      const { remote } = spyRemote({
        put: async (_path, source) => {
          let n = 0;
          for await (const c of source) {
            n += (c as Buffer).length;
            if (n > 100_000) break;
          }
          throw new FsError('ENOSPC', 'quota');
        },
      });
      const w = upload(remote, size === undefined ? {} : { size });
      const errored = new Promise<unknown>((r) => w.once('error', r));
      const piped = pipeline(Readable.from(pieces(pattern(300_000), 10_000)), w).catch((e: unknown) => e);
      expect(await codeOf(w.done)).toBe('ENOSPC');
      expect(await errored).toMatchObject({ code: 'ENOSPC' });
      expect(await piped).toMatchObject({ code: 'ENOSPC' });
      expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it('a non-FsError from put becomes EIO with its cause', async () => {
    const boom = new Error('boom');
    const { remote } = spyRemote({ put: () => Promise.reject(boom) });
    const w = upload(remote, { size: 10 });
    w.on('error', () => undefined);
    w.end(Buffer.alloc(10));
    const err = await w.done.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EIO', cause: boom });
  });

  it("'finish' comes only after done resolved", async () => {
    const events: string[] = [];
    const { remote } = spyRemote({
      put: async (path, source, opts, inner) => {
        const e = await inner.put(path, source, opts);
        await new Promise((r) => setTimeout(r, 20));
        events.push('put');
        return e;
      },
    });
    const w = upload(remote, { size: 3 });
    void w.done.then(() => events.push('done'));
    const finished = new Promise<void>((r) =>
      w.once('finish', () => {
        events.push('finish');
        r();
      }),
    );
    w.end(Buffer.from('abc'));
    await finished;
    expect(events).toEqual(['put', 'done', 'finish']);
  });

  it('abort (signal) mid-way: done rejects with EIO, the put is aborted, nothing stored, no temp file', async () => {
    for (const size of [1_000_000, undefined]) {
      const { remote, puts } = spyRemote();
      const ac = new AbortController();
      const w = upload(remote, { signal: ac.signal, ...(size === undefined ? {} : { size }) });
      w.on('error', () => undefined);
      w.write(pattern(100_000));
      await new Promise((r) => setImmediate(r));
      ac.abort();
      expect(await codeOf(w.done)).toBe('EIO');
      if (size !== undefined) {
        expect(puts[0]!.signal?.aborted).toBe(true);
        expect(puts[0]!.source.destroyed).toBe(true);
      }
      expect(await remote.list('')).toEqual([]);
      expect(readdirSync(spoolDir)).toEqual([]);
    }
  });

  it('destroy() without an error rejects done with EIO', async () => {
    const { remote } = spyRemote();
    const w = upload(remote);
    w.write(pattern(1000));
    await new Promise((r) => setImmediate(r));
    w.destroy();
    expect(await codeOf(w.done)).toBe('EIO');
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
