import { describe, expect, it } from 'vitest';
import { NameIndex, foldKey, isWithinPath, nameKey, pathKey, sameName, samePath } from './names.ts';

const NFC = 'Caf\u00e9.txt';
const NFD = 'Cafe\u0301.txt';

describe('name keys', () => {
  it('treats NFC and NFD spellings as one name, and nothing else', () => {
    expect(NFC).not.toBe(NFD);
    expect(nameKey(NFD)).toBe(NFC);
    expect(sameName(NFC, NFD)).toBe(true);
    expect(sameName('a.txt', 'A.txt')).toBe(false);
    // Compatibility forms stay distinct: full-width ＄ is how 1fichier stores a `$`.
    expect(sameName('\uFF04x', '$x')).toBe(false);
    expect(nameKey('plain ascii')).toBe('plain ascii');
  });

  it('folds case only in foldKey', () => {
    expect(foldKey('README.TXT')).toBe('readme.txt');
    expect(foldKey('CAFE\u0301')).toBe('caf\u00e9');
  });

  it('compares paths segment by segment', () => {
    expect(samePath(`Docs/${NFD}`, `Docs/${NFC}`)).toBe(true);
    expect(pathKey(`Re\u0301sume\u0301/${NFD}`)).toBe(`R\u00e9sum\u00e9/${NFC}`);
    expect(isWithinPath(`Caf\u00e9/x`, 'Cafe\u0301')).toBe(true);
    expect(isWithinPath('Cafe\u0301', 'Caf\u00e9')).toBe(true);
    expect(isWithinPath('Cafeteria', 'Cafe')).toBe(false);
    expect(isWithinPath('anything', '')).toBe(true);
  });
});

describe('NameIndex', () => {
  const index = (names: string[]) => new NameIndex(names, (n) => n);

  it('finds the exact spelling first, then an equivalent one', () => {
    expect(index([NFD]).find(NFC)).toBe(NFD);
    expect(index([NFC]).find(NFD)).toBe(NFC);
    expect(index([NFD, NFC]).find(NFD)).toBe(NFD);
    expect(index([NFD, NFC]).find(NFC)).toBe(NFC);
    expect(index(['a']).find('b')).toBeUndefined();
  });

  it('prefers the NFC spelling for a third spelling of a name held twice', () => {
    const partial = 'A\u0301e\u0301'; // both decomposed
    const composed = '\u00c1\u00e9';
    const mixed = '\u00c1e\u0301';
    expect(index([mixed, composed]).find(partial)).toBe(composed);
  });

  it('ignores case only when asked, and only for exactly one match', () => {
    const idx = index(['readme.txt', 'Notes', 'NOTES']);
    expect(idx.find('README.TXT')).toBeUndefined();
    expect(idx.find('README.TXT', { caseInsensitive: true })).toBe('readme.txt');
    expect(idx.find('notes', { caseInsensitive: true })).toBeUndefined();
    expect(idx.find('NOTES', { caseInsensitive: true })).toBe('NOTES');
    expect(index([NFD]).find('CAF\u00c9.TXT', { caseInsensitive: true })).toBe(NFD);
  });
});
