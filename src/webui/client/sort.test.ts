import { describe, expect, it } from 'vitest';
import { compareNames, nextSort, sortEntries, type Sortable } from './sort.ts';

const e = (name: string, isDir: boolean, size = 0, modTime = 0): Sortable => ({ name, isDir, size, modTime });
const names = (xs: Sortable[]) => xs.map((x) => x.name);

describe('sortEntries', () => {
  const items = [e('file 10.txt', false, 30, 3), e('b', true, 0, 9), e('File 2.txt', false, 10, 5), e('a', true, 0, 1), e('zeta', false, 20, 1)];

  it('puts folders first, then orders names naturally (2 before 10, case ignored)', () => {
    expect(names(sortEntries(items, 'name', 'asc'))).toEqual(['a', 'b', 'File 2.txt', 'file 10.txt', 'zeta']);
    expect(names(sortEntries(items, 'name', 'desc'))).toEqual(['b', 'a', 'zeta', 'file 10.txt', 'File 2.txt']);
  });

  it('orders by size and by date, folders still first, ties by name', () => {
    expect(names(sortEntries(items, 'size', 'desc'))).toEqual(['a', 'b', 'file 10.txt', 'zeta', 'File 2.txt']);
    expect(names(sortEntries(items, 'date', 'asc'))).toEqual(['a', 'b', 'zeta', 'file 10.txt', 'File 2.txt']);
  });

  it('does not change its input', () => {
    const copy = [...items];
    sortEntries(items, 'size', 'asc');
    expect(items).toEqual(copy);
  });
});

describe('compareNames and nextSort', () => {
  it('is a total order: different names never compare equal', () => {
    expect(compareNames('a', 'A')).not.toBe(0);
    expect(compareNames('é', 'e')).not.toBe(0);
  });

  it('flips the same column and starts a new one in its natural direction', () => {
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'size')).toEqual({ key: 'size', dir: 'desc' });
    expect(nextSort({ key: 'size', dir: 'desc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
  });
});
