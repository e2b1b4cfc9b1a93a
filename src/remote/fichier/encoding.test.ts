import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeName, encodeName, fromStoredName, toStoredName } from './encoding.ts';

const Q = '\u201B';

/** rclone's fichier encoder, one row each: [original, stored]. */
const TABLE: ReadonlyArray<readonly [string, string, string]> = [
  ['NUL', 'a\0b', 'a\u2400b'],
  ['slash', 'a/b', 'a\uFF0Fb'],
  ['less than', 'a<b', 'a\uFF1Cb'],
  ['greater than', 'a>b', 'a\uFF1Eb'],
  ['double quote', 'a"b', 'a\uFF02b'],
  ['single quote', "a'b", 'a\uFF07b'],
  ['back quote', 'a`b', 'a\uFF40b'],
  ['dollar', 'a$b', 'a\uFF04b'],
  ['backslash', 'a\\b', 'a\uFF3Cb'],
  ['control 0x01', 'a\x01b', 'a\u2401b'],
  ['control 0x1F', 'a\x1Fb', 'a\u241Fb'],
  ['tab', 'a\tb', 'a\u2409b'],
  ['newline', 'a\nb', 'a\u240Ab'],
  ['DEL', 'a\x7Fb', 'a\u2421b'],
  ['leading space', ' ab', '\u2420ab'],
  ['trailing space', 'ab ', 'ab\u2420'],
  ['leading and trailing space', ' ab ', '\u2420ab\u2420'],
  ['inner spaces untouched', 'a  b', 'a  b'],
  ['a single space', ' ', '\u2420'],
  ['two spaces', '  ', '\u2420\u2420'],
  ['three spaces (only the ends)', '   ', '\u2420 \u2420'],
  ['lone surrogate as invalid UTF-8', 'a\uD800b', `a${Q}ED${Q}A0${Q}80b`],
  ['dot', '.', '\uFF0E'],
  ['dot dot', '..', '\uFF0E\uFF0E'],
  ['three dots untouched', '...', '...'],
  ['leading and trailing dots untouched', '.hidden.', '.hidden.'],
  ['fullwidth dot alone is quoted', '\uFF0E', `${Q}\uFF0E`],
  ['fullwidth dot dot alone is quoted', '\uFF0E\uFF0E', `${Q}\uFF0E${Q}\uFF0E`],
  ['fullwidth dot inside a name untouched', 'a\uFF0Eb', 'a\uFF0Eb'],
  ['fullwidth dollar already present', 'a\uFF04b', `a${Q}\uFF04b`],
  ['fullwidth slash already present', 'a\uFF0Fb', `a${Q}\uFF0Fb`],
  ['fullwidth quotes already present', '\uFF02\uFF07\uFF40', `${Q}\uFF02${Q}\uFF07${Q}\uFF40`],
  ['fullwidth < > \\ already present', '\uFF1C\uFF1E\uFF3C', `${Q}\uFF1C${Q}\uFF1E${Q}\uFF3C`],
  ['symbol for NUL already present', 'a\u2400b', `a${Q}\u2400b`],
  ['symbol for 0x01 already present', 'a\u2401b', `a${Q}\u2401b`],
  ['symbol for DEL already present', 'a\u2421b', `a${Q}\u2421b`],
  ['the quote itself', `a${Q}b`, `a${Q}${Q}b`],
  ['symbol for space inside a name untouched', 'a\u2420b', 'a\u2420b'],
  ['symbol for space leading', '\u2420ab', `${Q}\u2420ab`],
  ['symbol for space trailing', 'ab\u2420', `ab${Q}\u2420`],
  ['leading space then symbol for space', ' \u2420', `\u2420${Q}\u2420`],
  ['escape-looking text', `${Q}FF`, `${Q}${Q}FF`],
  ['not encoded: # % ? * : | ~ & ´ [ ] ;', '#%?*:|~&\u00B4[];', '#%?*:|~&\u00B4[];'],
  ['accents and emoji untouched', 'café 🎉 日本', 'café 🎉 日本'],
  ['U+FFFD is valid and untouched', 'a\uFFFDb', 'a\uFFFDb'],
  ['empty', '', ''],
];

describe('encodeName / decodeName: every table row', () => {
  for (const [label, original, stored] of TABLE) {
    it(label, () => {
      expect(encodeName(original)).toBe(stored);
      expect(decodeName(stored)).toBe(original);
    });
  }
});

describe('decodeName of names rclone may have written', () => {
  it('turns hex escapes of valid UTF-8 into characters, as rclone does', () => {
    expect(decodeName(`${Q}41`)).toBe('A');
    expect(decodeName(`caf${Q}C3${Q}A9`)).toBe('café');
    expect(decodeName(`x${Q}c3${Q}a9`)).toBe('xé');
    expect(decodeName(`${Q}F0${Q}9F${Q}8E${Q}89`)).toBe('🎉');
  });
  it('keeps the escape text of a byte that is not UTF-8 (no JS string can hold it)', () => {
    expect(decodeName(`a${Q}FFb`)).toBe(`a${Q}FFb`);
    expect(decodeName(`${Q}C3`)).toBe(`${Q}C3`);
    expect(decodeName(`${Q}C3${Q}41`)).toBe(`${Q}C3A`);
    expect(decodeName(`${Q}C0${Q}80`)).toBe(`${Q}C0${Q}80`);
  });
  it('keeps a quote that quotes nothing', () => {
    expect(decodeName(`a${Q}`)).toBe(`a${Q}`);
    expect(decodeName(`a${Q}xb`)).toBe(`a${Q}xb`);
    expect(decodeName(`a${Q}4`)).toBe(`a${Q}4`);
    expect(decodeName(`a${Q}\u2420b`)).toBe(`a${Q}\u2420b`);
  });
  it('a trailing ␠ after an even run of quotes is a space (rclone mis-decodes this one case)', () => {
    expect(encodeName(`a${Q} `)).toBe(`a${Q}${Q}\u2420`);
    expect(decodeName(`a${Q}${Q}\u2420`)).toBe(`a${Q} `);
    expect(decodeName(`a${Q}${Q}${Q}\u2420`)).toBe(`a${Q}\u2420`);
  });
});

/** True when `s` holds a character encodeName must never output: NUL, controls, DEL, / < > " ' ` $ \\. */
function hasReserved(s: string): boolean {
  return [...s].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7F' || '/<>"\'`$\\'.includes(c));
}

/** True when `s` survives UTF-8 (no lone surrogate). A leading U+FEFF is a name's character, not a BOM to drop. */
function wellFormed(s: string): boolean {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(s)) === s;
}

describe('properties', () => {
  const strings = [
    ['grapheme', fc.string({ unit: 'grapheme', maxLength: 40 })],
    ['full unicode', fc.string({ unit: 'binary', maxLength: 40 })],
    ['any UTF-16 (lone surrogates too)', fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 })],
    [
      'tricky alphabet',
      fc.string({
        unit: fc.constantFrom(' ', '.', '/', '\0', '\x01', '\x7F', '$', '"', Q, '\u2400', '\u2420', '\u2421', '\uFF04', '\uFF0E', '\uFF0F', 'A', 'f', '4', '\uD800', '\uDC00'),
        maxLength: 12,
      }),
    ],
  ] as const;
  for (const [label, arb] of strings) {
    it(`decodeName(encodeName(x)) === x (${label})`, () => {
      fc.assert(fc.property(arb, (x) => decodeName(encodeName(x)) === x), { numRuns: 2000 });
    });
    it(`encodeName never outputs a reserved character, a leading/trailing space, . or .. (${label})`, () => {
      fc.assert(
        fc.property(arb, (x) => {
          const e = encodeName(x);
          return !hasReserved(e) && !e.startsWith(' ') && !e.endsWith(' ') && e !== '.' && e !== '..' && wellFormed(e);
        }),
        { numRuns: 2000 },
      );
    });
  }
  it('a name starting with U+FEFF is well-formed after encoding (the decoder must keep it, not strip it as a BOM)', () => {
    expect(wellFormed(encodeName('\uFEFFa'))).toBe(true);
  });
  it('encodeName is injective: different names never share a stored form', () => {
    const arb = fc.string({ unit: fc.constantFrom(' ', '.', '$', Q, '\u2420', '\uFF04', '\uFF0E', 'F', '\uD800'), maxLength: 6 });
    fc.assert(fc.property(arb, arb, (a, b) => a === b || encodeName(a) !== encodeName(b)), { numRuns: 3000 });
  });
});

describe('toStoredName / fromStoredName (path segments)', () => {
  it('shows / NUL . .. as their look-alikes and reads them back', () => {
    expect(fromStoredName('a\uFF0Fb')).toBe('a\uFF0Fb');
    expect(toStoredName('a\uFF0Fb')).toBe('a\uFF0Fb');
    expect(fromStoredName('\u2400x')).toBe('\u2400x');
    expect(toStoredName('\u2400x')).toBe('\u2400x');
    expect(fromStoredName('\uFF0E')).toBe('\uFF0E');
    expect(toStoredName('\uFF0E')).toBe('\uFF0E');
    expect(fromStoredName('\uFF0E\uFF0E')).toBe('\uFF0E\uFF0E');
    expect(toStoredName('\uFF0E\uFF0E')).toBe('\uFF0E\uFF0E');
  });
  it('a quoted look-alike lists as the look-alike', () => {
    expect(fromStoredName(`a${Q}\uFF0Fb`)).toBe('a\uFF0Fb');
    expect(fromStoredName(`${Q}\uFF0E`)).toBe('\uFF0E');
  });
  it('other names are encodeName / decodeName', () => {
    expect(toStoredName(` it's $5 `)).toBe(encodeName(` it's $5 `));
    expect(fromStoredName(`${Q}\uFF04`)).toBe('\uFF04');
  });
  it('fromStoredName(toStoredName(s)) === s for every valid path segment', () => {
    const segment = fc
      .string({ unit: fc.oneof(fc.constantFrom(' ', '.', '\uFF0F', '\u2400', '\uFF0E', Q, '\uFF04', '\\'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 16 })
      .filter((s) => !s.includes('/') && !s.includes('\0') && s !== '.' && s !== '..');
    fc.assert(fc.property(segment, (s) => fromStoredName(toStoredName(s)) === s), { numRuns: 3000 });
  });
  it('fromStoredName never yields a / or NUL, nor . or ..', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (stored) => {
        const n = fromStoredName(stored);
        return !n.includes('/') && !n.includes('\0') && n !== '.' && n !== '..';
      }),
      { numRuns: 2000 },
    );
  });
});
