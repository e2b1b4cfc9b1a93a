import { describe, expect, it } from 'vitest';
import { memoBySecond } from './memo-by-second.ts';

describe('memoBySecond', () => {
  it('formats by whole second, calls the formatter once per second, and stays bounded', () => {
    let calls = 0;
    const f = memoBySecond((ms) => {
      calls++;
      return new Date(ms).toISOString();
    }, 3);
    expect(f(1_700_000_000_123)).toBe('2023-11-14T22:13:20.000Z');
    expect(f(1_700_000_000_999)).toBe('2023-11-14T22:13:20.000Z');
    expect(calls).toBe(1);
    expect(f(-1)).toBe('1969-12-31T23:59:59.000Z');
    for (let i = 0; i < 10; i++) f(i * 1000);
    expect(calls).toBe(12);
    expect(f(9000)).toBe('1970-01-01T00:00:09.000Z');
    expect(calls).toBe(12);
  });
});
