/**
 * Two gateways' VFSes over one remote, each with its own store, joined by an in-memory change feed (what the
 * shared state's pub/sub does): a change made through one shows on the other at once, without a listing.
 */
import { describe, expect, it } from 'vitest';
import { countingRemote, FICHIER_LIKE } from '../../test/support/vfs-kit.ts';
import { createMemoryRemote } from '../remote/memory/index.ts';
import { openMetaStore } from '../store/index.ts';
import { FakeClock } from '../util/clock.ts';
import { createVfs } from './index.ts';
import type { ListingChange, ListingChangeFeed } from './types.ts';

/** A bus: each feed hears what the others publish, never its own. */
function bus(): () => ListingChangeFeed & { sent: ListingChange[] } {
  const members: ((c: ListingChange) => void)[][] = [];
  return () => {
    const mine: ((c: ListingChange) => void)[] = [];
    members.push(mine);
    const sent: ListingChange[] = [];
    return {
      sent,
      publish(c) {
        sent.push(c);
        const copy = JSON.parse(JSON.stringify(c)) as ListingChange;
        for (const m of members) if (m !== mine) for (const fn of m) fn(copy);
      },
      subscribe(fn) {
        mine.push(fn);
      },
    };
  };
}

function twoGateways() {
  const clock = new FakeClock();
  const backend = createMemoryRemote({ clock, facts: FICHIER_LIKE });
  const feed = bus();
  const mk = () => {
    const remote = countingRemote(backend);
    const changes = feed();
    const vfs = createVfs({ remote, store: openMetaStore({ file: ':memory:' }), clock, minRelistMs: 30_000, changes });
    return { vfs, remote, changes };
  };
  return { a: mk(), b: mk(), clock };
}

const names = (entries: { name: string }[]): string[] => entries.map((e) => e.name).sort();

describe('listing changes between gateways', () => {
  it('a file written and a folder made through A are listed by B without a listing of B', async () => {
    const { a, b } = twoGateways();
    await a.vfs.mkdir('/d');
    expect(names(await b.vfs.readdir('/'))).toEqual(['d']);
    await b.vfs.readdir('/d');
    b.remote.reset();
    await a.vfs.writeFile('/d/new.txt', Buffer.from('hello'));
    await a.vfs.mkdir('/d/sub');
    expect(names(await b.vfs.readdir('/d'))).toEqual(['new.txt', 'sub']);
    expect(names(await b.vfs.readdir('/d/sub'))).toEqual([]);
    expect(b.remote.calls.list ?? 0).toBe(0);
  });

  it('a delete, a rename and a rmdir through B are gone from A at once', async () => {
    const { a, b } = twoGateways();
    await a.vfs.mkdir('/d');
    await a.vfs.writeFile('/d/x.txt', Buffer.from('x'));
    await a.vfs.writeFile('/d/y.txt', Buffer.from('y'));
    await a.vfs.mkdir('/e');
    await b.vfs.readdir('/');
    await b.vfs.readdir('/d');
    await b.vfs.unlink('/d/x.txt');
    await b.vfs.rename('/d/y.txt', '/d/z.txt');
    await b.vfs.rmdir('/e');
    a.remote.reset();
    expect(names(await a.vfs.readdir('/d'))).toEqual(['z.txt']);
    expect(names(await a.vfs.readdir('/'))).toEqual(['d']);
    expect(a.remote.calls.list ?? 0).toBe(0);
  });

  it('a listing fetched by one replaces an older one of the other, and a change heard is not told again', async () => {
    const { a, b, clock } = twoGateways();
    await a.vfs.readdir('/');
    await b.vfs.readdir('/');
    await clock.advance(31_000);
    await a.vfs.refresh('/');
    expect(a.changes.sent.some((c) => c.op === 'listed' && c.dir === '')).toBe(true);
    expect(b.changes.sent).toEqual([{ op: 'listed', dir: '', entries: [], fetchedAt: expect.any(Number), partial: false }]);
    await a.vfs.mkdir('/n');
    expect(b.changes.sent.filter((c) => c.op !== 'listed')).toEqual([]);
    expect(names(await b.vfs.readdir('/'))).toEqual(['n']);
  });
});
