import { describe, expect, it } from 'vitest';
import { formatParis, parisOffsetMs, parseParis } from './paris-time.ts';

const H = 3_600_000;

describe('Europe/Paris wire dates', () => {
  it('formats winter as UTC+1 and summer as UTC+2', () => {
    expect(formatParis(Date.UTC(2024, 0, 15, 12, 0, 0))).toBe('2024-01-15 13:00:00');
    expect(formatParis(Date.UTC(2024, 6, 15, 12, 0, 0))).toBe('2024-07-15 14:00:00');
    expect(formatParis(Date.UTC(2024, 11, 31, 23, 30, 5, 999))).toBe('2025-01-01 00:30:05');
    expect(parisOffsetMs(Date.UTC(2024, 0, 1))).toBe(H);
    expect(parisOffsetMs(Date.UTC(2024, 6, 1))).toBe(2 * H);
  });

  it('parses winter and summer times back to the same instant', () => {
    expect(parseParis('2024-01-15 13:00:00')).toBe(Date.UTC(2024, 0, 15, 12, 0, 0));
    expect(parseParis('2024-07-15 14:00:00')).toBe(Date.UTC(2024, 6, 15, 12, 0, 0));
  });

  it('switches offset at 01:00 UTC on the last Sunday of March and of October', () => {
    // 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(formatParis(Date.UTC(2024, 2, 31, 0, 59, 59))).toBe('2024-03-31 01:59:59');
    expect(formatParis(Date.UTC(2024, 2, 31, 1, 0, 0))).toBe('2024-03-31 03:00:00');
    // 2024-10-27: 03:00 CEST becomes 02:00 CET at 01:00 UTC.
    expect(formatParis(Date.UTC(2024, 9, 27, 0, 59, 59))).toBe('2024-10-27 02:59:59');
    expect(formatParis(Date.UTC(2024, 9, 27, 1, 0, 0))).toBe('2024-10-27 02:00:00');
  });

  it('parse(format(t)) = t (to the second) every 7 minutes across both DST changes, except the repeated autumn hour', () => {
    const ranges = [
      [Date.UTC(2024, 2, 30, 0), Date.UTC(2024, 3, 1, 0)],
      [Date.UTC(2024, 9, 26, 0), Date.UTC(2024, 9, 28, 0)],
      [Date.UTC(2025, 2, 29, 0), Date.UTC(2025, 2, 31, 0)],
    ] as const;
    const secondOccurrence = (t: number) => t >= Date.UTC(2024, 9, 27, 1) && t < Date.UTC(2024, 9, 27, 2);
    let checked = 0;
    for (const [from, to] of ranges) {
      for (let t = from; t < to; t += 7 * 60_000 + 13_001) {
        const back = parseParis(formatParis(t));
        const want = Math.floor(t / 1000) * 1000;
        expect(back, new Date(t).toISOString()).toBe(secondOccurrence(t) ? want - H : want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('reads a time of the autumn overlap as its first occurrence (CEST)', () => {
    expect(parseParis('2024-10-27 02:30:00')).toBe(Date.UTC(2024, 9, 27, 0, 30));
  });

  it('reads a time in the spring gap one hour later (the offset before the switch)', () => {
    const t = parseParis('2024-03-31 02:30:00');
    expect(t).toBe(Date.UTC(2024, 2, 31, 1, 30));
    expect(formatParis(t!)).toBe('2024-03-31 03:30:00');
  });

  it('format(parse(s)) = s for every valid wall time outside the spring gap', () => {
    for (const s of ['2024-03-31 01:59:59', '2024-03-31 03:00:00', '2024-10-27 01:59:59', '2024-10-27 02:00:00', '2024-10-27 03:00:00', '2000-02-29 00:00:00']) {
      expect(formatParis(parseParis(s)!)).toBe(s);
    }
  });

  it('refuses malformed and impossible dates', () => {
    for (const s of ['', '2024-01-15', '2024-01-15T13:00:00', '2024-13-01 00:00:00', '2023-02-29 00:00:00', '2024-01-15 24:00:00', '2024-01-15 12:60:00', ' 2024-01-15 13:00:00']) {
      expect(parseParis(s), s).toBeUndefined();
    }
  });
});
