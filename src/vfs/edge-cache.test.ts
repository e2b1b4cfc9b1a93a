import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ByteSpan } from '../core/span.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { silentLogger } from '../util/log.ts';
import { EdgeCache, type EdgeCacheOptions, type RemoteSpanReader } from './edge-cache.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdav-edge-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (size: number, seed = 1): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff));

function fileOf(content: Buffer, id = 'abc123', modTime = 1_700_000_000_000): RemoteEntry {
  return { path: 'media/film.mp4', name: 'film.mp4', kind: 'file', size: content.length, modTime, id, hashes: { whirlpool: `w-${id}` } };
}

/** A remote over `content` that records the spans it was asked for. */
function remoteOf(content: Buffer): RemoteSpanReader & { calls: ByteSpan[] } {
  const calls: ByteSpan[] = [];
  const read = (span: ByteSpan): Readable => {
    calls.push(span);
    return Readable.from([content.subarray(span.start, span.end + 1)]);
  };
  return Object.assign(read, { calls });
}

function cacheOf(opts: Partial<EdgeCacheOptions> = {}): EdgeCache {
  return new EdgeCache({ dir, maxBytes: -1, headBytes: 100, tailBytes: 300, logger: silentLogger, ...opts });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('EdgeCache', () => {
  it('fills an edge whole on first use, then serves it with no remote read', async () => {
    const content = bytesOf(10_000);
    const remote = remoteOf(content);
    const cache = cacheOf();
    const file = fileOf(content);
    expect(await readAll(cache.read(file, { start: 10, end: 49 }, remote))).toEqual(content.subarray(10, 50));
    expect(remote.calls).toEqual([{ start: 0, end: 99 }]);
    expect(await readAll(cache.read(file, { start: 0, end: 99 }, remote))).toEqual(content.subarray(0, 100));
    expect(await readAll(cache.read(file, { start: 9_800, end: 9_999 }, remote))).toEqual(content.subarray(9_800));
    expect(remote.calls).toEqual([{ start: 0, end: 99 }, { start: 9_700, end: 9_999 }]);
    expect(cache.stats()).toMatchObject({ fills: 2, bytes: 400 });
  });

  it('a read across the file fetches only the middle once the edges are cached', async () => {
    const content = bytesOf(5_000);
    const remote = remoteOf(content);
    const cache = cacheOf();
    const file = fileOf(content);
    expect(await readAll(cache.read(file, { start: 0, end: 4_999 }, remote))).toEqual(content);
    remote.calls.length = 0;
    expect(await readAll(cache.read(file, { start: 50, end: 4_899 }, remote))).toEqual(content.subarray(50, 4_900));
    expect(remote.calls).toEqual([{ start: 100, end: 4_699 }]);
  });

  it('a file no larger than head + tail is cached whole', async () => {
    const content = bytesOf(350);
    const remote = remoteOf(content);
    const cache = cacheOf();
    const file = fileOf(content);
    await readAll(cache.read(file, { start: 0, end: 349 }, remote));
    expect(remote.calls).toEqual([{ start: 0, end: 99 }, { start: 100, end: 349 }]);
    remote.calls.length = 0;
    expect(await readAll(cache.read(file, { start: 0, end: 349 }, remote))).toEqual(content);
    expect(remote.calls).toEqual([]);
  });

  it('survives a restart: a new cache on the same directory serves the edges without the remote', async () => {
    const content = bytesOf(2_000);
    const file = fileOf(content);
    await readAll(cacheOf().read(file, { start: 0, end: 1_999 }, remoteOf(content)));
    const remote = remoteOf(content);
    const again = cacheOf();
    expect(await readAll(again.read(file, { start: 1_800, end: 1_999 }, remote))).toEqual(content.subarray(1_800));
    expect(await readAll(again.read(file, { start: 0, end: 20 }, remote))).toEqual(content.subarray(0, 21));
    expect(remote.calls).toEqual([]);
    expect(again.stats().bytes).toBe(400);
  });

  it('never serves the bytes of a file that changed (another id, size or date)', async () => {
    const before = bytesOf(1_000, 1);
    const cache = cacheOf();
    await readAll(cache.read(fileOf(before), { start: 0, end: 99 }, remoteOf(before)));
    const after = bytesOf(1_000, 2);
    for (const file of [fileOf(after, 'other-id'), fileOf(after, 'abc123', 1_800_000_000_000)]) {
      const remote = remoteOf(after);
      expect(await readAll(cache.read(file, { start: 0, end: 99 }, remote))).toEqual(after.subarray(0, 100));
      expect(remote.calls).toHaveLength(1);
    }
    const longer = bytesOf(1_001, 3);
    expect(await readAll(cache.read(fileOf(longer), { start: 0, end: 99 }, remoteOf(longer)))).toEqual(longer.subarray(0, 100));
  });

  it('evicts the least recently used edges beyond the size budget, also those found at start', async () => {
    writeFileSync(join(dir, 'old-h'), Buffer.alloc(100));
    utimesSync(join(dir, 'old-h'), new Date(1_000), new Date(1_000));
    writeFileSync(join(dir, 'left.1.2.tmp'), 'partial');
    const cache = cacheOf({ maxBytes: 250, tailBytes: 0 });
    const a = bytesOf(1_000, 1);
    const b = bytesOf(1_000, 2);
    await readAll(cache.read(fileOf(a, 'a'), { start: 0, end: 9 }, remoteOf(a)));
    expect(readdirSync(dir)).not.toContain('left.1.2.tmp');
    await readAll(cache.read(fileOf(b, 'b'), { start: 0, end: 9 }, remoteOf(b)));
    expect(readdirSync(dir)).not.toContain('old-h');
    // a is used again, so the next fill evicts b, not a.
    const ra = remoteOf(a);
    await readAll(cache.read(fileOf(a, 'a'), { start: 0, end: 9 }, ra));
    const c = bytesOf(1_000, 3);
    await readAll(cache.read(fileOf(c, 'c'), { start: 0, end: 9 }, remoteOf(c)));
    expect(cache.stats().bytes).toBe(200);
    await readAll(cache.read(fileOf(a, 'a'), { start: 0, end: 9 }, ra));
    expect(ra.calls).toEqual([]);
    const rb = remoteOf(b);
    await readAll(cache.read(fileOf(b, 'b'), { start: 0, end: 9 }, rb));
    expect(rb.calls).toHaveLength(1);
  });

  it('size 0 turns it off, and an edge larger than the budget is never cached', async () => {
    const content = bytesOf(1_000);
    for (const maxBytes of [0, 50]) {
      const remote = remoteOf(content);
      const cache = cacheOf({ maxBytes, tailBytes: 0 });
      expect(await readAll(cache.read(fileOf(content), { start: 5, end: 9 }, remote))).toEqual(content.subarray(5, 10));
      expect(remote.calls).toEqual([{ start: 5, end: 9 }]);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a failed fill leaves no file and the read streams from the remote instead', async () => {
    const content = bytesOf(1_000);
    const calls: ByteSpan[] = [];
    const flaky: RemoteSpanReader = (span, signal) => {
      calls.push(span);
      if (signal) return new Readable({ read() { this.destroy(new Error('drop')); } });
      return Readable.from([content.subarray(span.start, span.end + 1)]);
    };
    const cache = cacheOf({ tailBytes: 0 });
    expect(await readAll(cache.read(fileOf(content), { start: 0, end: 19 }, flaky))).toEqual(content.subarray(0, 20));
    expect(calls).toEqual([{ start: 0, end: 99 }, { start: 0, end: 19 }]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('concurrent first reads of one edge share one remote read', async () => {
    const content = bytesOf(1_000);
    const remote = remoteOf(content);
    const cache = cacheOf({ tailBytes: 0 });
    const file = fileOf(content);
    const got = await Promise.all([0, 10, 20].map((s) => readAll(cache.read(file, { start: s, end: s + 9 }, remote))));
    expect(got).toEqual([0, 10, 20].map((s) => content.subarray(s, s + 10)));
    expect(remote.calls).toEqual([{ start: 0, end: 99 }]);
  });
});
