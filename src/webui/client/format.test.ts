import { describe, expect, it } from 'vitest';
import { formatDate, formatPercent, formatSize, plural } from './format.ts';

describe('formatSize', () => {
  it('uses binary units with one decimal below 10 and none above', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(10 * 1024)).toBe('10 KiB');
    expect(formatSize(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatSize(5e12)).toBe('4.5 TiB');
  });

  it('carries to the next unit when rounding reaches 1024', () => {
    expect(formatSize(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatSize(1024 * 1023.7)).toBe('1.0 MiB');
  });

  it('is empty for sizes that are not sizes', () => {
    expect(formatSize(-1)).toBe('');
    expect(formatSize(Number.NaN)).toBe('');
  });
});

describe('formatDate', () => {
  it("writes the instant in the given (by default the browser's) time zone", () => {
    const ms = Date.UTC(2024, 2, 12, 23, 30);
    expect(formatDate(ms, 'en-GB', 'UTC')).toBe('12 Mar 2024, 23:30');
    expect(formatDate(ms, 'en-GB', 'Europe/Paris')).toBe('13 Mar 2024, 00:30');
    expect(formatDate(ms, 'en-GB', 'America/New_York')).toBe('12 Mar 2024, 19:30');
    expect(formatDate(Number.NaN)).toBe('');
  });
});

describe('plural and formatPercent', () => {
  it('groups digits and picks the form', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(5000, 'file')).toBe('5,000 files');
    expect(plural(2, 'match', 'matches')).toBe('2 matches');
    expect(formatPercent(0.426)).toBe('42%');
    expect(formatPercent(2)).toBe('100%');
    expect(formatPercent(Number.NaN)).toBe('0%');
  });
});
