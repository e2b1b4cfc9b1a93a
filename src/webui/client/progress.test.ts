import { describe, expect, it } from 'vitest';
import { LineSplitter } from './ndjson.ts';
import { batchProgress, rateOf } from './progress.ts';
import { foldersOf } from './uploads.ts';

describe('batchProgress', () => {
  it('adds bytes of the items not cancelled; done counts whole, failed as far as it got', () => {
    const p = batchProgress([
      { size: 100, loaded: 100, state: 'done' },
      { size: 200, loaded: 50, state: 'running' },
      { size: 300, loaded: 120, state: 'failed' },
      { size: 400, loaded: 10, state: 'cancelled' },
      { size: 0, loaded: 0, state: 'queued' },
    ]);
    expect(p).toEqual({ total: 600, loaded: 270, fraction: 0.45, done: 1, failed: 1, cancelled: 1, active: 2 });
    expect(batchProgress([]).fraction).toBe(1);
    expect(batchProgress([{ size: 10, loaded: 99, state: 'running' }]).loaded).toBe(10);
  });

  it('computes a rate once samples span long enough', () => {
    expect(rateOf([{ at: 0, bytes: 0 }])).toBeUndefined();
    expect(rateOf([{ at: 0, bytes: 0 }, { at: 100, bytes: 10 }])).toBeUndefined();
    expect(rateOf([{ at: 0, bytes: 0 }, { at: 500, bytes: 1000 }, { at: 1000, bytes: 4000 }])).toBe(4000);
  });
});

describe('LineSplitter', () => {
  it('gives complete lines across chunk boundaries and the rest at the end', () => {
    const s = new LineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}\r\n\n')).toEqual(['{"b":2}']);
    expect(s.push('{"c":3}')).toEqual([]);
    expect(s.end()).toEqual(['{"c":3}']);
    expect(s.end()).toEqual([]);
  });
});

describe('foldersOf', () => {
  it('lists the folders a folder upload needs, parents first', () => {
    expect(foldersOf([{ rel: 'top/b/c.txt' }, { rel: 'top/a.txt' }, { rel: 'x.txt' }, { rel: 'top/b/d/e.txt' }])).toEqual(['top', 'top/b', 'top/b/d']);
  });
});
