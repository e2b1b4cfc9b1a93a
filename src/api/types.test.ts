import { describe, expect, it } from 'vitest';
import { formatWireDate, parseWireDate } from './types.ts';

describe('wire dates (the one mapper between the API and domain instants)', () => {
  it('reads and writes Europe/Paris local time, not UTC', () => {
    expect(parseWireDate('2024-01-02 03:04:05')?.getTime()).toBe(Date.UTC(2024, 0, 2, 2, 4, 5));
    expect(parseWireDate('2024-08-02 03:04:05')?.getTime()).toBe(Date.UTC(2024, 7, 2, 1, 4, 5));
    expect(formatWireDate(new Date(Date.UTC(2024, 7, 2, 1, 4, 5, 999)))).toBe('2024-08-02 03:04:05');
  });

  it('round-trips every hour of a year to the second, except the repeated autumn hour', () => {
    const overlap = (t: number) => t >= Date.UTC(2025, 9, 26, 1) && t < Date.UTC(2025, 9, 26, 2);
    for (let t = Date.UTC(2025, 0, 1, 0, 17, 3); t < Date.UTC(2026, 0, 1); t += 3_600_000) {
      expect(parseWireDate(formatWireDate(new Date(t)))?.getTime(), new Date(t).toISOString()).toBe(overlap(t) ? t - 3_600_000 : t);
    }
  });

  it('gives undefined for anything but "YYYY-MM-DD HH:MM:SS"', () => {
    for (const s of ['', 'garbage', '2024-01-02T03:04:05Z', '2024-02-30 00:00:00']) expect(parseWireDate(s)).toBeUndefined();
  });
});
