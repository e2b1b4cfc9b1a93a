import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import { testBytes } from '../../../test/support/bytes.ts';
import { codeOf } from '../../../test/support/errors.ts';
import { streamOf } from '../../../test/support/remote-kit.ts';
import { createMemoryRemote } from './index.ts';

/** Memory-specific behaviour beyond the contract suite (memory.contract.test.ts): ids, clock, quota, facts. */
describe('memory remote', () => {
  it('uses mem:<n> ids and the injected clock for modTime; move keeps both, copy gets new ones', async () => {
    const clock = new FakeClock(1_000_000);
    const r = createMemoryRemote({ clock });
    const root = await r.stat('');
    expect(root.id).toBe('mem:0');
    const d = await r.mkdir(root, 'd');
    expect(d).toMatchObject({ id: 'mem:1', modTime: 1_000_000 });
    await clock.advance(5000);
    const f = await r.put(d, 'f', streamOf(testBytes(10)), { size: 10 });
    expect(f).toMatchObject({ id: 'mem:2', modTime: 1_005_000 });
    await clock.advance(5000);
    const m = await r.move!(f, root, 'g');
    expect(m).toMatchObject({ id: 'mem:2', modTime: 1_005_000, path: 'g' });
    const c = await r.copy!(m, root, 'h');
    expect(c).toMatchObject({ id: 'mem:3', modTime: 1_010_000 });
  });

  it('reports the default facts and accepts overrides', () => {
    expect(createMemoryRemote().facts).toMatchObject({ duplicateNames: false, emptyFiles: true, hashes: [], putFailsOnMissingParent: true });
    expect(createMemoryRemote({ facts: { duplicateNames: true, hashes: ['md5'] } }).facts).toMatchObject({ duplicateNames: true, hashes: ['md5'] });
  });

  it('enforces the quota with ENOSPC and reports it in about', async () => {
    const r = createMemoryRemote({ quota: 100 });
    const root = await r.stat('');
    await r.put(root, 'a', streamOf(testBytes(60)), { size: 60 });
    expect(await r.about!()).toEqual({ total: 100, used: 60, free: 40 });
    expect(await codeOf(r.put(root, 'b', streamOf(testBytes(50)), { size: 50 }))).toBe('ENOSPC');
    const a = await r.stat('a');
    expect(await codeOf(r.copy!(a, root, 'c'))).toBe('ENOSPC');
    expect((await r.list('')).map((e) => e.name)).toEqual(['a']);
  });

  it('lists duplicates in insertion order; stat gives the first; a file may share a folder name', async () => {
    const r = createMemoryRemote({ facts: { duplicateNames: true } });
    const root = await r.stat('');
    const one = await r.put(root, 'x', streamOf(testBytes(1, 1)), { size: 1 });
    const two = await r.put(root, 'x', streamOf(testBytes(2, 2)), { size: 2 });
    expect((await r.list('')).map((e) => e.id)).toEqual([one.id, two.id]);
    expect((await r.stat('x')).id).toBe(one.id);
    const d = await r.mkdir(root, 'd');
    const f = await r.put(root, 'd', streamOf(testBytes(3)), { size: 3 });
    expect(f.kind).toBe('file');
    await r.put(d, 'inner', streamOf(testBytes(4)), { size: 4 });
    expect((await r.list('d')).map((e) => e.name)).toEqual(['inner']);
    expect(await codeOf(r.mkdir(root, 'd'))).toBe('EEXIST');
  });

  it('a concurrent put of a taken name fails at commit with EEXIST when duplicates are not allowed', async () => {
    const r = createMemoryRemote();
    const root = await r.stat('');
    const [a, b] = await Promise.allSettled([
      r.put(root, 'same', streamOf(testBytes(10, 1)), { size: 10 }),
      r.put(root, 'same', streamOf(testBytes(10, 2)), { size: 10 }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = [a, b].find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(await codeOf(Promise.reject(rejected.reason))).toBe('EEXIST');
    expect(await r.list('')).toHaveLength(1);
  });

  it('a put into a folder removed during the upload fails with ENOENT', async () => {
    const r = createMemoryRemote();
    const d = await r.mkdir(await r.stat(''), 'd');
    const src = new PassThrough();
    const p = r.put(d, 'f', src, { size: 4 });
    src.write(Buffer.from('ab'));
    await new Promise((res) => setImmediate(res));
    await r.rmdir(d);
    src.end(Buffer.from('cd'));
    expect(await codeOf(p)).toBe('ENOENT');
  });

  it('refuses a name that is not one segment with EINVAL', async () => {
    const r = createMemoryRemote();
    const root = await r.stat('');
    for (const name of ['', '.', '..', 'a/b']) expect(await codeOf(r.mkdir(root, name)), name).toBe('EINVAL');
    expect(await codeOf(r.put(root, 'x/y', streamOf(testBytes(1)), { size: 1 }))).toBe('EINVAL');
  });

  it('a source that fails mid-way gives EIO and stores nothing; a span outside the file gives ERANGE', async () => {
    const r = createMemoryRemote();
    const root = await r.stat('');
    const src = new PassThrough();
    const p = r.put(root, 'f', src, { size: 10 });
    src.write(Buffer.from('abc'));
    src.destroy(new Error('boom'));
    expect(await codeOf(p)).toBe('EIO');
    expect(await r.list('')).toEqual([]);
    const f = await r.put(root, 'g', streamOf(testBytes(10)), { size: 10 });
    expect(await codeOf(r.openRead(f, { start: 5, end: 4 }))).toBe('ERANGE');
    expect(await codeOf(r.openRead(f, { start: 8, end: 100 }))).toBe('ERANGE');
  });
});
