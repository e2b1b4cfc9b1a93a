import { describe, expect, it } from 'vitest';
import { FsError } from '../core/errors.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import { mkdirAt, putAt, rmdirAt } from '../../test/support/remote-kit.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';

const TTL = 300_000;

async function putText(remote: Remote, path: string, text: string): Promise<RemoteEntry> {
  return putAt(remote, path, Buffer.from(text));
}

/** root: a/, a/b/ (f0..f49.txt), a/c.txt, top.txt */
async function seeded() {
  const kit = makeKit();
  const { backend } = kit;
  await mkdirAt(backend, 'a');
  await mkdirAt(backend, 'a/b');
  for (let i = 0; i < 50; i++) await putText(backend, `a/b/f${i}.txt`, `file ${i}`);
  await putText(backend, 'a/c.txt', 'c');
  await putText(backend, 'top.txt', 'top');
  return kit;
}

describe('listing cache', () => {
  it('lists each ancestor once on a cold deep stat and nothing when warm', async () => {
    const { vfs, remote } = await seeded();
    const e = await vfs.stat('/a/b/f7.txt');
    expect(e.size).toBe('file 7'.length);
    expect(remote.calls.list).toBe(3);
    remote.reset();
    await vfs.stat('a/b/f8.txt');
    await vfs.readdir('a');
    expect(remote.total()).toBe(0);
    expect(vfs.stats().cacheHits).toBeGreaterThan(0);
  });

  it('re-lists exactly once after the TTL expires', async () => {
    const { vfs, remote, clock } = await seeded();
    await vfs.readdir('');
    await clock.advance(TTL - 1);
    await vfs.readdir('');
    expect(remote.calls.list).toBe(1);
    await clock.advance(2);
    await Promise.all([vfs.readdir(''), vfs.readdir('/'), vfs.stat('top.txt')]);
    expect(remote.calls.list).toBe(2);
    await vfs.readdir('');
    expect(remote.calls.list).toBe(2);
  });

  it('counts a listing fresh from its answer, not from before a wait for the listing budget', async () => {
    const { remote, clock, restart } = await seeded();
    // Every listing waits longer than the cache time before it is sent (as behind a busy listing budget).
    const waiting = new Proxy(remote, {
      get(target, key) {
        if (key === 'list') {
          return async (...args: Parameters<Remote['list']>) => {
            await clock.advance(TTL + 1000);
            return target.list(...args);
          };
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const vfs = restart({ remote: waiting });
    await vfs.readdir('');
    expect(remote.calls.list).toBe(1);
    await vfs.readdir('');
    expect(remote.calls.list).toBe(1);
  });

  it('answers 50 concurrent stats of one cold folder with one listing', async () => {
    const { vfs, remote } = await seeded();
    await vfs.readdir('a');
    remote.reset();
    const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => vfs.stat(`a/b/f${i}.txt`)));
    expect(entries.map((e) => e.name)).toEqual(Array.from({ length: 50 }, (_, i) => `f${i}.txt`));
    expect(remote.calls.list).toBe(1);
  });

  it('shares one listing between 50 cold stats from an empty cache (one per folder)', async () => {
    const { vfs, remote } = await seeded();
    await Promise.all(Array.from({ length: 50 }, (_, i) => vfs.stat(`a/b/f${i}.txt`)));
    expect(remote.calls.list).toBe(3);
  });

  it('updates listings in place after mkdir, upload, rename, move, copy and delete', async () => {
    const { vfs, remote } = await seeded();
    await vfs.readdir('');
    await vfs.readdir('a');
    remote.reset();
    await vfs.mkdir('a/new');
    await vfs.writeFile('a/up.txt', Buffer.from('uploaded'));
    await vfs.rename('a/up.txt', 'a/renamed.txt');
    await vfs.rename('a/renamed.txt', 'a/new/moved.txt');
    await vfs.copy('a/new/moved.txt', 'copied.txt');
    await vfs.unlink('a/c.txt');
    await vfs.mkdir('a/gone');
    await vfs.rmdir('a/gone');
    expect(remote.calls.list ?? 0).toBe(0);
    expect((await vfs.readdir('a')).map((e) => e.name)).toEqual(['b', 'new']);
    expect((await vfs.readdir('a/new')).map((e) => e.name)).toEqual(['moved.txt']);
    expect((await vfs.readdir('')).map((e) => e.name)).toEqual(['a', 'copied.txt', 'top.txt']);
    expect(remote.calls.list ?? 0).toBe(0);
  });

  it('takes a moved folder\'s listing along (no listing to show it at its new place) and keeps the parents in place', async () => {
    const { vfs, remote } = await seeded();
    await vfs.stat('a/b/f1.txt');
    await vfs.mkdir('z');
    remote.reset();
    await vfs.rename('a/b', 'z/b2');
    expect((await vfs.readdir('a')).map((e) => e.name)).toEqual(['c.txt']);
    expect((await vfs.readdir('z')).map((e) => e.name)).toEqual(['b2']);
    expect((await vfs.stat('z/b2/f1.txt')).size).toBe('file 1'.length);
    expect(remote.calls.list ?? 0).toBe(0);
    await expect(vfs.stat('a/b/f1.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sees external changes only after the TTL, forget or refresh', async () => {
    const { vfs, remote, backend, clock } = await seeded();
    await vfs.readdir('a');
    await putText(backend, 'a/ext1.txt', 'x');
    expect((await vfs.readdir('a')).some((e) => e.name === 'ext1.txt')).toBe(false);
    remote.reset();
    vfs.forget('a');
    expect((await vfs.readdir('a')).some((e) => e.name === 'ext1.txt')).toBe(true);
    expect(remote.calls.list).toBe(1);
    await putText(backend, 'a/ext2.txt', 'x');
    await vfs.refresh('a');
    expect(remote.calls.list).toBe(2);
    expect((await vfs.readdir('a')).some((e) => e.name === 'ext2.txt')).toBe(true);
    await putText(backend, 'a/b/ext3.txt', 'x');
    await vfs.readdir('a/b');
    remote.reset();
    await vfs.refresh('', { recursive: true });
    expect(remote.calls.list).toBe(3);
    expect((await vfs.readdir('a/b')).some((e) => e.name === 'ext3.txt')).toBe(true);
    await putText(backend, 'top2.txt', 'x');
    await clock.advance(TTL);
    expect((await vfs.readdir('')).some((e) => e.name === 'top2.txt')).toBe(true);
  });

  it('refresh recursive walks folders never listed (warm-up), one call each, and forgets vanished ones', async () => {
    const { vfs, remote, backend } = await seeded();
    await mkdirAt(backend, 'a/b/deep');
    await putText(backend, 'a/b/deep/x.txt', 'x');
    await vfs.refresh('', { recursive: true });
    expect(remote.calls.list).toBe(4);
    remote.reset();
    expect((await vfs.readdir('a/b/deep')).map((e) => e.name)).toEqual(['x.txt']);
    expect(await vfs.stat('a/b/f3.txt')).toMatchObject({ kind: 'file' });
    expect(remote.calls.list ?? 0).toBe(0);
    await backend.remove(await backend.stat('a/b/deep/x.txt'));
    await rmdirAt(backend, 'a/b/deep');
    await vfs.refresh('', { recursive: true });
    remote.reset();
    await expect(vfs.readdir('a/b/deep')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(remote.calls.list ?? 0).toBe(0);
  });

  it('forget() drops everything', async () => {
    const { vfs, remote } = await seeded();
    await vfs.stat('a/b/f1.txt');
    vfs.forget();
    remote.reset();
    await vfs.stat('a/b/f1.txt');
    expect(remote.calls.list).toBe(3);
  });

  it('a new Vfs over the same store answers known paths with no call while fresh', async () => {
    const kit = await seeded();
    await kit.vfs.stat('a/b/f1.txt');
    await kit.vfs.readdir('');
    await kit.vfs.close();
    kit.remote.reset();
    const again = kit.restart();
    expect((await again.stat('a/b/f2.txt')).name).toBe('f2.txt');
    expect((await again.readdir('')).map((e) => e.name)).toEqual(['a', 'top.txt']);
    expect(kit.remote.total()).toBe(0);
    await kit.clock.advance(TTL);
    await again.stat('a/b/f2.txt');
    expect(kit.remote.calls.list).toBe(3);
  });

  it('serves stale listings at once with stale-while-revalidate and refreshes each (root, a) in the background', async () => {
    const { vfs, remote, backend, clock } = await seeded().then(async (k) => ({ ...k, vfs: k.restart({ staleWhileRevalidate: true }) }));
    await vfs.readdir('a');
    await putText(backend, 'a/late.txt', 'x');
    await clock.advance(TTL + 1);
    remote.reset();
    expect((await vfs.readdir('a')).some((e) => e.name === 'late.txt')).toBe(false);
    await vfs.close();
    expect(remote.calls.list).toBe(2);
    expect((await vfs.readdir('a')).some((e) => e.name === 'late.txt')).toBe(true);
    expect(vfs.stats().revalidations).toBe(2);
    expect(remote.calls.list).toBe(2);
  });

  it('replays a change made while a listing of that folder is in flight', async () => {
    const kit = await seeded();
    const vfs = kit.restart({ staleWhileRevalidate: true });
    await vfs.readdir('a');
    await kit.clock.advance(TTL + 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const list = kit.backend.list.bind(kit.backend);
    kit.remote.override('list', async (dir: string, signal?: AbortSignal) => {
      const entries = await list(dir, signal);
      await gate;
      return entries;
    });
    await vfs.readdir('a');
    await vfs.mkdir('a/during');
    release();
    await vfs.close();
    kit.remote.restore('list');
    expect((await vfs.readdir('a')).map((e) => e.name)).toContain('during');
  });

  it('drops a vanished folder from its cached parent listing', async () => {
    const { vfs, remote, backend, clock } = await seeded();
    await mkdirAt(backend, 'tmp');
    await vfs.readdir('tmp');
    await clock.advance(TTL + 1);
    await vfs.refresh('');
    await rmdirAt(backend, 'tmp');
    await expect(vfs.readdir('tmp')).rejects.toSatisfy((e: unknown) => e instanceof FsError && e.code === 'ENOENT');
    remote.reset();
    expect((await vfs.readdir('')).map((e) => e.name)).toEqual(['a', 'top.txt']);
    expect(remote.total()).toBe(0);
  });
});

describe('listing cache under the service\'s listing rules', () => {
  it('answers a refresh from a listing younger than minRelistMs, and lists again after it', async () => {
    const kit = makeKit({ vfs: { minRelistMs: 30_000 } });
    await putText(kit.backend, 'x.txt', 'x');
    const { vfs, remote, clock } = kit;
    await vfs.readdir('');
    await vfs.refresh('');
    expect(remote.calls.list).toBe(1);
    expect(vfs.stats().relistsAvoided).toBe(1);
    await clock.advance(30_000);
    await vfs.refresh('');
    expect(remote.calls.list).toBe(2);
  });

  it('a partial listing never proves a name absent: look-ups and creations of a missing name answer EAGAIN', async () => {
    const kit = makeKit({ vfs: { minRelistMs: 30_000 } });
    await mkdirAt(kit.backend, 'big');
    await putText(kit.backend, 'big/seen.txt', 'x');
    const list = kit.backend.list.bind(kit.backend);
    kit.remote.override('list', async (dir, signal, opts) => {
      const entries = await list(dir, signal, opts);
      if (dir === 'big') opts?.onPartial?.('too many files');
      return entries;
    });
    const { vfs, remote } = kit;
    expect((await vfs.stat('big/seen.txt')).size).toBe(1);
    await expect(vfs.stat('big/unseen.txt')).rejects.toMatchObject({ code: 'EAGAIN', retryAfterMs: 30_000 });
    await expect(vfs.writeFile('big/unseen.txt', Buffer.from('y'))).rejects.toMatchObject({ code: 'EAGAIN' });
    await expect(vfs.mkdir('big/sub')).rejects.toMatchObject({ code: 'EAGAIN' });
    expect((await vfs.readdir('big')).map((e) => e.name)).toEqual(['seen.txt']);
    expect(remote.calls.put ?? 0).toBe(0);
    expect(remote.calls.mkdir).toBeUndefined();
  });

  it('walks a recursive refresh with background listings', async () => {
    const { vfs, remote, backend } = await seeded();
    const seen: { dir: string; background: boolean }[] = [];
    const list = backend.list.bind(backend);
    remote.override('list', (dir, signal, opts) => {
      seen.push({ dir, background: opts?.background ?? false });
      return list(dir, signal, opts);
    });
    await vfs.refresh('', { recursive: true });
    expect(seen).toEqual([
      { dir: '', background: false },
      { dir: 'a', background: true },
      { dir: 'a/b', background: true },
    ]);
  });
});
