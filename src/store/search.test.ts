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

function entry(path: string, kind: 'file' | 'dir', id: string): RemoteEntry {
  return { path, name: path.slice(path.lastIndexOf('/') + 1), kind, size: kind === 'file' ? 10 : 0, modTime: 1_700_000_000_000, id, hashes: {} };
}

describe('searchNames', () => {
  it('finds names anywhere in the cached tree, ASCII case-insensitively, ordered by path', () => {
    const s = mem();
    s.putListing('', [entry('Report.PDF', 'file', 'u1'), entry('docs', 'dir', '1'), entry('other.txt', 'file', 'u2')], 1);
    s.putListing('docs', [entry('docs/annual report.txt', 'file', 'u3'), entry('docs/Reports', 'dir', '2')], 1);
    expect(s.searchNames('report', 50).map((h) => h.path)).toEqual(['Report.PDF', 'docs/Reports', 'docs/annual report.txt']);
    expect(s.searchNames('report', 2)).toHaveLength(2);
    expect(s.searchNames('REPORTS', 50)).toEqual([{ path: 'docs/Reports', name: 'Reports', kind: 'dir', size: 0, modTime: 1_700_000_000_000 }]);
  });

  it('takes %, _ and backslash literally', () => {
    const s = mem();
    s.putListing('', [entry('100% done', 'file', 'u1'), entry('1000 done', 'file', 'u2'), entry('a_b', 'file', 'u3'), entry('axb', 'file', 'u4'), entry('c\\d', 'file', 'u5')], 1);
    expect(s.searchNames('0%', 50).map((h) => h.name)).toEqual(['100% done']);
    expect(s.searchNames('a_b', 50).map((h) => h.name)).toEqual(['a_b']);
    expect(s.searchNames('\\', 50).map((h) => h.name)).toEqual(['c\\d']);
  });

  it("reports the client's modtime when one is stored, and finds local-only files by name", () => {
    const s = mem();
    s.putListing('', [entry('photo.jpg', 'file', 'u1'), entry('photos', 'dir', '9')], 1);
    s.setMeta('u1', { modTime: 42_000 });
    s.putLocal({ path: 'photos/empty photo.txt', id: 'local:1', content: Buffer.alloc(0), modTime: 7 });
    s.putLocal({ path: 'photos/x.txt', id: 'local:2', content: Buffer.from('abc'), modTime: 8 });
    const hits = s.searchNames('photo', 50);
    expect(hits.map((h) => [h.path, h.modTime])).toEqual([
      ['photo.jpg', 42_000],
      ['photos', 1_700_000_000_000],
      ['photos/empty photo.txt', 7],
    ]);
  });
});

describe('listingCoverage', () => {
  it('says whether the root was listed and how many known folders never were', () => {
    const s = mem();
    expect(s.listingCoverage()).toEqual({ rootListed: false, unlistedDirs: 0 });
    s.putListing('', [entry('a', 'dir', '1'), entry('b', 'dir', '2'), entry('f', 'file', 'u')], 1);
    expect(s.listingCoverage()).toEqual({ rootListed: true, unlistedDirs: 2 });
    s.putListing('a', [entry('a/c', 'dir', '3')], 1);
    expect(s.listingCoverage()).toEqual({ rootListed: true, unlistedDirs: 2 });
    s.putListing('b', [], 1);
    s.putListing('a/c', [], 1);
    expect(s.listingCoverage()).toEqual({ rootListed: true, unlistedDirs: 0 });
  });
});
