import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createMetrics } from '../observe/metrics.ts';
import { createLogger } from '../util/log.ts';
import { systemClock } from '../util/clock.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import { basicAuth } from '../../test/support/dav-kit.ts';
import { createDavServer } from './index.ts';
import type { DavServer, DavServerOptions, RequestObserver } from './index.ts';

const PASS = 'pw:Secret+/é';
const servers: DavServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(opts: Partial<DavServerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => lines.push(l) } });
  const dav = createDavServer({ vfs: makeKit().vfs, clock: systemClock, logger, users: [{ user: 'alice', pass: PASS }], ...opts });
  servers.push(dav);
  const { url } = await dav.listen('127.0.0.1', 0);
  const access = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o['msg'] === 'access');
  return { url, lines, access };
}

async function send(url: string, method: string, headers: Record<string, string> = {}, body?: string) {
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

/** Waits until `n` access lines were written (the line is written when the response closes). */
async function lines(access: () => Record<string, unknown>[], n: number) {
  await expect.poll(() => access().length).toBe(n);
  return access();
}

describe('WebDAV access log', () => {
  it('writes one info line per request: method, decoded path, status, bytes, ms, user', async () => {
    const { url, access } = await start();
    const auth = { authorization: basicAuth('alice', PASS) };
    expect((await send(url + 'dossier%20%C3%A9t%C3%A9', 'MKCOL', auth)).status).toBe(201);
    expect((await send(url + 'dossier%20%C3%A9t%C3%A9/a.txt', 'PUT', auth, 'hello')).status).toBe(201);
    const got = await send(url + 'dossier%20%C3%A9t%C3%A9/a.txt', 'GET', auth);
    expect(got.text).toBe('hello');
    const log = await lines(access, 3);
    expect(log.map((l) => [l['method'], l['path'], l['status'], l['user']])).toEqual([
      ['MKCOL', '/dossier été', 201, 'alice'],
      ['PUT', '/dossier été/a.txt', 201, 'alice'],
      ['GET', '/dossier été/a.txt', 200, 'alice'],
    ]);
    expect(log[2]!['bytes']).toBe(5);
    expect(log[2]!['level']).toBe(30);
    for (const l of log) expect(typeof l['ms']).toBe('number');
  });

  it('never logs headers, the Authorization value or the password, even for a refused request', async () => {
    const { url, lines: raw, access } = await start();
    const wrong = basicAuth('alice', 'not-' + PASS);
    expect((await send(url, 'PROPFIND', { authorization: wrong, depth: '0', 'x-custom': 'HeaderValue' })).status).toBe(401);
    expect((await send(url, 'PROPFIND', { authorization: basicAuth('alice', PASS), depth: '0' })).status).toBe(207);
    const log = await lines(access, 2);
    expect(log[0]).toMatchObject({ method: 'PROPFIND', path: '/', status: 401 });
    expect(log[0]!['user']).toBeUndefined();
    const all = raw.join('');
    for (const secret of [PASS, wrong, basicAuth('alice', PASS).slice(6), 'HeaderValue', 'authorization']) expect(all).not.toContain(secret);
  });
});

describe('request observer', () => {
  it('is told of every request: method, status, bytes sent and duration', async () => {
    const seen: [string, number, number, number][] = [];
    const metrics: RequestObserver = { httpRequest: (m, s, b, ms) => void seen.push([m, s, b, ms]) };
    const { url, access } = await start({ metrics });
    const auth = { authorization: basicAuth('alice', PASS) };
    await send(url + 'f.txt', 'PUT', auth, 'abc');
    await send(url + 'f.txt', 'GET', auth);
    await send(url + 'missing', 'GET', auth);
    await lines(access, 3);
    expect(seen.map(([m, s]) => [m, s])).toEqual([
      ['PUT', 201],
      ['GET', 200],
      ['GET', 404],
    ]);
    expect(seen[1]![2]).toBe(3);
    for (const [, , , ms] of seen) expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('feeds the Prometheus metrics with method and status class only', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const { url, access } = await start({ metrics: m });
    const auth = { authorization: basicAuth('alice', PASS) };
    await send(url + 'private-name.txt', 'PUT', auth, 'abc');
    await send(url + 'private-name.txt', 'GET', auth);
    await send(url + 'private-name.txt', 'REPORT', auth);
    await lines(access, 3);
    const text = await m.text();
    expect(text).toMatch(/^fichierdav_webdav_requests_total\{method="PUT",status="2xx"\} 1$/m);
    expect(text).toMatch(/^fichierdav_webdav_requests_total\{method="GET",status="2xx"\} 1$/m);
    expect(text).toMatch(/^fichierdav_webdav_requests_total\{method="OTHER",status="4xx"\} 1$/m);
    expect(text).not.toContain('private-name');
    expect(text).not.toContain('alice');
  });

  it('keeps serving when the observer throws', async () => {
    const metrics: RequestObserver = {
      httpRequest() {
        throw new Error('metrics broke');
      },
    };
    const { url, access, lines: raw } = await start({ metrics });
    const auth = { authorization: basicAuth('alice', PASS) };
    expect((await send(url, 'PROPFIND', { ...auth, depth: '0' })).status).toBe(207);
    expect((await send(url, 'PROPFIND', { ...auth, depth: '0' })).status).toBe(207);
    await lines(access, 2);
    expect(raw.some((l) => l.includes('request observer failed'))).toBe(true);
  });
});
