import { afterEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { createMetrics } from '../observe/metrics.ts';
import { FsError } from '../core/errors.ts';
import type { VfsStats } from '../vfs/types.ts';
import { createRcServer, type CoreStats, type RcAuth, type RcServer, type RcServerOptions } from './server.ts';

const KEY = 'RcSecretKey_0123456789abcdefghij';

const STATS: VfsStats = {
  uploads: 1,
  uploadBytes: 100,
  downloads: 2,
  downloadBytes: 300,
  activeReads: 1,
  activeWrites: 2,
  cacheHits: 5,
  cacheMisses: 2,
  listings: 4,
  relistsAvoided: 0,
  revalidations: 0,
};

interface FakeVfs {
  refreshed: { path: string; recursive: boolean }[];
  forgotten: (string | undefined)[];
  statsCalls: number;
  failOn: Set<string>;
  statsThrows: boolean;
  refresh(path: string, opts?: { recursive?: boolean }): Promise<void>;
  forget(path?: string): void;
  stats(): VfsStats;
}

function fakeVfs(): FakeVfs {
  const v: FakeVfs = {
    refreshed: [],
    forgotten: [],
    statsCalls: 0,
    failOn: new Set(),
    statsThrows: false,
    refresh(path, opts = {}) {
      v.refreshed.push({ path, recursive: opts.recursive ?? false });
      if (v.failOn.has(path)) return Promise.reject(new FsError('ENOENT', 'no such directory', { path }));
      return Promise.resolve();
    },
    forget(path) {
      v.forgotten.push(path);
    },
    stats() {
      v.statsCalls++;
      if (v.statsThrows) throw new Error('closed');
      return { ...STATS };
    },
  };
  return v;
}

const servers: RcServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(over: Partial<RcServerOptions> = {}) {
  const vfs = fakeVfs();
  const metrics = createMetrics({ defaultMetrics: false });
  const core: CoreStats = { bytes: 1000, transfers: 3, errors: 1, elapsedTime: 10, transferring: [{ name: 'a/b.bin', size: 200, bytes: 50 }] };
  const rc = createRcServer({ vfs, metrics, coreStats: () => core, version: '0.1.0', vfsOpt: { dirCacheTimeMs: 300_000, readOnly: false }, ...over });
  servers.push(rc);
  const { url, port } = await rc.listen('127.0.0.1', 0);
  return { vfs, metrics, rc, url, port };
}

async function call(url: string, method: string, opts: { headers?: Record<string, string>; body?: string | Buffer | Readable } = {}) {
  const res = await request(url, { method: method as 'POST', headers: opts.headers ?? {}, body: opts.body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const post = (url: string, body?: unknown) =>
  call(url, 'POST', body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('rc server: listen', () => {
  it('refuses a non-loopback address', async () => {
    const rc = createRcServer({ vfs: fakeVfs(), metrics: createMetrics({ defaultMetrics: false }), coreStats: () => ({ bytes: 0, transfers: 0, errors: 0, elapsedTime: 0, transferring: [] }), version: '1' });
    servers.push(rc);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await expect(rc.listen(host, 0)).rejects.toMatchObject({ code: 'ERR_RC_NOT_LOOPBACK' });
    }
    await expect(rc.close()).resolves.toBeUndefined();
  });

  it('binds loopback on port 0 and reports its URL', async () => {
    const { url, port } = await start();
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}/`);
  });
});

describe('rc calls', () => {
  it('vfs/refresh refreshes the root when no dir is given', async () => {
    const { url, vfs } = await start();
    const r = await post(url + 'vfs/refresh');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ result: { '': 'OK' } });
    expect(vfs.refreshed).toEqual([{ path: '', recursive: false }]);
  });

  it('vfs/refresh takes dir, dir2... and recursive, and reports each error code', async () => {
    const { url, vfs } = await start();
    vfs.failOn.add('gone');
    const r = await call(url + 'vfs/refresh?dir=Movies&dir2=gone&recursive=true', 'POST');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ result: { Movies: 'OK', gone: 'ENOENT' } });
    expect(vfs.refreshed).toEqual([
      { path: 'Movies', recursive: true },
      { path: 'gone', recursive: true },
    ]);
  });

  it('vfs/refresh rejects unknown keys and bad booleans with 400 and the rclone error shape', async () => {
    const { url, vfs } = await start();
    const r = await post(url + 'vfs/refresh', { file: 'x' });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ status: 400, path: 'vfs/refresh', input: { file: 'x' } });
    expect(typeof r.json().error).toBe('string');
    expect((await post(url + 'vfs/refresh', { recursive: 'maybe' })).status).toBe(400);
    expect((await post(url + 'vfs/refresh', { dir: 3 })).status).toBe(400);
    expect(vfs.refreshed).toEqual([]);
  });

  it('vfs/forget forgets everything without parameters, else each file folder and dir', async () => {
    const { url, vfs } = await start();
    expect((await post(url + 'vfs/forget')).json()).toEqual({ forgotten: [] });
    expect(vfs.forgotten).toEqual(['']);
    const r = await post(url + 'vfs/forget', { file: 'a/b/c.txt', dir: '/x/y/', file2: 'top.txt' });
    expect(r.json()).toEqual({ forgotten: ['a/b/c.txt', 'x/y', 'top.txt'] });
    expect(vfs.forgotten).toEqual(['', 'a/b', 'x/y', '']);
    expect((await post(url + 'vfs/forget', { path: 'a' })).status).toBe(400);
  });

  it('vfs/stats answers rclone shape from the VFS counters', async () => {
    const { url } = await start();
    const s = (await post(url + 'vfs/stats')).json();
    expect(s).toMatchObject({
      fs: 'fichier:',
      inUse: 3,
      metadataCache: { dirs: 4, files: 0 },
      diskCache: { uploadsInProgress: 2, uploadsQueued: 0, outOfSpace: false },
      opt: { CacheMode: 'off', DirCacheTime: 300_000 * 1e6, ReadOnly: false },
      counters: STATS,
    });
  });

  it('core/stats answers rclone fields from the core stats', async () => {
    const { url } = await start();
    const s = (await post(url + 'core/stats')).json();
    expect(s).toMatchObject({ bytes: 1000, transfers: 3, errors: 1, elapsedTime: 10, speed: 100, checks: 0, totalTransfers: 4, totalBytes: 1150 });
    expect(s['transferring']).toEqual([{ name: 'a/b.bin', size: 200, bytes: 50, percentage: 25 }]);
  });

  it('core/version and rc/noop', async () => {
    const { url } = await start();
    expect((await post(url + 'core/version')).json()).toMatchObject({ version: 'v0.1.0', decomposed: [0, 1, 0], isGit: false });
    expect((await post(url + 'rc/noop', { a: 1, b: ['x'] })).json()).toEqual({ a: 1, b: ['x'] });
  });

  it('reads parameters from the query and a JSON body (body wins over query)', async () => {
    const { url } = await start();
    expect((await call(url + 'rc/noop?p=query&q=1', 'POST')).json()).toEqual({ p: 'query', q: '1' });
    const json = await call(url + 'rc/noop?p=query', 'POST', { headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"p":"json","n":2}' });
    expect(json.json()).toEqual({ p: 'json', n: 2 });
    const empty = await call(url + 'rc/noop?p=query', 'POST', { headers: { 'content-type': 'application/json' } });
    expect(empty.json()).toEqual({ p: 'query' });
  });

  it('refuses form, multipart and text bodies with 415 (what a page may post cross-site), with or without a body', async () => {
    const { url, vfs } = await start();
    const cases: [string | undefined, string][] = [
      ['application/x-www-form-urlencoded', 'recursive=true'],
      ['application/x-www-form-urlencoded', ''],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="recursive"\r\n\r\ntrue\r\n--x--\r\n'],
      ['text/plain', '{"recursive":true}'],
      ['text/plain', ''],
      [undefined, '{"recursive":true}'],
    ];
    for (const [type, body] of cases) {
      const r = await call(url + 'vfs/refresh?recursive=true', 'POST', { headers: type === undefined ? {} : { 'content-type': type }, body });
      expect([type, body.length, r.status]).toEqual([type, body.length, 415]);
      expect(r.json()).toMatchObject({ status: 415, path: 'vfs/refresh', error: expect.stringMatching(/JSON/) as string });
    }
    expect(vfs.refreshed).toEqual([]);
  });
});

describe('rc and web pages', () => {
  it('sends no CORS header and refuses cross-site requests with 403, JSON or not, before any call runs', async () => {
    const { url, vfs, port } = await start();
    const json = { 'content-type': 'application/json' };
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://localhost:${port}` },
      { origin: `http://127.0.0.1:${port + 1}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: `http://127.0.0.1:${port + 1}`, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
    ];
    for (const h of foreign) {
      for (const type of [json, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'text/plain' }, {}]) {
        const r = await call(url + 'vfs/refresh?recursive=true', 'POST', { headers: { ...h, ...type }, body: type === json ? '{}' : '' });
        expect([h, type, r.status]).toEqual([h, type, 403]);
        expect(Object.keys(r.headers).filter((k) => k.startsWith('access-control'))).toEqual([]);
      }
      expect((await call(url + 'metrics', 'GET', { headers: { ...h, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' } })).status).toBe(403);
    }
    expect(vfs.refreshed).toEqual([]);
    const own = await call(url + 'rc/noop', 'POST', { headers: { ...json, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' }, body: '{"a":1}' });
    expect(own.json()).toEqual({ a: 1 });
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    const link = await call(url + 'metrics', 'GET', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } });
    expect(link.status).toBe(200);
  });

  it('answers only loopback and --allow-host names (421 otherwise: DNS rebinding)', async () => {
    const { url, vfs, port } = await start({ allowHosts: ['rc.example'] });
    for (const host of ['evil.test', `evil.test:${port}`, `192.168.1.5:${port}`]) {
      const r = await call(url + 'vfs/refresh', 'POST', { headers: { host } });
      expect([host, r.status]).toEqual([host, 421]);
      expect(r.json()).toMatchObject({ status: 421, error: expect.stringMatching(/DNS rebinding/) as string });
    }
    expect(vfs.refreshed).toEqual([]);
    for (const host of ['localhost', `127.0.0.1:${port}`, `[::1]:${port}`, 'rc.example']) expect((await call(url + 'rc/noop', 'POST', { headers: { host } })).status).toBe(200);
  });
});

describe('rc Basic authentication', () => {
  const USER = 'admin';
  const PASS = 'p:ss+/wörd';
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  const auth = (throttle?: RcAuth['throttle']): RcAuth => ({
    check: (header) => Promise.resolve(header === basic(USER, PASS).authorization ? USER : undefined),
    ...(throttle ? { throttle } : {}),
  });

  it('answers 401 with a Basic challenge without or with wrong credentials, on every path, and serves the right ones', async () => {
    const { url, vfs } = await start({ auth: auth() });
    for (const h of [{}, basic(USER, 'wrong'), basic('other', PASS), { authorization: 'Bearer x' }]) {
      for (const [method, path] of [['POST', 'vfs/refresh'], ['POST', 'nope'], ['GET', 'metrics'], ['GET', 'vfs/stats']] as const) {
        const r = await call(url + path, method, { headers: h });
        expect([h, path, r.status]).toEqual([h, path, 401]);
        expect(r.headers['www-authenticate']).toMatch(/^Basic realm="fichier-dav rc"/);
        expect(r.text).not.toContain(PASS);
      }
    }
    expect(vfs.refreshed).toEqual([]);
    expect((await call(url + 'vfs/refresh', 'POST', { headers: basic(USER, PASS) })).json()).toEqual({ result: { '': 'OK' } });
    expect((await call(url + 'metrics', 'GET', { headers: basic(USER, PASS) })).status).toBe(200);
  });

  it('checks the page before the password: a cross-site request is 403 even with the right credentials', async () => {
    const { url } = await start({ auth: auth() });
    expect((await call(url + 'rc/noop', 'POST', { headers: { ...basic(USER, PASS), origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('records failures and successes with the throttle, and answers 429 while it holds the address back', async () => {
    const events: string[] = [];
    let delay = 0;
    const throttle = { delayFor: () => delay, fail: (a: string) => events.push(`fail ${a}`), succeed: (a: string) => events.push(`ok ${a}`) };
    const { url } = await start({ auth: auth(throttle) });
    expect((await call(url + 'rc/noop', 'POST', { headers: basic(USER, 'wrong') })).status).toBe(401);
    expect((await call(url + 'rc/noop', 'POST')).status).toBe(401);
    expect((await call(url + 'rc/noop', 'POST', { headers: basic(USER, PASS) })).status).toBe(200);
    expect(events).toEqual(['fail 127.0.0.1', 'ok 127.0.0.1']);
    delay = 2500;
    const held = await call(url + 'rc/noop', 'POST', { headers: basic(USER, PASS) });
    expect(held.status).toBe(429);
    expect(held.headers['retry-after']).toBe('3');
  });
});

describe('rc errors', () => {
  it('answers 404 for an unknown call and 405 for GET or other methods, in JSON', async () => {
    const { url } = await start();
    const unknown = await post(url + 'core/quit');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ status: 404, path: 'core/quit' });
    const get = await call(url + 'vfs/stats', 'GET');
    expect(get.status).toBe(405);
    expect(get.headers['content-type']).toMatch(/^application\/json/);
    expect(get.json()).toMatchObject({ status: 405 });
    expect((await call(url + 'vfs/stats', 'PUT', { body: 'x' })).status).toBe(405);
  });

  it('answers 400 to malformed JSON or a JSON body that is not an object', async () => {
    const { url } = await start();
    const h = { 'content-type': 'application/json' };
    expect((await call(url + 'rc/noop', 'POST', { headers: h, body: '{"a":' })).status).toBe(400);
    expect((await call(url + 'rc/noop', 'POST', { headers: h, body: '[1,2]' })).status).toBe(400);
    expect((await call(url + 'rc/noop', 'POST', { headers: h, body: 'null' })).status).toBe(400);
  });

  it('answers 413 to a body over the cap, announced or streamed, and keeps serving', async () => {
    const { url } = await start({ maxBodyBytes: 1024 });
    const h = { 'content-type': 'application/json' };
    const big = JSON.stringify({ a: 'x'.repeat(2000) });
    expect((await call(url + 'rc/noop', 'POST', { headers: h, body: big })).status).toBe(413);
    const streamed = Readable.from([Buffer.from('{"a":"'), Buffer.alloc(4000, 0x61), Buffer.from('"}')]);
    expect((await call(url + 'rc/noop', 'POST', { headers: h, body: streamed })).status).toBe(413);
    expect((await post(url + 'rc/noop', { ok: true })).json()).toEqual({ ok: true });
  });

  it('answers 500 when a source throws, and the process keeps serving', async () => {
    const { url, vfs } = await start();
    vfs.statsThrows = true;
    const r = await post(url + 'vfs/stats');
    expect(r.status).toBe(500);
    expect(r.json()).toMatchObject({ status: 500, path: 'vfs/stats' });
    expect((await post(url + 'rc/noop')).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('serves the Prometheus page with its content type, fed by the API observer, without the key', async () => {
    const { url, metrics } = await start();
    metrics.apiObserver.apiCall('file/ls.cgi', 'ok', 50);
    metrics.apiObserver.apiCall(`https://x/?key=${KEY}`, 'auth', 50);
    const r = await call(url + 'metrics', 'GET');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(metrics.contentType);
    expect(r.text).toMatch(/^fichierdav_api_calls_total\{endpoint="file\/ls\.cgi",outcome="ok"\} 1$/m);
    expect(r.text).toMatch(/^fichierdav_api_calls_total\{endpoint="other",outcome="auth"\} 1$/m);
    expect(r.text).not.toContain(KEY);
    const head = await call(url + 'metrics', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});
