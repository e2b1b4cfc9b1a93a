import { describe, expect, it } from 'vitest';
import { byteUnit, examples, localDateTime, rfc3339Millis, sizeSuffix } from './format.ts';

describe('rclone size formats', () => {
  it('ByteUnit: whole values bare, others with three decimals, binary prefixes', () => {
    expect(byteUnit(0)).toBe('0 B');
    expect(byteUnit(512)).toBe('512 B');
    expect(byteUnit(1536)).toBe('1.500 KiB');
    expect(byteUnit(5 * 2 ** 40)).toBe('5 TiB');
    expect(byteUnit(7.444 * 2 ** 30)).toBe('7.444 GiB');
    expect(byteUnit(-1)).toBe('off');
  });

  it('SizeSuffix.String: no space, no unit', () => {
    expect(sizeSuffix(6)).toBe('6');
    expect(sizeSuffix(1536)).toBe('1.500Ki');
    expect(sizeSuffix(3 * 2 ** 20)).toBe('3Mi');
  });
});

describe('dates', () => {
  it('localDateTime is Go\'s 2006-01-02 15:04:05 in local time', () => {
    const ms = new Date(2021, 2, 4, 5, 6, 7).getTime();
    expect(localDateTime(ms)).toBe('2021-03-04 05:06:07');
  });

  it('rfc3339Millis keeps the milliseconds and the instant', () => {
    const ms = Date.UTC(2020, 0, 2, 3, 4, 5, 67);
    const s = rfc3339Millis(ms);
    expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.067(Z|[+-]\d\d:\d\d)$/);
    expect(Date.parse(s)).toBe(ms);
  });
});

it('examples indents each line under an Examples: heading', () => {
  expect(examples('a b', 'c')).toBe('\nExamples:\n  a b\n  c\n');
});
