import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDurationFlag } from './duration.ts';

describe('parseDurationFlag', () => {
  it('reads rclone durations and bare seconds', () => {
    expect(parseDurationFlag('10m')).toBe(600_000);
    expect(parseDurationFlag('1h30m')).toBe(5_400_000);
    expect(parseDurationFlag('250ms')).toBe(250);
    expect(parseDurationFlag('1.5s')).toBe(1500);
    expect(parseDurationFlag('7')).toBe(7000);
  });

  it('rejects anything else as a usage error', () => {
    for (const bad of ['', 'ten', '5x', '5m garbage', '-1s']) expect(() => parseDurationFlag(bad)).toThrow(InvalidArgumentError);
  });
});
