import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteEntry } from '../remote/types.ts';
import { openMetaStore } from './index.ts';
import type { MetaStore } from './types.ts';

const open: MetaStore[] = [];
function mem(memoBytes?: number): MetaStore {
  const s = openMetaStore({ file: ':memory:', ...(memoBytes !== undefined ? { memoBytes } : {}) });
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

const file = (path: string, id = `u:${path}`): RemoteEntry => ({ path, name: path.slice(path.lastIndexOf('/') + 1), kind: 'file', size: 1, modTime: 1, id, hashes: {} });
const dir = (path: string, id: string): RemoteEntry => ({ path, name: path.slice(path.lastIndexOf('/') + 1), kind: 'dir', size: 0, modTime: 1, id, hashes: {} });

describe('the store read memo', () => {
  it('answers an unchanged folder with the same object, and a changed one with a new object', () => {
    const s = mem();
    s.putListing('a', [file('a/x')], 1);
    s.putListing('b', [file('b/y')], 1);
    const a = s.getListing('a');
    const b = s.getListing('b');
    expect(s.getListing('a')).toBe(a);
    s.upsertEntry(file('b/z'));
    expect(s.getListing('a')).toBe(a);
    expect(s.getListing('b')).not.toBe(b);
    expect(s.getListing('b')!.entries.map((e) => e.name)).toEqual(['y', 'z']);
    s.removeEntry('a', 'u:a/x');
    expect(s.getListing('a')!.entries).toEqual([]);
  });

  it('drops the answers of a subtree the store forgot as a side effect of a listing', () => {
    const s = mem();
    s.putListing('', [dir('d', '1')], 1);
    s.putListing('d', [dir('d/e', '2')], 1);
    s.putListing('d/e', [file('d/e/f')], 1);
    expect(s.getListing('d/e')).toBeDefined();
    // 'd' comes back with another id: it was deleted and recreated, so its cached subtree is gone.
    s.putListing('', [dir('d', '9')], 2);
    expect(s.getListing('d')).toBeUndefined();
    expect(s.getListing('d/e')).toBeUndefined();
  });

  it('drops the local files of the folder a local write touched', () => {
    const s = mem();
    expect(s.listLocal('a')).toEqual([]);
    s.putLocal({ path: 'a/.DS_Store', id: 'local:1', content: Buffer.from('x'), modTime: 1 });
    expect(s.listLocal('a').map((f) => f.path)).toEqual(['a/.DS_Store']);
    s.moveLocal('a/.DS_Store', 'b/.DS_Store');
    expect(s.listLocal('a')).toEqual([]);
    expect(s.listLocal('b').map((f) => f.path)).toEqual(['b/.DS_Store']);
    s.removeLocalTree('b');
    expect(s.listLocal('b')).toEqual([]);
  });

  it('keeps what fits its byte budget and reads the rest back from the database', () => {
    const s = mem(64 * 1024);
    const many = (d: string) => Array.from({ length: 120 }, (_, i) => file(`${d}/f${i}`));
    s.putListing('a', many('a'), 1);
    s.putListing('b', many('b'), 1);
    const a = s.getListing('a');
    const b = s.getListing('b');
    // Each folder weighs ~40 KB by the estimate: the budget keeps only the latest.
    expect(s.getListing('b')).toBe(b);
    const again = s.getListing('a');
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
  });
});
