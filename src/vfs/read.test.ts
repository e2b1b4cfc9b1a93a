import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { FsError } from '../core/errors.ts';
import type { ReadRange, Remote, RemoteEntry } from '../remote/types.ts';
import { chunkedRead, READ_HIGH_WATER_MARK, type ChunkedReadOptions } from './read.ts';
import { testBytes } from '../../test/support/bytes.ts';

/** What one openRead call does: fail at open, or serve bytes and then fail / hang / end. */
type Plan = { openError: Error } | { failAfter: number; error?: Error } | { hangAfter: number } | 'ok';

interface Opened {
  range: ReadRange | undefined;
  signal: AbortSignal | undefined;
  body?: Readable;
}

/** A fake Remote whose openRead serves `data` in `piece`-byte pieces, following `plans` in order (then 'ok'). */
function fakeRemote(data: Buffer, plans: Plan[] = [], piece = 3) {
  const opens: Opened[] = [];
  const unsupported = () => Promise.reject(new FsError('ENOTSUP', 'fake'));
  const remote: Remote = {
    name: 'fake:',
    facts: { duplicateNames: false, emptyFiles: true, emptyDirs: true, setModTime: false, hashes: [], cheapSeek: true, putFailsOnMissingParent: true, readOnly: false },
    list: unsupported,
    stat: unsupported,
    put: unsupported,
    remove: unsupported,
    mkdir: unsupported,
    rmdir: unsupported,
    async openRead(_file, range, signal) {
      const rec: Opened = { range, signal };
      opens.push(rec);
      const plan = plans.shift() ?? 'ok';
      if (plan !== 'ok' && 'openError' in plan) throw plan.openError;
      const start = range?.start ?? 0;
      const stop = Math.min(data.length, (range?.end ?? data.length - 1) + 1);
      const limit = plan === 'ok' ? Infinity : 'failAfter' in plan ? plan.failAfter : plan.hangAfter;
      let pos = start;
      const body = new Readable({
        read() {
          if (pos - start >= limit) {
            if (plan !== 'ok' && 'failAfter' in plan) this.destroy(plan.error ?? new Error('connection reset'));
            return;
          }
          if (pos >= stop) return void this.push(null);
          const n = Math.min(piece, stop - pos, limit - (pos - start));
          this.push(data.subarray(pos, pos + n));
          pos += n;
        },
      });
      rec.body = body;
      return body;
    },
  };
  return { remote, opens };
}

function fileOf(data: Buffer): RemoteEntry {
  return { path: 'f.bin', name: 'f.bin', kind: 'file', size: data.length, modTime: 0, id: 'id1', hashes: {} };
}

function options(clock: FakeClock, extra: Partial<ChunkedReadOptions> = {}): ChunkedReadOptions {
  return { chunkSize: 1, chunkSizeLimit: 4, retries: 3, clock, logger: silentLogger, ...extra };
}

/** Reads the stream to the end while driving the fake clock (backoffs sleep on it). */
async function drain(stream: Readable, clock: FakeClock): Promise<Buffer> {
  const parts: Buffer[] = [];
  let finished = false;
  const done = (async () => {
    try {
      for await (const c of stream) parts.push(c as Buffer);
    } finally {
      finished = true;
    }
  })();
  done.catch(() => undefined);
  for (let i = 0; i < 10_000 && !finished; i++) await clock.advance(1_000);
  await done;
  return Buffer.concat(parts);
}

const ranges = (opens: Opened[]) => opens.map((o) => o.range);

describe('chunkedRead', () => {
  it('requests doubling chunks up to the limit and delivers the exact bytes', async () => {
    const data = testBytes(11);
    const { remote, opens } = fakeRemote(data);
    const clock = new FakeClock();
    const out = await drain(chunkedRead(remote, fileOf(data), { start: 0, end: 10 }, options(clock)), clock);
    expect(out.equals(data)).toBe(true);
    expect(ranges(opens)).toEqual([
      { start: 0, end: 0 },
      { start: 1, end: 2 },
      { start: 3, end: 6 },
      { start: 7, end: 10 },
    ]);
  });

  it('keeps doubling without a limit (-1) and honours a sub-range', async () => {
    const data = testBytes(100);
    const { remote, opens } = fakeRemote(data);
    const clock = new FakeClock();
    const out = await drain(chunkedRead(remote, fileOf(data), { start: 10, end: 40 }, options(clock, { chunkSize: 2, chunkSizeLimit: -1 })), clock);
    expect(out.equals(data.subarray(10, 41))).toBe(true);
    expect(ranges(opens)).toEqual([
      { start: 10, end: 11 },
      { start: 12, end: 15 },
      { start: 16, end: 23 },
      { start: 24, end: 39 },
      { start: 40, end: 40 },
    ]);
  });

  it('keeps the first chunk size when the limit is below it', async () => {
    const data = testBytes(12);
    const { remote, opens } = fakeRemote(data);
    const clock = new FakeClock();
    await drain(chunkedRead(remote, fileOf(data), { start: 0, end: 11 }, options(clock, { chunkSize: 4, chunkSizeLimit: 2 })), clock);
    expect(ranges(opens)).toEqual([
      { start: 0, end: 3 },
      { start: 4, end: 7 },
      { start: 8, end: 11 },
    ]);
  });

  it('chunkSize 0 makes one request for the whole span (no range at all for the whole file)', async () => {
    const data = testBytes(50);
    const clock = new FakeClock();
    const a = fakeRemote(data);
    expect((await drain(chunkedRead(a.remote, fileOf(data), { start: 5, end: 49 }, options(clock, { chunkSize: 0 })), clock)).equals(data.subarray(5))).toBe(true);
    expect(ranges(a.opens)).toEqual([{ start: 5, end: 49 }]);
    const b = fakeRemote(data);
    await drain(chunkedRead(b.remote, fileOf(data), { start: 5, end: 20 }, options(clock, { chunkSize: 0 })), clock);
    expect(ranges(b.opens)).toEqual([{ start: 5, end: 20 }]);
    const c = fakeRemote(data);
    expect((await drain(chunkedRead(c.remote, fileOf(data), { start: 0, end: 49 }, options(clock, { chunkSize: 0 })), clock)).equals(data)).toBe(true);
    expect(ranges(c.opens)).toEqual([undefined]);
  });

  it('resumes at the exact offset after a mid-stream failure, within the same chunk bounds', async () => {
    const data = testBytes(40);
    const { remote, opens } = fakeRemote(data, ['ok', { failAfter: 5 }, { failAfter: 2 }]);
    const clock = new FakeClock();
    const out = await drain(chunkedRead(remote, fileOf(data), { start: 0, end: 39 }, options(clock, { chunkSize: 8, chunkSizeLimit: 16 })), clock);
    expect(out.equals(data)).toBe(true);
    expect(ranges(opens)).toEqual([
      { start: 0, end: 7 },
      { start: 8, end: 23 },
      { start: 13, end: 23 },
      { start: 15, end: 23 },
      { start: 24, end: 39 },
    ]);
  });

  it('retries a failed open (EAGAIN) after a backoff on the clock', async () => {
    const data = testBytes(10);
    const { remote, opens } = fakeRemote(data, [{ openError: new FsError('EAGAIN', 'flood') }]);
    const clock = new FakeClock();
    const stream = chunkedRead(remote, fileOf(data), { start: 0, end: 9 }, options(clock, { chunkSize: 0 }));
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    await clock.advance(0);
    expect(opens).toHaveLength(1);
    expect(clock.pending).toBe(1);
    const ended = new Promise((r) => stream.once('end', r));
    await clock.advance(100);
    await ended;
    expect(opens).toHaveLength(2);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('a premature end of a body counts as a failure and is resumed', async () => {
    const data = testBytes(20);
    const { remote, opens } = fakeRemote(data);
    const short: Remote = {
      ...remote,
      async openRead(file, range, signal) {
        const body = await remote.openRead(file, range, signal);
        if (opens.length > 1) return body;
        return Readable.from([data.subarray(0, 4)]);
      },
    };
    const clock = new FakeClock();
    const out = await drain(chunkedRead(short, fileOf(data), { start: 0, end: 19 }, options(clock, { chunkSize: 0 })), clock);
    expect(out.equals(data)).toBe(true);
    expect(ranges(opens)).toEqual([undefined, { start: 4, end: 19 }]);
  });

  it('fails at once with ENOENT / EACCES / ERANGE / EISDIR / EINVAL', async () => {
    for (const code of ['ENOENT', 'EACCES', 'ERANGE', 'EISDIR', 'EINVAL'] as const) {
      const data = testBytes(10);
      const { remote, opens } = fakeRemote(data, [{ openError: new FsError(code, 'x') }]);
      const clock = new FakeClock();
      await expect(drain(chunkedRead(remote, fileOf(data), { start: 0, end: 9 }, options(clock)), clock)).rejects.toMatchObject({ code });
      expect(opens).toHaveLength(1);
    }
  });

  it('does not retry a final failure (an API call the pacer already retried): one open, its error as is', async () => {
    const data = testBytes(10);
    const spent = new FsError('EAGAIN', 'get_token: retries exhausted', { final: true });
    const { remote, opens } = fakeRemote(data, [{ openError: spent }]);
    const clock = new FakeClock();
    const err = await drain(chunkedRead(remote, fileOf(data), { start: 0, end: 9 }, options(clock, { retries: 10 })), clock).catch((e: unknown) => e);
    expect(err).toBe(spent);
    expect(opens).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('gives up with EIO (cause kept) after `retries` consecutive failures', async () => {
    const data = testBytes(10);
    const reset = new Error('reset');
    const plans: Plan[] = Array.from({ length: 10 }, () => ({ failAfter: 0, error: reset }));
    const { remote, opens } = fakeRemote(data, plans);
    const clock = new FakeClock();
    const err = await drain(chunkedRead(remote, fileOf(data), { start: 0, end: 9 }, options(clock, { retries: 3 })), clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).code).toBe('EIO');
    expect((err as FsError).cause).toBe(reset);
    expect(opens).toHaveLength(4);
  });

  it('failures separated by progress are not consecutive', async () => {
    const data = testBytes(30);
    const plans: Plan[] = Array.from({ length: 8 }, () => ({ failAfter: 2 }));
    const { remote, opens } = fakeRemote(data, plans);
    const clock = new FakeClock();
    const out = await drain(chunkedRead(remote, fileOf(data), { start: 0, end: 29 }, options(clock, { chunkSize: 0, retries: 1 })), clock);
    expect(out.equals(data)).toBe(true);
    expect(opens).toHaveLength(9);
  });

  it('reports delivered bytes through onBytes', async () => {
    const data = testBytes(33);
    const { remote } = fakeRemote(data, [{ failAfter: 7 }]);
    const clock = new FakeClock();
    let n = 0;
    await drain(chunkedRead(remote, fileOf(data), { start: 3, end: 32 }, options(clock, { onBytes: (b) => (n += b) })), clock);
    expect(n).toBe(30);
  });

  it('reads ahead at most one buffer: no next chunk while the consumer does not read', async () => {
    const size = 8 * 1024 * 1024;
    const data = testBytes(size);
    const { remote, opens } = fakeRemote(data, [], 64 * 1024);
    const clock = new FakeClock();
    const stream = chunkedRead(remote, fileOf(data), { start: 0, end: size - 1 }, options(clock, { chunkSize: 1024 * 1024, chunkSizeLimit: -1 }));
    stream.read(0);
    for (let i = 0; i < 20; i++) await clock.advance(0);
    expect(opens).toHaveLength(1);
    expect(stream.readableLength).toBeLessThanOrEqual(READ_HIGH_WATER_MARK + 64 * 1024);
    const out = await drain(stream, clock);
    expect(out.equals(data)).toBe(true);
    expect(ranges(opens)).toEqual([
      { start: 0, end: 1024 * 1024 - 1 },
      { start: 1024 * 1024, end: 3 * 1024 * 1024 - 1 },
      { start: 3 * 1024 * 1024, end: 7 * 1024 * 1024 - 1 },
      { start: 7 * 1024 * 1024, end: size - 1 },
    ]);
  });

  it('destroy() aborts the request in flight and destroys its body', async () => {
    const data = testBytes(1000);
    const { remote, opens } = fakeRemote(data, [{ hangAfter: 10 }], 5);
    const clock = new FakeClock();
    const stream = chunkedRead(remote, fileOf(data), { start: 0, end: 999 }, options(clock, { chunkSize: 0 }));
    const got: Buffer[] = [];
    stream.on('data', (c: Buffer) => got.push(c));
    await clock.advance(0);
    expect(Buffer.concat(got).length).toBe(10);
    stream.destroy();
    await clock.advance(0);
    expect(opens).toHaveLength(1);
    expect(opens[0]!.signal?.aborted).toBe(true);
    expect(opens[0]!.body?.destroyed).toBe(true);
  });

  it('destroy() during a pending open aborts its signal and opens nothing more', async () => {
    const data = testBytes(100);
    const opens: AbortSignal[] = [];
    const { remote } = fakeRemote(data);
    const pending: Remote = {
      ...remote,
      openRead: (_f, _r, signal) =>
        new Promise<Readable>((_res, rej) => {
          opens.push(signal!);
          signal?.addEventListener('abort', () => rej(new Error('aborted')));
        }),
    };
    const clock = new FakeClock();
    const stream = chunkedRead(pending, fileOf(data), { start: 0, end: 99 }, options(clock));
    stream.on('data', () => undefined);
    await clock.advance(0);
    stream.destroy();
    for (let i = 0; i < 5; i++) await clock.advance(1_000);
    expect(opens).toHaveLength(1);
    expect(opens[0]!.aborted).toBe(true);
  });

  it('an aborted signal destroys the stream with its reason', async () => {
    const data = testBytes(1000);
    const { remote, opens } = fakeRemote(data, [{ hangAfter: 10 }]);
    const clock = new FakeClock();
    const ac = new AbortController();
    const stream = chunkedRead(remote, fileOf(data), { start: 0, end: 999 }, options(clock, { chunkSize: 0, signal: ac.signal }));
    const failed = new Promise<unknown>((r) => stream.once('error', r));
    stream.resume();
    await clock.advance(0);
    const reason = new FsError('EIO', 'client gone');
    ac.abort(reason);
    expect(await failed).toBe(reason);
    expect(opens[0]!.signal?.aborted).toBe(true);
  });
});
