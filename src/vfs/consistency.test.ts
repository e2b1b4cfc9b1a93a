import { describe, expect, it } from 'vitest';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import { mkdirAt, putAt } from '../../test/support/remote-kit.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import { FakeClock } from '../util/clock.ts';
import { RecentWrites } from './consistency.ts';

const file = (path: string, id: string, size = 1): RemoteEntry => ({ path, name: path.split('/').pop()!, kind: 'file', size, modTime: 0, id, hashes: {} });

describe('RecentWrites', () => {
  it('keeps an added entry listed and a removed one hidden for the grace time, then lets listings win', async () => {
    const clock = new FakeClock();
    const w = new RecentWrites(clock, 10_000);
    const stale = [file('d/old', 'u1')];
    w.added(file('d/new', 'u2'));
    w.removed('d', 'u1');
    expect(w.apply('d', stale, clock.now() - 1)).toEqual([file('d/new', 'u2')]);
    await clock.advance(10_000);
    expect(w.apply('d', stale, clock.now())).toEqual(stale);
  });

  it('drops a record once a listing fetched after the change agrees, so a later change by someone else shows', async () => {
    const clock = new FakeClock();
    const w = new RecentWrites(clock, 10_000);
    w.added(file('d/new', 'u2'));
    await clock.advance(100);
    expect(w.apply('d', [file('d/new', 'u2')], clock.now())).toEqual([file('d/new', 'u2')]);
    // Deleted by another client afterwards: the next listing is believed.
    expect(w.apply('d', [], clock.now())).toEqual([]);
  });

  it('shows our version of a renamed entry over a listing that still has the old name', () => {
    const clock = new FakeClock();
    const w = new RecentWrites(clock, 10_000);
    w.added(file('d/renamed', 'u1'));
    expect(w.apply('d', [file('d/before', 'u1'), file('d/other', 'u9')], clock.now() - 1)).toEqual([file('d/renamed', 'u1'), file('d/other', 'u9')]);
  });

  it('moves the records of a folder that moved, with the paths of the entries they add', () => {
    const clock = new FakeClock();
    const w = new RecentWrites(clock, 10_000);
    w.added(file('d/sub/f', 'u1'));
    w.removed('d/sub/deep', 'u2');
    w.added(file('e/sub/old', 'u3'));
    w.moved('d/sub', 'e/sub');
    expect(w.apply('d/sub', [], clock.now() - 1)).toEqual([]);
    expect(w.apply('e/sub', [], clock.now() - 1)).toEqual([file('e/sub/f', 'u1')]);
    expect(w.apply('e/sub/deep', [file('e/sub/deep/x', 'u2')], clock.now() - 1)).toEqual([]);
  });

  it('a grace of 0 records nothing', () => {
    const w = new RecentWrites(new FakeClock(), 0);
    w.added(file('d/new', 'u2'));
    expect(w.apply('d', [], 0)).toEqual([]);
  });
});

/** A remote whose listings lag: it lists what it held `lagMs` ago (as 1fichier may, for a few seconds). */
function laggingListings(inner: Remote, clock: FakeClock, lagMs: number, dirs = ['', 'd', 'e']): { remote: Remote; snapshot(): Promise<void> } {
  const snapshots: { at: number; lists: Map<string, RemoteEntry[]> }[] = [];
  return {
    remote: Object.assign(Object.create(inner) as Remote, {
      list: async (dir: string) => {
        const old = [...snapshots].reverse().find((s) => s.at <= clock.now() - lagMs);
        return old?.lists.get(dir) ?? inner.list(dir);
      },
    }),
    async snapshot() {
      const lists = new Map<string, RemoteEntry[]>();
      for (const d of dirs) lists.set(d, await inner.list(d).catch(() => []));
      snapshots.push({ at: clock.now(), lists });
    },
  };
}

describe('read-your-writes through the VFS over a lagging remote', () => {
  it('PUT then a forced refresh still shows the file; DELETE does not bring it back; MOVE shows it in one place', async () => {
    const kit = makeKit({ vfs: { consistencyGraceMs: 60_000 } });
    await mkdirAt(kit.backend, 'd');
    await mkdirAt(kit.backend, 'e');
    await putAt(kit.backend, 'd/gone.txt', Buffer.from('bye'));
    const lag = laggingListings(kit.backend, kit.clock, 5000);
    const vfs = kit.restart({ remote: lag.remote, consistencyGraceMs: 60_000 });
    await lag.snapshot();
    await kit.clock.advance(6000);
    await vfs.readdir('d');
    await vfs.writeFile('d/new.txt', Buffer.from('hello'));
    await vfs.unlink('d/gone.txt');
    await vfs.writeFile('d/moving.txt', Buffer.from('m'));
    await vfs.rename('d/moving.txt', 'e/moved.txt');
    await lag.snapshot();
    await kit.clock.advance(1000);
    await vfs.refresh('d');
    await vfs.refresh('e');
    expect((await vfs.readdir('d')).map((e) => e.name).sort()).toEqual(['new.txt']);
    expect((await vfs.readdir('e')).map((e) => e.name)).toEqual(['moved.txt']);
  });

  it('a folder moved right after a file was written into it still lists the file at its new place', async () => {
    const kit = makeKit({ vfs: { consistencyGraceMs: 60_000 } });
    await mkdirAt(kit.backend, 'd');
    await mkdirAt(kit.backend, 'e');
    await mkdirAt(kit.backend, 'd/sub');
    const lag = laggingListings(kit.backend, kit.clock, 5000, ['', 'd', 'e', 'd/sub', 'e/sub']);
    const vfs = kit.restart({ remote: lag.remote, consistencyGraceMs: 60_000 });
    // What the remote will list for a while: the state before the write (e/sub empty).
    await lag.snapshot();
    await kit.clock.advance(6000);
    await vfs.writeFile('d/sub/f.bin', Buffer.from('f'));
    await vfs.rename('d/sub', 'e/sub');
    expect(await lag.remote.list('e/sub')).toEqual([]);
    await kit.clock.advance(1000);
    await vfs.refresh('e/sub');
    expect((await vfs.readdir('e/sub')).map((e) => e.name)).toEqual(['f.bin']);
  });

  /** Folder d, listed late by 5 s (empty for now); then the service fetches d/fetched.bin by itself. */
  async function serviceMadeAFile() {
    const kit = makeKit({ vfs: { consistencyGraceMs: 60_000 } });
    await mkdirAt(kit.backend, 'd');
    const lag = laggingListings(kit.backend, kit.clock, 5000);
    const vfs = kit.restart({ remote: lag.remote, consistencyGraceMs: 60_000, dirCacheTimeMs: 300_000 });
    await lag.snapshot(); // what the service lists for the next 5 s: d empty
    await kit.clock.advance(6000);
    const made = await putAt(kit.backend, 'd/fetched.bin', Buffer.from('x'));
    return { kit, lag, vfs, made };
  }

  it('a refresh expecting entries the service made (a remote upload) lists the folder again until they show', async () => {
    const { kit, lag, vfs, made } = await serviceMadeAFile();
    // We know the file by its id only.
    await vfs.refresh('d', { expect: [made.id] });
    expect((await vfs.readdir('d')).map((e) => e.name)).toEqual([]);
    await lag.snapshot();
    await kit.clock.advance(6000);
    // Well within the dir cache time, the late listing is not trusted: the folder is listed again.
    expect((await vfs.readdir('d')).map((e) => e.name)).toEqual(['fetched.bin']);
  });

  it('without expectations, a late listing stands for the dir cache time (what the option is for)', async () => {
    const { kit, lag, vfs } = await serviceMadeAFile();
    await vfs.refresh('d');
    await lag.snapshot();
    await kit.clock.advance(6000);
    expect((await vfs.readdir('d')).map((e) => e.name)).toEqual([]);
  });
});
