import { describe, it, expect } from 'vitest';
import { evaluatePreconditions, httpDate, ifRangeMatches, parseEntityTag, parseHttpDate } from './conditional.ts';

const T = Date.UTC(1994, 10, 6, 8, 49, 37); // Sun, 06 Nov 1994 08:49:37 GMT
const T_MS = T + 456; // sub-second part that HTTP-dates cannot carry
const DATE = 'Sun, 06 Nov 1994 08:49:37 GMT';
const BEFORE = 'Sun, 06 Nov 1994 08:49:36 GMT';
const AFTER = 'Sun, 06 Nov 1994 08:49:38 GMT';
const file = { exists: true, etag: '"v1"', lastModified: T_MS };
const missing = { exists: false };
const ok = { ok: true };
const fail = (status: 304 | 412) => ({ ok: false, status });

describe('httpDate / parseHttpDate', () => {
  it('formats an IMF-fixdate', () => {
    expect(httpDate(T_MS)).toBe(DATE);
    expect(httpDate(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('parses the three HTTP-date forms', () => {
    expect(parseHttpDate(DATE)).toBe(T);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(2025, 0, 1))).toBe(T);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(T);
    expect(parseHttpDate('Sun Nov 16 08:49:37 1994')).toBe(Date.UTC(1994, 10, 16, 8, 49, 37));
    expect(parseHttpDate('  sun, 06 nov 1994 08:49:37 gmt ')).toBe(T);
  });

  it('places two-digit years within 50 years of now', () => {
    const now = Date.UTC(2025, 5, 1);
    expect(parseHttpDate('Monday, 01-Jan-30 00:00:00 GMT', now)).toBe(Date.UTC(2030, 0, 1));
    expect(parseHttpDate('Monday, 01-Jan-75 00:00:00 GMT', now)).toBe(Date.UTC(2075, 0, 1));
    expect(parseHttpDate('Monday, 01-Jan-76 00:00:00 GMT', now)).toBe(Date.UTC(1976, 0, 1));
  });

  it('round-trips', () => {
    for (const ms of [0, T, Date.UTC(2038, 0, 19, 3, 14, 8), Date.UTC(2100, 1, 28, 23, 59, 59)]) {
      expect(parseHttpDate(httpDate(ms))).toBe(ms);
    }
  });

  it('reads a leap second as :59', () => {
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59));
  });

  it('rejects invalid dates', () => {
    const bad = [
      '',
      'yesterday',
      '784111777',
      '1994-11-06T08:49:37Z',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 00 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 06 Nov 1994 08:60:00 GMT',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      'Xyz, 06 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 0094 08:49:37 GMT',
      `${DATE}, ${DATE}`,
    ];
    for (const d of bad) expect(parseHttpDate(d), d).toBeUndefined();
  });
});

describe('parseEntityTag', () => {
  it('parses strong and weak tags', () => {
    expect(parseEntityTag('"abc"')).toEqual({ weak: false, opaque: 'abc' });
    expect(parseEntityTag('W/"abc"')).toEqual({ weak: true, opaque: 'abc' });
    expect(parseEntityTag('""')).toEqual({ weak: false, opaque: '' });
  });

  it('rejects malformed tags', () => {
    for (const t of ['abc', '"abc', 'w/"abc"', 'W/abc', '"a"b"', '"a b"']) expect(parseEntityTag(t), t).toBeUndefined();
  });
});

describe('evaluatePreconditions: If-Match', () => {
  it('passes on a strong match and fails otherwise', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v1"' }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v0", "v1"' }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v2"' }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'GET', ifMatch: '"v2"' }, file)).toEqual(fail(412));
  });

  it('uses the strong comparison: weak tags never match', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: 'W/"v1"' }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v1"' }, { ...file, etag: 'W/"v1"' })).toEqual(fail(412));
  });

  it('handles * by existence', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '*' }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '*' }, missing)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v1"' }, missing)).toEqual(fail(412));
  });

  it('fails on junk and on a resource without an etag', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: 'v1' }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '' }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v1"' }, { exists: true })).toEqual(fail(412));
  });

  it('finds a tag containing a comma', () => {
    const res = { exists: true, etag: '"a,b"' };
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"x", "a,b"' }, res)).toEqual(ok);
  });

  it('takes precedence over If-Unmodified-Since', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v1"', ifUnmodifiedSince: BEFORE }, file)).toEqual(ok);
  });
});

describe('evaluatePreconditions: If-Unmodified-Since', () => {
  it('compares at second precision', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifUnmodifiedSince: DATE }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifUnmodifiedSince: AFTER }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifUnmodifiedSince: BEFORE }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'DELETE', ifUnmodifiedSince: BEFORE }, file)).toEqual(fail(412));
  });

  it('is ignored when invalid, when the date is unknown or the resource is missing', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifUnmodifiedSince: 'garbage' }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifUnmodifiedSince: BEFORE }, { exists: true })).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT', ifUnmodifiedSince: BEFORE }, missing)).toEqual(ok);
  });
});

describe('evaluatePreconditions: If-None-Match', () => {
  it('answers 304 for GET/HEAD and 412 otherwise on a weak match', () => {
    expect(evaluatePreconditions({ method: 'GET', ifNoneMatch: '"v1"' }, file)).toEqual(fail(304));
    expect(evaluatePreconditions({ method: 'head', ifNoneMatch: 'W/"v1"' }, file)).toEqual(fail(304));
    expect(evaluatePreconditions({ method: 'GET', ifNoneMatch: '"v0", W/"v1"' }, file)).toEqual(fail(304));
    expect(evaluatePreconditions({ method: 'PUT', ifNoneMatch: '"v1"' }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'GET', ifNoneMatch: '"v2"' }, file)).toEqual(ok);
  });

  it('implements create-only PUT with *', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifNoneMatch: '*' }, file)).toEqual(fail(412));
    expect(evaluatePreconditions({ method: 'PUT', ifNoneMatch: '*' }, missing)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'GET', ifNoneMatch: '*' }, file)).toEqual(fail(304));
  });

  it('overrides If-Modified-Since', () => {
    expect(evaluatePreconditions({ method: 'GET', ifNoneMatch: '"v2"', ifModifiedSince: AFTER }, file)).toEqual(ok);
  });

  it('is evaluated after a passing If-Match', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifMatch: '"v1"', ifNoneMatch: '*' }, file)).toEqual(fail(412));
  });
});

describe('evaluatePreconditions: If-Modified-Since', () => {
  it('answers 304 when not modified since, at second precision', () => {
    expect(evaluatePreconditions({ method: 'GET', ifModifiedSince: DATE }, file)).toEqual(fail(304));
    expect(evaluatePreconditions({ method: 'HEAD', ifModifiedSince: AFTER }, file)).toEqual(fail(304));
    expect(evaluatePreconditions({ method: 'GET', ifModifiedSince: BEFORE }, file)).toEqual(ok);
  });

  it('applies to GET and HEAD only', () => {
    expect(evaluatePreconditions({ method: 'PUT', ifModifiedSince: AFTER }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PROPFIND', ifModifiedSince: AFTER }, file)).toEqual(ok);
  });

  it('is ignored when invalid, undated or missing', () => {
    expect(evaluatePreconditions({ method: 'GET', ifModifiedSince: 'nope' }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'GET', ifModifiedSince: AFTER }, { exists: true, etag: '"x"' })).toEqual(ok);
    expect(evaluatePreconditions({ method: 'GET', ifModifiedSince: AFTER }, missing)).toEqual(ok);
  });
});

describe('evaluatePreconditions without conditions', () => {
  it('passes', () => {
    expect(evaluatePreconditions({ method: 'GET' }, file)).toEqual(ok);
    expect(evaluatePreconditions({ method: 'PUT' }, missing)).toEqual(ok);
  });
});

describe('ifRangeMatches', () => {
  it('is true without the header', () => {
    expect(ifRangeMatches(undefined, '"v1"', T)).toBe(true);
    expect(ifRangeMatches(undefined, undefined)).toBe(true);
  });

  it('needs a strong etag match', () => {
    expect(ifRangeMatches('"v1"', '"v1"', T)).toBe(true);
    expect(ifRangeMatches(' "v1" ', '"v1"', T)).toBe(true);
    expect(ifRangeMatches('"v2"', '"v1"', T)).toBe(false);
    expect(ifRangeMatches('W/"v1"', '"v1"', T)).toBe(false);
    expect(ifRangeMatches('"v1"', 'W/"v1"', T)).toBe(false);
    expect(ifRangeMatches('"v1"', undefined, T)).toBe(false);
  });

  it('needs an exact date match at second precision', () => {
    expect(ifRangeMatches(DATE, '"v1"', T_MS)).toBe(true);
    expect(ifRangeMatches(AFTER, '"v1"', T_MS)).toBe(false);
    expect(ifRangeMatches(BEFORE, '"v1"', T_MS)).toBe(false);
    expect(ifRangeMatches(DATE, '"v1"', undefined)).toBe(false);
  });

  it('is false for garbage', () => {
    expect(ifRangeMatches('v1', '"v1"', T)).toBe(false);
    expect(ifRangeMatches('', '"v1"', T)).toBe(false);
  });
});
