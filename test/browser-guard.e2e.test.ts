/**
 * The WebDAV server against requests a web page can make (curl-style, every combination): no CORS header unless
 * the origin is listed, 421 for a host name that is not ours (DNS rebinding), 403 for cross-site requests, and
 * nothing read from or changed on the remote when a request is refused. The browser itself is in
 * test/browser.test.ts; the policy's every branch in src/util/browser-guard.test.ts.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../src/webdav/auth.ts';
import { createDavServer, type DavServer } from '../src/webdav/index.ts';
import { makeKit, type VfsKit } from './support/vfs-kit.ts';

const WRITES: [string, Record<string, string>, string?][] = [
  ['PUT', {}, 'new content'],
  ['DELETE', {}],
  ['MKCOL', {}],
  ['COPY', { destination: '/keep/copy.txt' }],
  ['MOVE', { destination: '/keep/moved.txt' }],
  ['PROPPATCH', { 'content-type': 'application/xml' }, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>'],
  ['LOCK', { 'content-type': 'application/xml' }, '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>'],
  ['UNLOCK', { 'lock-token': '<opaquelocktoken:x>' }],
  ['POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'],
];
const READS: [string, Record<string, string>][] = [
  ['GET', {}],
  ['HEAD', {}],
  ['PROPFIND', { depth: '1' }],
  ['OPTIONS', {}],
];

interface Served {
  kit: VfsKit;
  dav: DavServer;
  port: number;
  origin: string;
  send(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
}

const running: DavServer[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.close();
});

async function serve(opts: { allowOrigins?: string[]; allowHosts?: string[]; users?: Credentials[] } = {}): Promise<Served> {
  const kit = makeKit();
  await kit.vfs.mkdir('keep');
  await kit.vfs.writeFile('keep/f.txt', Buffer.from('precious'));
  kit.remote.reset();
  const dav = createDavServer({ vfs: kit.vfs, clock: kit.clock, ...opts });
  running.push(dav);
  const { port } = await dav.listen('127.0.0.1', 0);
  const origin = `http://127.0.0.1:${port}`;
  return {
    kit,
    dav,
    port,
    origin,
    async send(method, path, headers = {}, body) {
      const res = await request(origin + path, { method: method as 'GET', headers, body });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    },
  };
}

/** Where a write method aims: the file, or a new name for MKCOL and PUT. */
const targetOf = (method: string): string => (method === 'MKCOL' ? '/keep/newdir' : method === 'PUT' ? '/keep/f.txt' : '/keep/f.txt');

const accessControl = (headers: Record<string, unknown>): string[] => Object.keys(headers).filter((k) => k.startsWith('access-control-'));

/** The account is as the test set it up: one folder with one file, unchanged. */
async function expectUnchanged(s: Served): Promise<void> {
  const r = await s.send('GET', '/keep/f.txt');
  expect(r.text).toBe('precious');
  const listing = await s.send('PROPFIND', '/keep/', { depth: '1' });
  expect([...listing.text.matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => m[1])).toEqual(['/keep/', '/keep/f.txt']);
}

describe('no CORS unless asked', () => {
  it('sends no Access-Control-* header on any answer, with or without an Origin', async () => {
    const s = await serve();
    const cases: [string, string, Record<string, string>][] = [
      ['GET', '/keep/f.txt', {}],
      ['GET', '/keep/f.txt', { origin: s.origin }],
      ['PROPFIND', '/keep/', { depth: '1' }],
      ['OPTIONS', '/keep/', { origin: 'https://evil.example', 'access-control-request-method': 'PROPFIND' }],
      ['GET', '/missing', {}],
      ['BREW', '/keep/', {}],
      ['GET', '/..%5c..%5cx', {}],
      ['GET', '/keep/f.txt', { origin: 'https://evil.example' }],
    ];
    for (const [method, path, headers] of cases) {
      const r = await s.send(method, path, headers);
      expect([method, path, accessControl(r.headers)]).toEqual([method, path, []]);
      expect(r.headers.vary).toBeUndefined();
    }
  });

  it('with --allow-origin: echoes that origin with credentials, answers its preflight, lets it write', async () => {
    const page = 'http://localhost:3000';
    const s = await serve({ allowOrigins: [page] });
    const get = await s.send('GET', '/keep/f.txt', { origin: page, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' });
    expect(get.status).toBe(200);
    expect(get.text).toBe('precious');
    expect(get.headers['access-control-allow-origin']).toBe(page);
    expect(get.headers['access-control-allow-credentials']).toBe('true');
    expect(String(get.headers['access-control-expose-headers']).split(', ')).toEqual(expect.arrayContaining(['DAV', 'ETag', 'Content-Range', 'Lock-Token']));
    expect(get.headers.vary).toMatch(/Origin/);

    const pre = await s.send('OPTIONS', '/keep/', { origin: page, 'access-control-request-method': 'PROPFIND', 'access-control-request-headers': 'depth,authorization' });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe(page);
    expect(String(pre.headers['access-control-allow-methods']).split(', ')).toEqual(expect.arrayContaining(['PROPFIND', 'PUT', 'DELETE', 'MOVE', 'COPY', 'LOCK']));
    const allowedHeaders = String(pre.headers['access-control-allow-headers']).split(', ');
    for (const h of ['Depth', 'Destination', 'Overwrite', 'If', 'Lock-Token', 'Timeout', 'Content-Type', 'Authorization', 'X-OC-Mtime', 'OC-Checksum', 'Range']) expect(allowedHeaders).toContain(h);

    const put = await s.send('PUT', '/keep/from-page.txt', { origin: page, 'sec-fetch-site': 'cross-site' }, 'written by the page');
    expect(put.status).toBe(201);
    expect((await s.send('GET', '/keep/from-page.txt')).text).toBe('written by the page');

    const other = await s.send('GET', '/keep/f.txt', { origin: 'http://localhost:3001' });
    expect(other.status).toBe(403);
    expect(accessControl(other.headers)).toEqual([]);
    expect(String(other.headers['access-control-allow-origin'] ?? '')).not.toBe('*');
  });
});

describe('the Host check (DNS rebinding)', () => {
  it('answers 421 with a reason and no data to a name that is not ours, for every method, touching nothing', async () => {
    const s = await serve();
    for (const host of ['evil.test', `evil.test:${s.port}`, `192.168.1.20:${s.port}`, '[::2]', 'localhost.evil.test']) {
      for (const [method, headers, body] of [...WRITES, ...READS]) {
        const r = await s.send(method, targetOf(method), { ...headers, host }, body);
        expect([host, method, r.status]).toEqual([host, method, 421]);
        if (method !== 'HEAD') expect(r.text).toMatch(/^421 misdirected request: .*DNS rebinding/);
        expect(r.text).not.toContain('precious');
      }
    }
    expect(s.kit.remote.total()).toBe(0);
    await expectUnchanged(s);
  });

  it('answers the loopback names with and without port, and the --allow-host names', async () => {
    const s = await serve({ allowHosts: ['drive.example.com'] });
    for (const host of ['127.0.0.1', `127.0.0.1:${s.port}`, 'localhost', `localhost:${s.port}`, '[::1]', `[::1]:${s.port}`, `127.0.0.2:${s.port}`, 'drive.example.com', 'Drive.Example.com:443']) {
      const r = await s.send('GET', '/keep/f.txt', { host });
      expect([host, r.status, r.text]).toEqual([host, 200, 'precious']);
    }
    expect((await s.send('GET', '/keep/f.txt', { host: 'other.example.com' })).status).toBe(421);
  });

  it('refuses a rebinding name even with the right credentials', async () => {
    const s = await serve({ users: [{ user: 'u', pass: 'p' }] });
    const auth = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
    expect((await s.send('GET', '/keep/f.txt', { ...auth, host: `evil.test:${s.port}` })).status).toBe(421);
    expect((await s.send('GET', '/keep/f.txt', auth)).status).toBe(200);
  });
});

describe('cross-site requests', () => {
  const foreign = (port: number): Record<string, string>[] => [
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { origin: `http://127.0.0.1:${port + 1}`, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
    { origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
    { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' },
    { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' },
  ];

  it('refuses every write method from another site with 403 and a reason, and nothing changes', async () => {
    const s = await serve();
    for (const h of foreign(s.port)) {
      for (const [method, headers, body] of WRITES) {
        const r = await s.send(method, targetOf(method), { ...headers, ...h }, body);
        expect([h, method, r.status]).toEqual([h, method, 403]);
        expect(r.text).toMatch(/^403 cross-site request refused: /);
      }
    }
    expect(s.kit.remote.total()).toBe(0);
    await expectUnchanged(s);
  });

  it('refuses cross-site reads too (fetch, embedding as <img>/<video>/<script>, framing), but opens a link', async () => {
    const s = await serve();
    for (const h of foreign(s.port)) {
      for (const [method, headers] of READS) {
        const r = await s.send(method, method === 'PROPFIND' || method === 'OPTIONS' ? '/keep/' : '/keep/f.txt', { ...headers, ...h });
        expect([h, method, r.status]).toEqual([h, method, 403]);
        expect(r.text).not.toContain('precious');
      }
    }
    for (const dest of ['image', 'video', 'script', 'style']) {
      const r = await s.send('GET', '/keep/f.txt', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': dest });
      expect([dest, r.status]).toEqual([dest, 403]);
    }
    expect((await s.send('GET', '/keep/f.txt', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' })).status).toBe(403);
    expect(s.kit.remote.total()).toBe(0);
    const link = await s.send('GET', '/keep/f.txt', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-user': '?1' });
    expect([link.status, link.text]).toEqual([200, 'precious']);
  });

  it('serves its own pages (same origin) and clients that send neither header, for every method', async () => {
    const s = await serve();
    const own = { origin: s.origin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    expect((await s.send('PROPFIND', '/keep/', { ...own, depth: '1' })).status).toBe(207);
    expect((await s.send('GET', '/keep/', { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', accept: 'text/html' })).status).not.toBe(403);
    expect((await s.send('PUT', '/keep/own.txt', own, 'same origin')).status).toBe(201);
    expect((await s.send('MKCOL', '/keep/own-dir', own)).status).toBe(201);
    expect((await s.send('COPY', '/keep/own.txt', { ...own, destination: '/keep/own-copy.txt' })).status).toBe(201);
    expect((await s.send('MOVE', '/keep/own-copy.txt', { ...own, destination: '/keep/own-moved.txt' })).status).toBe(201);
    const lock = await s.send('LOCK', '/keep/own.txt', { ...own, 'content-type': 'application/xml' }, WRITES[6]![2]);
    expect(lock.status).toBe(200);
    expect((await s.send('UNLOCK', '/keep/own.txt', { ...own, 'lock-token': String(lock.headers['lock-token']) })).status).toBe(204);
    expect((await s.send('PROPPATCH', '/keep/own.txt', { ...own, 'content-type': 'application/xml' }, WRITES[5]![2])).status).toBe(207);
    expect((await s.send('DELETE', '/keep/own-moved.txt', own)).status).toBe(204);
    expect((await s.send('DELETE', '/keep/own.txt', {})).status).toBe(204);
  });

  it('checks the page before the credentials: a cross-site write with the right password is still refused', async () => {
    const s = await serve({ users: [{ user: 'u', pass: 'p' }] });
    const auth = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
    expect((await s.send('DELETE', '/keep/f.txt', { ...auth, origin: 'https://evil.example' })).status).toBe(403);
    expect((await s.send('PROPFIND', '/keep/', { ...auth, depth: '1', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await s.send('GET', '/keep/f.txt', auth)).text).toBe('precious');
  });
});
