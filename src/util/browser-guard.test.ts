import { describe, expect, it } from 'vitest';
import { createBrowserGuard, guardRequest, isCrossOrigin, normalizeHostName, normalizeOrigin, type BrowserGuardOptions, type GuardVerdict } from './browser-guard.ts';

const CORS = { methods: ['OPTIONS', 'GET', 'PUT'], requestHeaders: ['Depth', 'Destination'], exposeHeaders: ['ETag', 'DAV'] };
const WRITES = ['PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPPATCH', 'LOCK', 'UNLOCK', 'POST'];
const READS = ['GET', 'HEAD', 'PROPFIND', 'OPTIONS'];
const HOST = '127.0.0.1:8080';
const OWN = 'http://127.0.0.1:8080';

function check(opts: Partial<BrowserGuardOptions>, method: string, headers: Record<string, string>, target = '/f.txt'): GuardVerdict {
  const guard = createBrowserGuard({ loopbackBind: true, authenticated: false, ...opts });
  return guard.check(guardRequest({ method, url: target, headers: { host: HOST, ...lower(headers) } }));
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

const status = (v: GuardVerdict): number => (v.ok ? 200 : v.status);
const corsHeaderNames = (v: GuardVerdict): string[] => Object.keys(v.headers).filter((k) => k.toLowerCase().startsWith('access-control-'));

describe('normalizeOrigin and normalizeHostName', () => {
  const canonical: [(v: string) => string | undefined, string, string][] = [
    [normalizeOrigin, 'http://localhost:3000', 'http://localhost:3000'],
    [normalizeOrigin, 'HTTP://LocalHost:3000/', 'http://localhost:3000'],
    [normalizeOrigin, 'https://drive.example.com:443', 'https://drive.example.com'],
    [normalizeOrigin, 'http://[::1]:8080', 'http://[::1]:8080'],
    [normalizeHostName, 'Drive.Example.COM', 'drive.example.com'],
    [normalizeHostName, '10.0.0.5', '10.0.0.5'],
    [normalizeHostName, '::1', '[::1]'],
    [normalizeHostName, '[FE80::1]', '[fe80::1]'],
    [normalizeHostName, 'nas.local.', 'nas.local.'],
  ];

  it('give the canonical form: scheme://host[:port] without default port; lower-case names, IPv6 in brackets', () => {
    for (const [fn, input, output] of canonical) expect([fn.name, input, fn(input)]).toEqual([fn.name, input, output]);
  });

  it('refuse what is not an http(s) origin, or not a host name without port', () => {
    const origins = ['*', 'null', '', 'localhost:3000', 'ftp://x', 'http://x/path', 'http://x?q', 'http://u@x', 'file:///etc', 'http://', 'http://a b'];
    for (const bad of origins) expect([bad, normalizeOrigin(bad)]).toEqual([bad, undefined]);
    for (const bad of ['x:80', 'x/y', 'u@x', '*.example.com', '', 'a b', '-x', '[nothex]', 'x..y']) expect([bad, normalizeHostName(bad)]).toEqual([bad, undefined]);
  });
});

describe('createBrowserGuard options', () => {
  it('canonicalises the listed origins and host names, and refuses what is neither', () => {
    expect(status(check({ allowOrigins: ['HTTP://LOCALHOST:3000/'] }, 'PUT', { origin: 'http://localhost:3000' }))).toBe(200);
    expect(status(check({ allowHosts: ['Drive.Example.com'] }, 'GET', { host: 'drive.example.com' }))).toBe(200);
    expect(() => createBrowserGuard({ loopbackBind: true, authenticated: false, allowOrigins: ['*'] })).toThrow(expect.objectContaining({ code: 'ERR_BAD_ORIGIN' }));
    expect(() => createBrowserGuard({ loopbackBind: true, authenticated: false, allowHosts: ['x:80'] })).toThrow(expect.objectContaining({ code: 'ERR_BAD_HOST' }));
  });
});

describe('the Host check on a loopback address', () => {
  it('answers the loopback names with or without port', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:8080', 'localhost', 'LOCALHOST:1', '[::1]', '[::1]:8080', '127.5.6.7:9', '[::ffff:127.0.0.1]:80']) {
      expect([host, status(check({}, 'GET', { host }))]).toEqual([host, 200]);
    }
  });

  it('answers a request without Host (HTTP/1.0)', () => {
    const guard = createBrowserGuard({ loopbackBind: true, authenticated: false });
    expect(guard.check(guardRequest({ method: 'GET', url: '/', headers: {} })).ok).toBe(true);
  });

  it('refuses every other name with 421 and a reason naming it, for every method', () => {
    for (const host of ['evil.test', 'evil.test:8080', '192.168.1.5:8080', '[::2]', 'localhost.', 'a.localhost', '0.0.0.0:8080', 'a b', 'x@127.0.0.1']) {
      for (const method of [...READS, ...WRITES]) {
        const v = check({}, method, { host });
        expect([host, method, status(v)]).toEqual([host, method, 421]);
      }
    }
    const v = check({}, 'GET', { host: 'evil.test:8080' });
    expect(!v.ok && v.reason).toMatch(/"evil\.test".*DNS rebinding.*--allow-host/);
  });

  it('answers the --allow-host names, any case, any port', () => {
    const opts = { allowHosts: ['drive.example.com', '[fe80::1]'] };
    for (const host of ['drive.example.com', 'DRIVE.example.com:443', '[fe80::1]:8080', '127.0.0.1']) expect([host, status(check(opts, 'PUT', { host }))]).toEqual([host, 200]);
    expect(status(check(opts, 'GET', { host: 'other.example.com' }))).toBe(421);
  });

  it('checks the authority of an absolute-form request target too', () => {
    expect(status(check({}, 'GET', {}, 'http://evil.test:8080/f.txt'))).toBe(421);
    expect(status(check({}, 'GET', {}, 'http://user@evil.test/f.txt'))).toBe(421);
    expect(status(check({}, 'GET', {}, 'http://127.0.0.1:8080/f.txt'))).toBe(200);
  });

  it('never echoes control characters or more than 100 characters of a bad Host', () => {
    const v = check({}, 'GET', { host: `${'e'.repeat(300)}.test` });
    expect(!v.ok && v.reason.length).toBeLessThan(400);
    const guard = createBrowserGuard({ loopbackBind: true, authenticated: false });
    const w = guard.check(guardRequest({ method: 'GET', url: '/', headers: { host: 'evil\u0007\u00e9.test' } }));
    expect(!w.ok && w.reason).toContain('"evil??.test"');
  });
});

describe('the Host check on a non-loopback address', () => {
  it('with users and no --allow-host: every name is answered', () => {
    for (const host of ['evil.test', 'nas.local:8080', '10.0.0.5']) expect(status(check({ loopbackBind: false, authenticated: true }, 'GET', { host }))).toBe(200);
  });

  it('with users and --allow-host: those names, loopback names and IP literals only', () => {
    const opts = { loopbackBind: false, authenticated: true, allowHosts: ['drive.example.com'] };
    for (const host of ['drive.example.com', 'localhost:8080', '10.0.0.5:8080', '[fe80::1]:8080', '127.0.0.1']) expect([host, status(check(opts, 'GET', { host }))]).toEqual([host, 200]);
    expect(status(check(opts, 'GET', { host: 'evil.test' }))).toBe(421);
  });

  it('anonymous: loopback names, IP literals and --allow-host names only (rebinding would open it to any site)', () => {
    const opts = { loopbackBind: false, authenticated: false };
    for (const host of ['192.168.1.5:8080', '[2001:db8::1]:8080', 'localhost']) expect([host, status(check(opts, 'GET', { host }))]).toEqual([host, 200]);
    expect(status(check(opts, 'GET', { host: 'nas.local:8080' }))).toBe(421);
    expect(status(check({ ...opts, allowHosts: ['nas.local'] }, 'GET', { host: 'nas.local:8080' }))).toBe(200);
  });
});

describe('cross-site requests', () => {
  it('serves requests without Origin or Sec-Fetch-Site (DAV clients), every method', () => {
    for (const method of [...READS, ...WRITES]) expect(check({}, method, {})).toEqual({ ok: true, headers: {} });
  });

  it('serves same-origin requests, every method, whatever the scheme the proxy saw', () => {
    for (const method of [...READS, ...WRITES]) {
      expect(status(check({}, method, { origin: OWN, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }))).toBe(200);
      expect(status(check({}, method, { origin: 'https://127.0.0.1:8080' }))).toBe(200);
    }
    expect(status(check({}, 'PUT', { origin: 'http://[::1]:8080', host: '[::1]:8080' }))).toBe(200);
    expect(status(check({}, 'PUT', { origin: 'http://127.0.0.1', host: '127.0.0.1' }))).toBe(200);
    expect(status(check({}, 'PUT', { origin: 'http://127.0.0.1', host: '127.0.0.1:80' }))).toBe(200);
    expect(status(check({}, 'PUT', { origin: 'https://drive.example.com', host: 'drive.example.com' }, '/'))).toBe(421);
    expect(status(check({ allowHosts: ['drive.example.com'] }, 'PUT', { origin: 'https://drive.example.com', host: 'drive.example.com' }))).toBe(200);
  });

  it('refuses a foreign, "null", malformed or other-port Origin with 403, reads and writes alike', () => {
    const origins = ['https://evil.example', 'null', 'http://127.0.0.1:9999', 'http://localhost:8080', 'http://127.0.0.1:8080/x', 'garbage', 'http://127.0.0.1:8080, http://evil.example'];
    for (const origin of origins) {
      for (const method of [...READS, ...WRITES]) {
        const v = check({}, method, { origin });
        expect([origin, method, status(v)]).toEqual([origin, method, 403]);
        expect(corsHeaderNames(v)).toEqual([]);
      }
    }
    const v = check({}, 'DELETE', { origin: 'https://evil.example' });
    expect(!v.ok && v.reason).toMatch(/cross-site request refused: DELETE from origin https:\/\/evil\.example/);
  });

  it('judges Sec-Fetch-Site: none and same-origin pass, same-site and cross-site are refused', () => {
    for (const method of [...READS, ...WRITES]) {
      expect(status(check({}, method, { 'sec-fetch-site': 'none' }))).toBe(200);
      expect(status(check({}, method, { 'sec-fetch-site': 'same-origin' }))).toBe(200);
      for (const site of ['same-site', 'cross-site', 'bogus']) expect([site, method, status(check({}, method, { 'sec-fetch-site': site }))]).toEqual([site, method, 403]);
    }
  });

  it('refuses a same-origin Origin that Sec-Fetch-Site contradicts (a cross-site redirect)', () => {
    expect(status(check({}, 'PUT', { origin: OWN, 'sec-fetch-site': 'cross-site' }))).toBe(403);
  });

  it('lets a top-level GET navigation through (a link), but not embedding, framing or a form POST', () => {
    for (const site of ['cross-site', 'same-site']) {
      expect(status(check({}, 'GET', { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }))).toBe(200);
      expect(status(check({}, 'GET', { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' }))).toBe(200);
      for (const dest of ['iframe', 'frame', 'object', 'embed']) expect(status(check({}, 'GET', { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': dest }))).toBe(403);
      for (const [mode, dest] of [['no-cors', 'image'], ['no-cors', 'video'], ['no-cors', 'script'], ['cors', 'empty'], ['no-cors', 'empty']]) {
        expect([mode, dest, status(check({}, 'GET', { 'sec-fetch-site': site, 'sec-fetch-mode': mode!, 'sec-fetch-dest': dest! }))]).toEqual([mode, dest, 403]);
      }
      expect(status(check({}, 'POST', { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', origin: 'https://evil.example' }))).toBe(403);
      expect(status(check({}, 'HEAD', { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' }))).toBe(403);
    }
  });
});

describe('CORS', () => {
  const allowed = { allowOrigins: ['http://localhost:3000'], cors: CORS };
  /** The headers every answer to the listed origin carries. */
  const echoed = { Vary: 'Origin', 'Access-Control-Allow-Origin': 'http://localhost:3000', 'Access-Control-Allow-Credentials': 'true' };

  it('sends no Access-Control header and no Vary by default, even to a preflight', () => {
    expect(check({ cors: CORS }, 'GET', {})).toEqual({ ok: true, headers: {} });
    const pre = check({ cors: CORS }, 'OPTIONS', { origin: 'http://localhost:3000', 'access-control-request-method': 'PUT' });
    expect(status(pre)).toBe(403);
    expect(pre.headers).toEqual({});
  });

  it('echoes a listed origin with credentials and the exposed headers, for every method', () => {
    for (const method of [...READS, ...WRITES]) {
      const v = check(allowed, method, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' });
      expect(v).toEqual({ ok: true, headers: { ...echoed, 'Access-Control-Expose-Headers': 'ETag, DAV' } });
    }
  });

  it('answers a preflight of a listed origin with the methods, request headers and a max age', () => {
    const v = check(allowed, 'OPTIONS', { origin: 'http://localhost:3000', 'access-control-request-method': 'PROPFIND', 'access-control-request-headers': 'depth' });
    expect(v).toEqual({
      ok: true,
      headers: {
        ...echoed,
        'Access-Control-Allow-Methods': 'OPTIONS, GET, PUT',
        'Access-Control-Allow-Headers': 'Depth, Destination',
        'Access-Control-Max-Age': '600',
      },
    });
  });

  it('never answers another origin with CORS headers, and says Vary: Origin to every answer', () => {
    for (const origin of ['http://localhost:3001', 'https://localhost:3000', 'null']) {
      const v = check(allowed, 'GET', { origin });
      expect(status(v)).toBe(403);
      expect(v.headers).toEqual({ Vary: 'Origin' });
    }
    expect(check(allowed, 'GET', {})).toEqual({ ok: true, headers: { Vary: 'Origin' } });
    expect(check(allowed, 'GET', { host: 'evil.test' }).headers).toEqual({ Vary: 'Origin' });
  });

  it('still refuses no-cors embedding from a listed origin (no Origin is sent)', () => {
    expect(status(check(allowed, 'GET', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }))).toBe(403);
  });

  it('never lets a listed origin past the Host check', () => {
    expect(status(check(allowed, 'GET', { origin: 'http://localhost:3000', host: 'evil.test:8080' }))).toBe(421);
  });
});

describe('isCrossOrigin (the same judgement, for a front end that serves its own page only)', () => {
  const judged = (headers: Record<string, string>): boolean => isCrossOrigin(guardRequest({ method: 'POST', url: '/', headers: { host: HOST, ...lower(headers) } }));

  it('is false without Origin or Sec-Fetch-Site, and for this very origin', () => {
    expect(judged({})).toBe(false);
    expect(judged({ origin: OWN, 'sec-fetch-site': 'same-origin' })).toBe(false);
    expect(judged({ origin: 'https://127.0.0.1:8080' })).toBe(false);
    expect(judged({ 'sec-fetch-site': 'none' })).toBe(false);
  });

  it('is true for any other origin, listed or not, and whenever Sec-Fetch-Site says another site', () => {
    const foreign: Record<string, string>[] = [{ origin: 'http://localhost:3000' }, { origin: 'null' }, { origin: 'http://127.0.0.1:8081' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }, { origin: OWN, 'sec-fetch-site': 'cross-site' }];
    for (const headers of foreign) {
      expect([headers, judged(headers)]).toEqual([headers, true]);
    }
  });

  it('agrees with the guard on every request the guard judges by origin', () => {
    const cases: Record<string, string>[] = [{}, { origin: OWN }, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'none' }];
    for (const headers of cases) {
      expect([headers, status(check({}, 'POST', headers)) === 403]).toEqual([headers, judged(headers)]);
    }
  });
});
