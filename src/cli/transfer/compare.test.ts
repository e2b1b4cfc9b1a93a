import { describe, expect, it } from 'vitest';
import { decide } from './compare.ts';
import type { Item } from './sides.ts';

const file = (size: number, modTime: number, whirlpool?: string): Item => ({ kind: 'file', size, modTime, ...(whirlpool ? { whirlpool } : {}) });
const never = async (): Promise<string> => {
  throw new Error('must not hash');
};

describe('decide', () => {
  it('transfers when the destination is missing, of another size, or a folder', async () => {
    expect(await decide(file(10, 0), undefined, 'default', never)).toBe('transfer');
    expect(await decide(file(10, 0), file(11, 0), 'default', never)).toBe('transfer');
    expect(await decide(file(10, 0), { kind: 'dir', size: 0, modTime: 0 }, 'default', never)).toBe('transfer');
  });

  it('skips equal sizes with modTimes within 1 s, without hashing', async () => {
    expect(await decide(file(10, 5000), file(10, 5999), 'default', never)).toBe('skip');
    expect(await decide(file(10, 5000), file(10, 4001), 'default', never)).toBe('skip');
  });

  it('compares whirlpools when modTimes differ: equal => touch, different => transfer', async () => {
    expect(await decide(file(10, 0), file(10, 9000, 'aa'), 'default', async () => 'aa')).toBe('touch');
    expect(await decide(file(10, 0, 'aa'), file(10, 9000), 'default', async () => 'bb')).toBe('transfer');
    expect(await decide(file(10, 0, 'aa'), file(10, 9000, 'aa'), 'default', never)).toBe('touch');
    expect(await decide(file(10, 0), file(10, 9000), 'default', never)).toBe('transfer');
  });

  it('--size-only skips equal sizes; --ignore-existing skips any destination', async () => {
    expect(await decide(file(10, 0), file(10, 9000), 'size-only', never)).toBe('skip');
    expect(await decide(file(10, 0), file(11, 9000), 'size-only', never)).toBe('transfer');
    expect(await decide(file(10, 0), file(99, 9000), 'ignore-existing', never)).toBe('skip');
    expect(await decide(file(10, 0), undefined, 'ignore-existing', never)).toBe('transfer');
  });
});
