import { describe, expect, it } from 'vitest';
import { createStreamGc, type GcFn } from './gc-hint.ts';

describe('createStreamGc', () => {
  it('runs a young-generation collection each time the streamed bytes pass the threshold', () => {
    const calls: Parameters<GcFn>[0][] = [];
    const count = createStreamGc((o) => calls.push(o), 100);
    count(60);
    expect(calls).toEqual([]);
    count(60); // 120: one collection, 20 carried over
    expect(calls).toEqual([{ type: 'minor' }]);
    count(70); // 90
    expect(calls).toHaveLength(1);
    count(10); // 100
    expect(calls).toHaveLength(2);
  });

  it('runs a full collection instead every majorEvery-th time', () => {
    const calls: string[] = [];
    const count = createStreamGc((o) => calls.push(o?.type ?? 'full'), 10, 3);
    for (let i = 0; i < 7; i++) count(10);
    expect(calls).toEqual(['minor', 'minor', 'full', 'minor', 'minor', 'full', 'minor']);
  });

  it('does nothing without an exposed collector', () => {
    const count = createStreamGc(undefined, 1);
    expect(() => count(1e9)).not.toThrow();
  });
});
