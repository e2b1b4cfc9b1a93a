import { describe, expect, it } from 'vitest';
import { assignNames, suffixName, type NameCandidate } from './names.ts';
import { compileJunkMatcher } from './local.ts';
import { JUNK_PATTERNS } from './types.ts';

const f = (name: string, modTime: number, id: string): NameCandidate => ({ name, kind: 'file', modTime, id });
const d = (name: string, id: string): NameCandidate => ({ name, kind: 'dir', modTime: 0, id });
const shown = (items: NameCandidate[]) => Object.fromEntries(assignNames(items).named.map((n) => [n.item.id, n.name]));

describe('suffixName', () => {
  it('puts the suffix before the last extension', () => {
    expect(suffixName('a.tar.gz', 2)).toBe('a.tar (2).gz');
    expect(suffixName('README', 3)).toBe('README (3)');
    expect(suffixName('.bashrc', 2)).toBe('.bashrc (2)');
  });
});

describe('assignNames', () => {
  it('gives the name to the newest file and suffixes the others, newest first', () => {
    expect(shown([f('a.txt', 1, 'x'), f('a.txt', 3, 'y'), f('a.txt', 2, 'z')])).toEqual({ y: 'a.txt', z: 'a (2).txt', x: 'a (3).txt' });
  });

  it('breaks modTime ties by id and is independent of input order', () => {
    const items = [f('a', 5, 'b'), f('a', 5, 'a'), f('a', 5, 'c')];
    const expected = { a: 'a', b: 'a (2)', c: 'a (3)' };
    expect(shown(items)).toEqual(expected);
    expect(shown([...items].reverse())).toEqual(expected);
  });

  it('skips suffixes taken by real names', () => {
    expect(shown([f('a.txt', 2, 'n'), f('a.txt', 1, 'o'), f('a (2).txt', 0, 'r')])).toEqual({ n: 'a.txt', r: 'a (2).txt', o: 'a (3).txt' });
  });

  it('lets a directory keep its name over a file and hides duplicate directories', () => {
    const res = assignNames([f('x', 9, 'file'), d('x', '2'), d('x', '1')]);
    expect(Object.fromEntries(res.named.map((n) => [n.item.id, n.name]))).toEqual({ '1': 'x', file: 'x (2)' });
    expect(res.hidden.map((h) => h.id)).toEqual(['2']);
  });

  it('gives every visible item a unique name', () => {
    const items = [f('a', 1, '1'), f('a', 2, '2'), f('a (2)', 3, '3'), f('a (3)', 1, '4'), f('a', 0, '5'), d('a (4)', '6')];
    const names = assignNames(items).named.map((n) => n.name);
    expect(new Set(names).size).toBe(items.length);
  });
});

describe('compileJunkMatcher', () => {
  it('matches the default junk patterns as whole names', () => {
    const isJunk = compileJunkMatcher(JUNK_PATTERNS);
    for (const n of ['._foo', '.DS_Store', 'Thumbs.db', 'desktop.ini', '.~lock.report.odt#', '~$budget.xlsx']) expect(isJunk(n)).toBe(true);
    for (const n of ['foo', 'x.DS_Store', '.~lock.report.odt', 'Thumbs.dbx', '_foo']) expect(isJunk(n)).toBe(false);
  });

  it('supports ? and escapes regex characters', () => {
    const isJunk = compileJunkMatcher(['a?c', '(x)+.*']);
    expect(isJunk('abc')).toBe(true);
    expect(isJunk('abbc')).toBe(false);
    expect(isJunk('(x)+.tmp')).toBe(true);
    expect(isJunk('xx.tmp')).toBe(false);
  });
});

describe('assignNames with spellings that differ only by normalisation', () => {
  const NFC = 'Caf\u00e9.txt';
  const NFD = 'Cafe\u0301.txt';

  it('treats them as one name: the newest keeps its own spelling, the other is suffixed in its own', () => {
    expect(shown([f(NFD, 1, 'old'), f(NFC, 2, 'new')])).toEqual({ new: NFC, old: 'Cafe\u0301 (2).txt' });
    expect(shown([f(NFD, 2, 'new'), f(NFC, 1, 'old')])).toEqual({ new: NFD, old: 'Caf\u00e9 (2).txt' });
  });

  it('never shows two files under equivalent names, even against a real suffixed name', () => {
    const names = assignNames([f(NFD, 3, '1'), f(NFC, 2, '2'), f('Caf\u00e9 (2).txt', 1, '3')]).named.map((n) => n.name.normalize('NFC'));
    expect(new Set(names).size).toBe(3);
  });

  it('a folder holds the name against a file of the other spelling; two folders keep their own spellings', () => {
    const res = assignNames([d('Caf\u00e9', 'a'), d('Cafe\u0301', 'b'), f('Cafe\u0301', 1, 'file')]);
    expect(Object.fromEntries(res.named.map((n) => [n.item.id, n.name]))).toEqual({ a: 'Caf\u00e9', b: 'Cafe\u0301', file: 'Cafe\u0301 (2)' });
    expect(res.hidden).toEqual([]);
  });
});
