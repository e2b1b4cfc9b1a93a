import { describe, it, expect } from 'vitest';
import { jsonErrorPosition } from './json-locate.ts';

describe('jsonErrorPosition', () => {
  it('returns undefined for valid JSON', () => {
    for (const ok of ['{}', ' [1, -2.5e3, "a\\u00e9\\n", true, false, null, {"x": []}] ', '"s"', '0']) {
      expect(JSON.parse(ok) !== Symbol()).toBe(true);
      expect(jsonErrorPosition(ok)).toBeUndefined();
    }
  });

  it('points at the offending character, 1-based', () => {
    expect(jsonErrorPosition('{"a": }')).toEqual({ line: 1, column: 7, offset: 6 });
    expect(jsonErrorPosition('{\n  "a": 1\n  "b": 2\n}')).toEqual({ line: 3, column: 3, offset: 13 });
    expect(jsonErrorPosition('{"a": 1,}')?.column).toBe(9);
    expect(jsonErrorPosition('{"a": tru}')?.column).toBe(10);
    expect(jsonErrorPosition('{} x')?.column).toBe(4);
    expect(jsonErrorPosition("{'a': 1}")?.column).toBe(2);
    expect(jsonErrorPosition('{"a": 01}')?.column).toBe(8);
    expect(jsonErrorPosition('{"a": "\\x"}')?.column).toBe(9);
  });

  it('points past the end for truncated text', () => {
    expect(jsonErrorPosition('')).toEqual({ line: 1, column: 1, offset: 0 });
    expect(jsonErrorPosition('{"a": "x')).toEqual({ line: 1, column: 9, offset: 8 });
    expect(jsonErrorPosition('{\n"a": [1,')?.line).toBe(2);
  });

  it('agrees with JSON.parse on what is valid', () => {
    const samples = ['{"a":1}', '{"a":1', '[1,,2]', '[1 2]', '{"a" 1}', '"\u0001"', '-', '1.', '.5', '-0', '1e', 'nul', '{"a":{"b":[]}}'];
    for (const s of samples) {
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect(jsonErrorPosition(s) === undefined).toBe(valid);
    }
  });
});
