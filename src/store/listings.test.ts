import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteEntry } from '../remote/types.ts';
import { openMetaStore } from './index.ts';
import type { MetaStore } from './types.ts';

const open: MetaStore[] = [];
function mem(): MetaStore {
  const s = openMetaStore({ file: ':memory:' });
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function file(path: string, id = `https://1fichier.com/?${path}`, extra: Partial<RemoteEntry> = {}): RemoteEntry {
  return { path, name: path.slice(path.lastIndexOf('/') + 1), kind: 'file', size: 10, modTime: 1_700_000_000_000, id, hashes: { whirlpool: 'ab'.repeat(64) }, ...extra };
}
function dir(path: string, id: string): RemoteEntry {
  return { path, name: path.slice(path.lastIndexOf('/') + 1), kind: 'dir', size: 0, modTime: 1_600_000_000_000, id, hashes: {} };
}

describe('listings', () => {
  it('returns undefined for a directory never listed, and the put listing in order', () => {
    const s = mem();
    expect(s.getListing('')).toBeUndefined();
    const entries = [file('z.txt', 'u1', { mimeType: 'text/plain', hashes: { whirlpool: 'w', md5: 'm', sha1: 's' } }), dir('a', '7'), file('b', 'u2', { hashes: {} })];
    s.putListing('', entries, 1234);
    const l = s.getListing('');
    expect(l).toEqual({ entries, fetchedAt: 1234 });
    expect(l!.entries[1]).not.toHaveProperty('mimeType');
    expect(l!.entries[2]!.hashes).toEqual({});
  });

  it('keeps an empty listing distinct from no listing', () => {
    const s = mem();
    s.putListing('a', [], 5);
    expect(s.getListing('a')).toEqual({ entries: [], fetchedAt: 5 });
  });

  it('keeps duplicate names (distinct ids) in remote order', () => {
    const s = mem();
    const entries = [file('d/x.txt', 'u1'), file('d/x.txt', 'u2'), file('d/x.txt', 'u3')];
    s.putListing('d', entries, 1);
    expect(s.getListing('d')!.entries.map((e) => e.id)).toEqual(['u1', 'u2', 'u3']);
  });

  it('replaces a listing wholesale', () => {
    const s = mem();
    s.putListing('d', [file('d/a', 'u1'), file('d/b', 'u2')], 1);
    s.putListing('d', [file('d/c', 'u3')], 2);
    expect(s.getListing('d')).toEqual({ entries: [file('d/c', 'u3')], fetchedAt: 2 });
    expect(s.stats().entries).toBe(1);
  });

  it('records the ids of sub-directories', () => {
    const s = mem();
    s.putListing('', [dir('a', '10'), file('f', 'u1'), dir('b c', '11')], 1);
    expect(s.getDirId('a')).toBe('10');
    expect(s.getDirId('b c')).toBe('11');
    expect(s.getDirId('f')).toBeUndefined();
  });

  it('stores and reads a 20,000-entry listing', () => {
    const s = mem();
    const entries = Array.from({ length: 20_000 }, (_, i) => (i % 10 === 0 ? dir(`big/d${i}`, `${i}`) : file(`big/f${i}.bin`, `u${i}`, { size: i })));
    s.putListing('big', entries, 9);
    const l = s.getListing('big')!;
    expect(l.entries).toHaveLength(20_000);
    expect(l.entries).toEqual(entries);
    expect(s.getDirId('big/d19990')).toBe('19990');
    expect(s.stats()).toMatchObject({ listings: 1, entries: 20_000, dirIds: 2000 });
  });
});

describe('write-through', () => {
  it('upsertEntry appends to a cached parent listing and replaces by id', () => {
    const s = mem();
    s.putListing('d', [file('d/a', 'u1'), file('d/b', 'u2')], 1);
    s.upsertEntry(file('d/c', 'u3'));
    s.upsertEntry(file('d/renamed', 'u1', { size: 99 }));
    const l = s.getListing('d')!;
    expect(l.entries.map((e) => [e.path, e.id, e.size])).toEqual([
      ['d/renamed', 'u1', 99],
      ['d/b', 'u2', 10],
      ['d/c', 'u3', 10],
    ]);
    expect(l.fetchedAt).toBe(1);
  });

  it('upsertEntry is a no-op when the parent listing is not cached (but records a directory id)', () => {
    const s = mem();
    s.upsertEntry(file('x/a', 'u1'));
    s.upsertEntry(dir('x/sub', '42'));
    expect(s.getListing('x')).toBeUndefined();
    expect(s.stats()).toMatchObject({ listings: 0, entries: 0 });
    expect(s.getDirId('x/sub')).toBe('42');
  });

  it('upsertEntry of a root-level entry goes into the root listing; the root itself is ignored', () => {
    const s = mem();
    s.putListing('', [], 1);
    s.upsertEntry(dir('top', '5'));
    s.upsertEntry(dir('', '0'));
    expect(s.getListing('')!.entries).toEqual([dir('top', '5')]);
    expect(s.getDirId('top')).toBe('5');
    expect(s.getDirId('')).toBeUndefined();
  });

  it('upsertEntry of a renamed directory forgets the subtree under its old path', () => {
    const s = mem();
    s.putListing('', [dir('a', '1')], 1);
    s.putListing('a', [file('a/f', 'u1')], 1);
    s.upsertEntry(dir('b', '1'));
    expect(s.getListing('')!.entries).toEqual([dir('b', '1')]);
    expect(s.getListing('a')).toBeUndefined();
    expect(s.getDirId('a')).toBeUndefined();
    expect(s.getDirId('b')).toBe('1');
  });

  it('upsertEntry of a directory recreated with a new id forgets the stale subtree', () => {
    const s = mem();
    s.setDirId('a', '1');
    s.putListing('a', [file('a/f', 'u1')], 1);
    s.upsertEntry(dir('a', '2'));
    expect(s.getListing('a')).toBeUndefined();
    expect(s.getDirId('a')).toBe('2');
  });

  it('removeEntry drops by id, is a no-op when not cached, and forgets a removed directory subtree', () => {
    const s = mem();
    s.removeEntry('nowhere', 'u1');
    s.putListing('d', [file('d/a', 'u1'), dir('d/s', '3'), file('d/a', 'u2')], 1);
    s.putListing('d/s', [file('d/s/x', 'u4')], 1);
    s.removeEntry('d', 'u1');
    s.removeEntry('d', 'missing');
    expect(s.getListing('d')!.entries.map((e) => e.id)).toEqual(['3', 'u2']);
    s.removeEntry('d', '3');
    expect(s.getListing('d')!.entries.map((e) => e.id)).toEqual(['u2']);
    expect(s.getListing('d/s')).toBeUndefined();
    expect(s.getDirId('d/s')).toBeUndefined();
    s.upsertEntry(file('d/new', 'u5'));
    expect(s.getListing('d')!.entries.map((e) => e.id)).toEqual(['u2', 'u5']);
  });

  it('putListing forgets the subtrees of sub-directories that vanished or changed id', () => {
    const s = mem();
    s.putListing('', [dir('keep', '1'), dir('gone', '2'), dir('new', '3')], 1);
    for (const d of ['keep', 'gone', 'new']) s.putListing(d, [file(`${d}/f`, `u-${d}`)], 1);
    s.putListing('gone/deep', [], 1);
    s.setDirId('gone/deep', '9');
    s.putListing('', [dir('keep', '1'), dir('new', '33')], 2);
    expect(s.listedDirs('')).toEqual(['', 'keep']);
    expect(s.getDirId('gone')).toBeUndefined();
    expect(s.getDirId('gone/deep')).toBeUndefined();
    expect(s.getDirId('new')).toBe('33');
    expect(s.getDirId('keep')).toBe('1');
  });
});

describe('prefix operations', () => {
  function seeded(): MetaStore {
    const s = mem();
    const dirs = ['', 'a', 'a/b', 'a/b/c', 'ab', 'a.b', 'a b', 'a0', 'b', '%', '%x', '_', 'x_y', 'xay', 'x_y/z', 'é', 'é/ü'];
    for (const d of dirs) {
      s.putListing(d, [file(d === '' ? 'f' : `${d}/f`, `u:${d}`)], 1);
      if (d !== '') s.setDirId(d, `id:${d}`);
    }
    return s;
  }

  it("listedDirs is exact about boundaries ('a' is not a prefix of 'ab'); '' lists everything", () => {
    const s = seeded();
    expect(s.listedDirs('a')).toEqual(['a', 'a/b', 'a/b/c']);
    expect(s.listedDirs('a/b')).toEqual(['a/b', 'a/b/c']);
    expect(s.listedDirs('ab')).toEqual(['ab']);
    expect(s.listedDirs('%')).toEqual(['%']);
    expect(s.listedDirs('_')).toEqual(['_']);
    expect(s.listedDirs('x_y')).toEqual(['x_y', 'x_y/z']);
    expect(s.listedDirs('é')).toEqual(['é', 'é/ü']);
    expect(s.listedDirs('nope')).toEqual([]);
    expect(s.listedDirs('')).toHaveLength(17);
  });

  it('forgetTree removes listings, entries and dir ids at and below the prefix only', () => {
    const s = seeded();
    s.forgetTree('a');
    expect(s.listedDirs('')).toEqual(['', '%', '%x', 'a b', 'a.b', 'a0', 'ab', 'b', 'x_y', 'x_y/z', 'xay', '_', 'é', 'é/ü'].sort());
    expect(s.getDirId('a')).toBeUndefined();
    expect(s.getDirId('a/b/c')).toBeUndefined();
    expect(s.getDirId('ab')).toBe('id:ab');
    expect(s.getListing('a/b')).toBeUndefined();
    s.forgetTree('x_y');
    expect(s.getDirId('xay')).toBe('id:xay');
    expect(s.getListing('xay')).toBeDefined();
    s.forgetTree('%');
    expect(s.getListing('%x')).toBeDefined();
    s.forgetTree('');
    expect(s.stats()).toMatchObject({ listings: 0, entries: 0, dirIds: 0 });
  });
});

describe('read memo', () => {
  it('serves repeated reads from memory and never a state the store no longer holds', () => {
    const store = openMetaStore({ file: ':memory:' });
    const entry = (name: string): RemoteEntry => ({ path: `d/${name}`, name, kind: 'file', size: 1, modTime: 1, id: `u-${name}`, hashes: {} });
    store.putListing('d', [entry('a')], 1);
    const first = store.getListing('d');
    expect(store.getListing('d')).toBe(first);
    store.upsertEntry(entry('b'));
    expect(store.getListing('d')).not.toBe(first);
    expect(store.getListing('d')!.entries.map((e) => e.name)).toEqual(['a', 'b']);
    const locals = store.listLocal('d');
    expect(store.listLocal('d')).toBe(locals);
    store.putLocal({ path: 'd/.DS_Store', id: 'local:1', content: Buffer.from('x'), modTime: 1 });
    expect(store.listLocal('d').map((f) => f.path)).toEqual(['d/.DS_Store']);
    store.forgetTree('d');
    expect(store.getListing('d')).toBeUndefined();
    store.close();
  });
});

describe('moveTree', () => {
  it('moves the cached listings and folder ids below a moved folder, paths rewritten, and forgets what was at the destination', () => {
    const s = mem();
    s.putListing('a', [dir('a/b', '2'), file('a/x.txt', 'u1')], 10);
    s.putListing('a/b', [file('a/b/y.txt', 'u2')], 11, true);
    s.putListing('z', [file('z/old', 'u3')], 12);
    s.setDirId('a', '1');
    s.setDirId('z', '9');
    s.moveTree('a', 'z');
    expect(s.getListing('a')).toBeUndefined();
    expect(s.getListing('a/b')).toBeUndefined();
    expect(s.getDirId('a')).toBeUndefined();
    expect(s.getListing('z')).toEqual({ entries: [dir('z/b', '2'), file('z/x.txt', 'u1')], fetchedAt: 10 });
    expect(s.getListing('z/b')).toEqual({ entries: [file('z/b/y.txt', 'u2')], fetchedAt: 11, partial: true });
    expect([s.getDirId('z'), s.getDirId('z/b')]).toEqual(['1', '2']);
  });
});

describe('searchNames', () => {
  it('finds names anywhere in the cached tree, ASCII case-insensitively, ordered by path', () => {
    const s = mem();
    s.putListing('', [file('Report.PDF', 'u1'), dir('docs', '1'), file('other.txt', 'u2')], 1);
    s.putListing('docs', [file('docs/annual report.txt', 'u3'), dir('docs/Reports', '2')], 1);
    expect(s.searchNames('report', 50).map((h) => h.path)).toEqual(['Report.PDF', 'docs/Reports', 'docs/annual report.txt']);
    expect(s.searchNames('report', 2)).toHaveLength(2);
    expect(s.searchNames('REPORTS', 50)).toEqual([{ path: 'docs/Reports', name: 'Reports', kind: 'dir', size: 0, modTime: 1_600_000_000_000 }]);
  });

  it('takes %, _ and backslash literally', () => {
    const s = mem();
    s.putListing('', [file('100% done', 'u1'), file('1000 done', 'u2'), file('a_b', 'u3'), file('axb', 'u4'), file('c\\d', 'u5')], 1);
    expect(s.searchNames('0%', 50).map((h) => h.name)).toEqual(['100% done']);
    expect(s.searchNames('a_b', 50).map((h) => h.name)).toEqual(['a_b']);
    expect(s.searchNames('\\', 50).map((h) => h.name)).toEqual(['c\\d']);
  });

  it("reports the client's modtime when one is stored, and finds local-only files by name", () => {
    const s = mem();
    s.putListing('', [file('photo.jpg', 'u1'), dir('photos', '9')], 1);
    s.setMeta('u1', { modTime: 42_000 });
    s.putLocal({ path: 'photos/empty photo.txt', id: 'local:1', content: Buffer.alloc(0), modTime: 7 });
    s.putLocal({ path: 'photos/x.txt', id: 'local:2', content: Buffer.from('abc'), modTime: 8 });
    const hits = s.searchNames('photo', 50);
    expect(hits.map((h) => [h.path, h.modTime])).toEqual([
      ['photo.jpg', 42_000],
      ['photos', 1_600_000_000_000],
      ['photos/empty photo.txt', 7],
    ]);
  });
});

describe('searchNames and listingCoverage below a folder (a served root)', () => {
  it('find only what is strictly below it, never a sibling that starts with the same characters', () => {
    const s = mem();
    s.putListing('', [file('note top.txt', 'u1'), dir('A', '1'), dir('AB', '2')], 1);
    s.putListing('A', [file('A/note a.txt', 'u2'), dir('A/B', '3')], 1);
    s.putListing('AB', [file('AB/note ab.txt', 'u4')], 1);
    s.putLocal({ path: 'A/B/note local.txt', id: 'local:1', content: Buffer.alloc(0), modTime: 7 });
    s.putLocal({ path: 'AB/note local.txt', id: 'local:2', content: Buffer.alloc(0), modTime: 7 });
    expect(s.searchNames('note', 50, 'A').map((h) => h.path)).toEqual(['A/B/note local.txt', 'A/note a.txt']);
    expect(s.searchNames('note', 50, 'A/B').map((h) => h.path)).toEqual(['A/B/note local.txt']);
    expect(s.searchNames('B', 50, 'A').map((h) => h.path)).toEqual(['A/B']);
    expect(s.searchNames('note', 50)).toHaveLength(5);
    expect(s.listingCoverage('A')).toEqual({ rootListed: true, unlistedDirs: 1 });
    expect(s.listingCoverage('A/B')).toEqual({ rootListed: false, unlistedDirs: 0 });
    expect(s.listingCoverage('')).toEqual({ rootListed: true, unlistedDirs: 1 });
  });
});

describe('listingCoverage', () => {
  it('says whether the root was listed and how many known folders never were', () => {
    const s = mem();
    expect(s.listingCoverage()).toEqual({ rootListed: false, unlistedDirs: 0 });
    s.putListing('', [dir('a', '1'), dir('b', '2'), file('f', 'u')], 1);
    expect(s.listingCoverage()).toEqual({ rootListed: true, unlistedDirs: 2 });
    s.putListing('a', [dir('a/c', '3')], 1);
    expect(s.listingCoverage()).toEqual({ rootListed: true, unlistedDirs: 2 });
    s.putListing('b', [], 1);
    s.putListing('a/c', [], 1);
    expect(s.listingCoverage()).toEqual({ rootListed: true, unlistedDirs: 0 });
  });
});
