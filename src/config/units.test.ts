import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { UnitError, formatDuration, formatSize, parseBool, parseDuration, parseInteger, parseSize } from './units.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof UnitError ? err.code : 'other';
  }
  return undefined;
}

describe('parseDuration (rclone fs.Duration)', () => {
  it('reads Go-style units, combinations and decimals', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('1m30.5s')).toBe(90_500);
    expect(parseDuration(' 30s ')).toBe(30_000);
  });

  it('reads a bare number as seconds', () => {
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('0.25')).toBe(250);
    expect(parseDuration('0')).toBe(0);
  });

  it('rejects garbage, negatives, unknown units and empty text', () => {
    for (const bad of ['', 'm', '5x', '-5m', '5m3', '1h 30m', '5 m', 'five', '-1']) expect(codeOf(() => parseDuration(bad))).toBe('bad-duration');
  });

  it('formats the short way and round-trips', () => {
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(400)).toBe('400ms');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90_500)).toBe('1m30.5s');
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 10 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});

describe('parseSize (rclone SizeSuffix)', () => {
  it('reads binary suffixes in every spelling', () => {
    expect(parseSize('128Mi')).toBe(128 * 2 ** 20);
    expect(parseSize('128M')).toBe(128 * 2 ** 20);
    expect(parseSize('128MiB')).toBe(128 * 2 ** 20);
    expect(parseSize('128m')).toBe(128 * 2 ** 20);
    expect(parseSize('1G')).toBe(2 ** 30);
    expect(parseSize('2T')).toBe(2 * 2 ** 40);
    expect(parseSize('1P')).toBe(2 ** 50);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('1.5Ki')).toBe(1536);
  });

  it('reads B as bytes, a bare number as KiB and off as -1', () => {
    expect(parseSize('100B')).toBe(100);
    expect(parseSize('100b')).toBe(100);
    expect(parseSize('10')).toBe(10 * 1024);
    expect(parseSize('0')).toBe(0);
    expect(parseSize('off')).toBe(-1);
    expect(parseSize('OFF')).toBe(-1);
  });

  it('rejects SI forms, unknown suffixes, negatives and garbage', () => {
    for (const bad of ['', 'MB', '128MB', '1X', '-1M', 'i', 'Mi', 'abc', '1 M']) expect(codeOf(() => parseSize(bad))).toBe('bad-size');
  });

  it('formats as rclone shows sizes and round-trips', () => {
    expect(formatSize(128 * 2 ** 20)).toBe('128Mi');
    expect(formatSize(-1)).toBe('off');
    expect(formatSize(0)).toBe('0');
    expect(formatSize(1536)).toBe('1.5Ki');
    expect(formatSize(1025 * 1024)).toBe('1025Ki');
    expect(formatSize(512)).toBe('512B');
    expect(formatSize(2 ** 30)).toBe('1Gi');
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), (bytes) => parseSize(formatSize(bytes)) === bytes));
  });
});

describe('parseBool and parseInteger', () => {
  it('accepts exactly Go strconv.ParseBool words', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseBool(f)).toBe(false);
    for (const bad of ['yes', 'no', 'tRuE', '']) expect(codeOf(() => parseBool(bad))).toBe('bad-bool');
  });

  it('parses whole numbers only', () => {
    expect(parseInteger('4')).toBe(4);
    expect(parseInteger('-3')).toBe(-3);
    for (const bad of ['4.5', '', 'x', '1e3', '99999999999999999999']) expect(codeOf(() => parseInteger(bad))).toBe('bad-int');
  });
});
