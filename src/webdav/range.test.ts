import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import {
  contentRange,
  multipartByteranges,
  parseRange,
  randomBoundary,
  unsatisfiedRange,
} from './range.ts';
import { assertSpan, spanLength } from '../core/span.ts';

const ranges = (...rs: [number, number][]) => ({ kind: 'ranges', ranges: rs.map(([start, end]) => ({ start, end })) });

describe('parseRange', () => {
  it('answers none without a header', () => {
    expect(parseRange(undefined, 1000)).toEqual({ kind: 'none' });
  });

  it('echoes a closed range exactly (rclone strict check)', () => {
    expect(parseRange('bytes=100-199', 1000)).toEqual(ranges([100, 199]));
    expect(parseRange('bytes=0-0', 1000)).toEqual(ranges([0, 0]));
    expect(parseRange('bytes=999-999', 1000)).toEqual(ranges([999, 999]));
    expect(parseRange('bytes=0-999', 1000)).toEqual(ranges([0, 999]));
  });

  it('handles open and suffix ranges', () => {
    expect(parseRange('bytes=100-', 1000)).toEqual(ranges([100, 999]));
    expect(parseRange('bytes=0-', 1000)).toEqual(ranges([0, 999]));
    expect(parseRange('bytes=-1', 1000)).toEqual(ranges([999, 999]));
    expect(parseRange('bytes=-100', 1000)).toEqual(ranges([900, 999]));
    expect(parseRange('bytes=-5000', 1000)).toEqual(ranges([0, 999]));
  });

  it('clamps an end beyond the size', () => {
    expect(parseRange('bytes=500-5000', 1000)).toEqual(ranges([500, 999]));
    expect(parseRange('bytes=0-99999999999999999999', 1000)).toEqual(ranges([0, 999]));
  });

  it('reports unsatisfiable ranges', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=1000-2000', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=2000-3000, 1500-', 1000)).toEqual({ kind: 'unsatisfiable' });
  });

  it('treats every range on an empty representation as unsatisfiable', () => {
    for (const h of ['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-0', 'bytes=0-10,-5']) {
      expect(parseRange(h, 0)).toEqual({ kind: 'unsatisfiable' });
    }
  });

  it('drops unsatisfiable members of a satisfiable set', () => {
    expect(parseRange('bytes=0-9, 5000-6000', 1000)).toEqual(ranges([0, 9]));
    expect(parseRange('bytes=-0, 10-19', 1000)).toEqual(ranges([10, 19]));
  });

  it('accepts several ranges in request order', () => {
    expect(parseRange('bytes=0-9,20-29,-10', 1000)).toEqual(ranges([0, 9], [20, 29], [990, 999]));
    expect(parseRange('bytes=500-599,0-9', 1000)).toEqual(ranges([500, 599], [0, 9]));
  });

  it('tolerates whitespace and empty list members', () => {
    expect(parseRange('bytes = 0-9 , 20 - 29', 1000)).toEqual(ranges([0, 9], [20, 29]));
    expect(parseRange('bytes=\t100-199\t', 1000)).toEqual(ranges([100, 199]));
    expect(parseRange('bytes=,0-9,,20-29,', 1000)).toEqual(ranges([0, 9], [20, 29]));
    expect(parseRange('bytes= - 10', 1000)).toEqual(ranges([990, 999]));
  });

  it('matches the unit case-insensitively', () => {
    expect(parseRange('Bytes=1-2', 1000)).toEqual(ranges([1, 2]));
    expect(parseRange('BYTES=1-2', 1000)).toEqual(ranges([1, 2]));
  });

  it('ignores other units and bogus syntax', () => {
    const bogus = [
      'items=0-9',
      'bytes',
      'bytes=',
      'bytes=,',
      'bytes=abc',
      'bytes=5',
      'bytes=-',
      'bytes=--5',
      'bytes=1-2-3',
      'bytes=+1-2',
      'bytes=1.5-2',
      'bytes=0x10-20',
      'bytes=10-5',
      'bytes=0-9,10-5',
      'bytes=0-9,x',
      '=0-9',
      'bytes 0-9',
      'bytes=1 0-20',
      '',
    ];
    for (const h of bogus) expect(parseRange(h, 1000), h).toEqual({ kind: 'ignore' });
  });

  it('prefers ignore over unsatisfiable when the syntax is invalid', () => {
    expect(parseRange('bytes=2000-,9-1', 1000)).toEqual({ kind: 'ignore' });
    expect(parseRange('bytes=5-1', 0)).toEqual({ kind: 'ignore' });
  });

  it('merges neighbours that overlap or touch', () => {
    expect(parseRange('bytes=0-9,10-19', 1000)).toEqual(ranges([0, 19]));
    expect(parseRange('bytes=0-50,20-30', 1000)).toEqual(ranges([0, 50]));
    expect(parseRange('bytes=500-600,0-1000', 1000)).toEqual(ranges([0, 999]));
    expect(parseRange('bytes=0-9,11-19', 1000)).toEqual(ranges([0, 9], [11, 19]));
  });

  it('sorts and merges a set with overlaps, so no byte is sent twice', () => {
    expect(parseRange('bytes=0-599,800-899,400-799', 1000)).toEqual(ranges([0, 899]));
    expect(parseRange('bytes=100-199,300-399,150-250', 1000)).toEqual(ranges([100, 250], [300, 399]));
    expect(parseRange('bytes=900-999,0-9,5-6', 1000)).toEqual(ranges([0, 9], [900, 999]));
    expect(parseRange('bytes=-10,0-9,5-6', 1000)).toEqual(ranges([0, 9], [990, 999]));
  });

  it('keeps 16 ranges and collapses 17', () => {
    const spec = (n: number) => Array.from({ length: n }, (_, i) => `${i * 10}-${i * 10 + 4}`).join(',');
    const r16 = parseRange(`bytes=${spec(16)}`, 1000);
    expect(r16.kind === 'ranges' && r16.ranges.length).toBe(16);
    expect(parseRange(`bytes=${spec(17)}`, 1000)).toEqual(ranges([0, 164]));
    const r3 = parseRange(`bytes=${spec(3)}`, 1000, { maxRanges: 2 });
    expect(r3).toEqual(ranges([0, 24]));
  });

  it('survives a very long header', () => {
    const h = 'bytes=' + Array.from({ length: 5000 }, (_, i) => `${i * 2}-${i * 2}`).join(',');
    expect(parseRange(h, 100_000)).toEqual(ranges([0, 9998]));
  });
});

describe('the edge validates once: every span it returns is inside the representation', () => {
  it('for any Range header and any size, each range passes assertSpan (what the layers below rely on)', () => {
    const spec = fc.oneof(
      fc.tuple(fc.nat(2000), fc.option(fc.nat(2000), { nil: undefined })).map(([a, b]) => `${a}-${b ?? ''}`),
      fc.nat(2000).map((n) => `-${n}`),
      fc.string({ maxLength: 6 }),
    );
    const header = fc.array(spec, { minLength: 1, maxLength: 20 }).map((specs) => `bytes=${specs.join(',')}`);
    fc.assert(
      fc.property(header, fc.nat(1500), (h, size) => {
        const result = parseRange(h, size);
        if (result.kind !== 'ranges') return;
        for (const r of result.ranges) assertSpan(r, size, 'f');
      }),
    );
  });
});

describe('Content-Range values', () => {
  it('formats a satisfied range and an unsatisfied one', () => {
    expect(contentRange({ start: 100, end: 199 }, 1000)).toBe('bytes 100-199/1000');
    expect(unsatisfiedRange(1000)).toBe('bytes */1000');
    expect(unsatisfiedRange(0)).toBe('bytes */0');
    expect(spanLength({ start: 100, end: 199 })).toBe(100);
  });
});

describe('multipartByteranges', () => {
  it('frames parts with an exact Content-Length', () => {
    const data = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const rs = [
      { start: 0, end: 9 },
      { start: 50, end: 59 },
      { start: 99, end: 99 },
    ];
    const m = multipartByteranges(rs, data.length, 'video/mp4', 'THIS_STRING_SEPARATES');
    expect(m.contentType).toBe('multipart/byteranges; boundary=THIS_STRING_SEPARATES');
    expect(m.parts[0]!.header).toBe(
      '--THIS_STRING_SEPARATES\r\nContent-Type: video/mp4\r\nContent-Range: bytes 0-9/100\r\n\r\n',
    );
    expect(m.parts[1]!.header.startsWith('\r\n--THIS_STRING_SEPARATES\r\n')).toBe(true);
    expect(m.trailer).toBe('\r\n--THIS_STRING_SEPARATES--\r\n');
    const body = Buffer.concat([
      ...m.parts.flatMap((p) => [Buffer.from(p.header), data.subarray(p.range.start, p.range.end + 1)]),
      Buffer.from(m.trailer),
    ]);
    expect(body.length).toBe(m.contentLength);
    const text = body.toString('latin1');
    expect(text.split('--THIS_STRING_SEPARATES').length).toBe(5);
    expect(text).toContain('Content-Range: bytes 50-59/100\r\n\r\n' + data.subarray(50, 60).toString('latin1'));
  });

  it('uses a random hex boundary and octet-stream by default', () => {
    const m = multipartByteranges([{ start: 0, end: 0 }], 10);
    expect(m.boundary).toMatch(/^[0-9a-f]{32}$/);
    expect(m.parts[0]!.header).toContain('Content-Type: application/octet-stream\r\n');
    expect(randomBoundary()).not.toBe(randomBoundary());
  });

  it('refuses empty range lists, bad boundaries and header injection', () => {
    expect(() => multipartByteranges([], 10)).toThrow(TypeError);
    expect(() => multipartByteranges([{ start: 0, end: 0 }], 10, 'text/plain', 'a b')).toThrow(TypeError);
    expect(() => multipartByteranges([{ start: 0, end: 0 }], 10, 'text/plain', 'x'.repeat(71))).toThrow(TypeError);
    expect(() => multipartByteranges([{ start: 0, end: 0 }], 10, 'text/plain\r\nX-Evil: 1')).toThrow(TypeError);
  });
});
