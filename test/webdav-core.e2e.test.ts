import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { loadOrCreateCA } from '../src/emulator/ca.ts';
import { createDavServer } from '../src/webdav/index.ts';
import type { DavServer, DavServerOptions } from '../src/webdav/index.ts';
import { DavError } from '../src/webdav/context.ts';
import type { Handler } from '../src/webdav/context.ts';
import { createLogger } from '../src/util/log.ts';
import { memoryVfs } from './support/vfs-kit.ts';
import { rawStatus } from './support/raw-http.ts';

const servers: DavServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(opts: Partial<DavServerOptions> = {}): Promise<{ dav: DavServer; url: string; port: number }> {
  const dav = createDavServer({ vfs: memoryVfs(), ...opts });
  servers.push(dav);
  const { url, port } = await dav.listen('127.0.0.1', 0);
  return { dav, url, port };
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;

async function call(url: string, method: string, headers: Record<string, string> = {}, body?: string | Buffer) {
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe('authentication', () => {
  const pass = 'a:b>>>?é';
  it('accepts a password with ":" and base64 with "+" and "/"', async () => {
    const auth = basic('u', pass);
    expect(auth).toMatch(/[+/]/);
    const { url } = await start({ users: [{ user: 'u', pass }] });
    const r = await call(url, 'PROPFIND', { authorization: auth, depth: '0' });
    expect(r.status).toBe(207);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('answers 401 with a Basic challenge on a wrong or missing password', async () => {
    const { url } = await start({ users: [{ user: 'u', pass }] });
    const wrong = await call(url, 'PROPFIND', { authorization: basic('u', 'nope'), depth: '0' });
    expect(wrong.status).toBe(401);
    expect(String(wrong.headers['www-authenticate'])).toMatch(/^Basic realm="/);
    const missing = await call(url, 'GET');
    expect(missing.status).toBe(401);
    expect(String(missing.headers['www-authenticate'])).toMatch(/^Basic /);
  });

  it('answers OPTIONS without credentials, and without a challenge', async () => {
    const { url } = await start({ users: [{ user: 'u', pass }] });
    const r = await call(url, 'OPTIONS');
    expect(r.status).toBe(200);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(String(r.headers.dav)).toMatch(/2/);
  });

  it('refuses to listen anonymously on a non-loopback address unless allowed', async () => {
    const dav = createDavServer({ vfs: memoryVfs() });
    servers.push(dav);
    await expect(dav.listen('0.0.0.0', 0)).rejects.toThrow(/anonymous/);
    const withUsers = createDavServer({ vfs: memoryVfs(), users: [{ user: 'u', pass: 'p' }] });
    servers.push(withUsers);
    await expect(withUsers.listen('0.0.0.0', 0)).resolves.toMatchObject({ port: expect.any(Number) as number });
  });

  it('serves anonymously on loopback', async () => {
    const { url } = await start();
    expect((await call(url, 'PROPFIND', { depth: '0' })).status).toBe(207);
  });
});

describe('TLS', () => {
  it('serves HTTPS with a certificate and key; a client that does not trust it is refused', async () => {
    const ca = await loadOrCreateCA();
    const { cert, key } = ca.leafFor('dav.1fichier.com');
    const { url, port } = await start({ tls: { cert, key }, users: [{ user: 'u', pass: 'p' }] });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const agent = new Agent({ connect: { ca: ca.caCertPem, servername: 'dav.1fichier.com' } });
    try {
      const res = await request(url, { method: 'PROPFIND', headers: { depth: '0', authorization: basic('u', 'p') }, dispatcher: agent });
      await res.body.text();
      expect(res.statusCode).toBe(207);
      const untrusted = await request(url, { method: 'OPTIONS' }).then(
        () => 'answered',
        (err: { code?: string }) => err.code,
      );
      expect(untrusted).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      await agent.close();
    }
    expect(port).toBeGreaterThan(0);
  });
});

describe('Microsoft clients', () => {
  it('get Cache-Control: no-store on 404 (the redirector caches misses), others do not', async () => {
    const { url } = await start();
    const ms = await call(`${url}missing.txt`, 'GET', { 'user-agent': 'Microsoft-WebDAV-MiniRedir/10.0.19045' });
    expect(ms.status).toBe(404);
    expect(ms.headers['cache-control']).toBe('no-store');
    const other = await call(`${url}missing.txt`, 'GET', { 'user-agent': 'rclone/v1.60.1' });
    expect(other.status).toBe(404);
    expect(other.headers['cache-control']).toBeUndefined();
  });
});

describe('read-only mode', () => {
  it('answers 403 to every write method', async () => {
    const { url } = await start({ readOnly: true });
    for (const m of ['PUT', 'MKCOL', 'DELETE', 'PROPPATCH', 'LOCK', 'UNLOCK', 'COPY', 'MOVE']) {
      const r = await call(url + 'x', m, { destination: url + 'y', 'lock-token': '<urn:uuid:1>' });
      expect([m, r.status]).toEqual([m, 403]);
    }
    expect((await call(url, 'PROPFIND', { depth: '0' })).status).toBe(207);
  });

  it('wraps the VFS too: a handler that writes under a verb not known as a write still gets 403 (EROFS)', async () => {
    const vfs = memoryVfs();
    const { url } = await start({ vfs, readOnly: true, handlers: { SEARCH: async (s) => void (await s.vfs.mkdir('made')) } });
    expect((await call(url, 'SEARCH')).status).toBe(403);
    await expect(vfs.stat('made')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('methods', () => {
  it('answers 405 with Allow to methods it does not implement', async () => {
    const { url } = await start();
    for (const m of ['POST', 'PATCH', 'REPORT', 'SEARCH']) {
      const r = await call(url, m);
      expect([m, r.status]).toEqual([m, 405]);
      expect(String(r.headers.allow)).toContain('PROPFIND');
    }
  });
});

describe('bounded inputs', () => {
  it('answers 413 to a non-PUT body over the cap, declared or chunked', async () => {
    const { url } = await start({ maxBodyBytes: 100 });
    const big = `<?xml version="1.0"?><propfind xmlns="DAV:"><allprop/></propfind>${' '.repeat(200)}`;
    expect((await call(url, 'PROPFIND', { depth: '0' }, big)).status).toBe(413);
    const chunked = await request(url, {
      method: 'PROPFIND' as 'GET',
      headers: { depth: '0' },
      body: Readable.from([Buffer.from(big)]),
    });
    await chunked.body.text();
    expect(chunked.statusCode).toBe(413);
  });

  it('answers 400 to path traversal, encoded slashes, NUL and bad UTF-8', async () => {
    const { port } = await start();
    for (const target of ['/../etc/passwd', '/a/%2e%2e/b', '/a%2fb', '/a%00b', '/%ff', '/a/./b', '/%zz']) {
      expect([target, await rawStatus(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)]).toEqual([target, 400]);
    }
    expect(await rawStatus(port, `GET /a\0b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toBe(400);
  });

  it('answers 404 outside the base URL', async () => {
    const { port, url } = await start({ baseUrl: '/dav' });
    expect(url).toMatch(/\/dav\/$/);
    expect(await rawStatus(port, `PROPFIND /other HTTP/1.1\r\nHost: 127.0.0.1\r\nDepth: 0\r\nConnection: close\r\n\r\n`)).toBe(404);
    expect((await call(url, 'PROPFIND', { depth: '0' })).status).toBe(207);
  });

  it('answers 431 to huge headers', async () => {
    const { port } = await start();
    expect(await rawStatus(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toBe(431);
  });
});

describe('robustness', () => {
  it('survives handlers that throw or reject, and answers the next request', async () => {
    const rejecting: Handler = () => Promise.reject(new Error('boom'));
    const throwing = (() => {
      throw new TypeError('sync boom');
    }) as unknown as Handler;
    const dav: Handler = () => Promise.reject(new DavError(418, 'teapot'));
    const { url } = await start({ handlers: { GET: rejecting, HEAD: throwing, PATCH: dav } });
    expect((await call(url, 'GET')).status).toBe(500);
    expect((await call(url, 'HEAD')).status).toBe(500);
    expect((await call(url, 'PATCH')).status).toBe(418);
    expect((await call(url, 'PROPFIND', { depth: '0' })).status).toBe(207);
  });

  it('destroys a response whose headers were sent before the failure', async () => {
    const half: Handler = (_s, r) => {
      r.res.writeHead(200, { 'content-length': '10' });
      r.res.write('12345');
      return Promise.reject(new Error('mid-stream'));
    };
    const { url } = await start({ handlers: { GET: half } });
    await expect(call(url, 'GET')).rejects.toThrow();
    expect((await call(url, 'OPTIONS')).status).toBe(200);
  });
});

describe('access log', () => {
  it('logs one line per request with method, path, status, ms, bytes and user', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => lines.push(l) } });
    const { url } = await start({ logger, users: [{ user: 'alice', pass: 'pw' }] });
    await call(url, 'PROPFIND', { depth: '0', authorization: basic('alice', 'pw') });
    await new Promise((r) => setTimeout(r, 50));
    const access = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.msg === 'access');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'PROPFIND', path: '/', status: 207, user: 'alice' });
    expect(access[0]!.bytes).toBeGreaterThan(0);
    expect(typeof access[0]!.ms).toBe('number');
  });
});

describe('write guard and Destination', () => {
  it('answers 502 for a Destination on another server and 403 outside the base URL', async () => {
    const { url } = await start({ baseUrl: '/dav' });
    expect((await call(url + 'f', 'PUT', {}, 'x')).status).toBe(201);
    expect((await call(url + 'f', 'COPY', { destination: 'http://elsewhere.example/dav/g' })).status).toBe(502);
    expect((await call(url + 'f', 'COPY', { destination: url.replace(/\/dav\/$/, '/other/g') })).status).toBe(403);
    expect((await call(url + 'f', 'COPY', { destination: url + 'g' })).status).toBe(201);
  });

  it('answers 400 to a malformed If header, 412 when false, 423 naming the lock root', async () => {
    const { url } = await start();
    expect((await call(url + 'f', 'PUT', {}, 'x')).status).toBe(201);
    expect((await call(url + 'f', 'PUT', { if: '(<urn:x' }, 'y')).status).toBe(400);
    expect((await call(url + 'f', 'PUT', { if: '(["nope"])' }, 'y')).status).toBe(412);
    const lock = await call(
      url + 'f',
      'LOCK',
      { 'content-type': 'application/xml' },
      '<?xml version="1.0"?><lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype></lockinfo>',
    );
    expect(lock.status).toBe(200);
    const locked = await call(url + 'f', 'PUT', {}, 'y');
    expect(locked.status).toBe(423);
    expect(locked.text).toMatch(/lock-token-submitted.*<D:href>\/f<\/D:href>/s);
    const token = String(lock.headers['lock-token']);
    expect((await call(url + 'f', 'PUT', { if: `(${token})` }, 'y')).status).toBe(204);
    expect((await call(url + 'f', 'PUT', { 'lock-token': token }, 'z')).status).toBe(204);
  });

  it('rejects malformed Depth and Overwrite headers with 400', async () => {
    const { url } = await start();
    expect((await call(url, 'PROPFIND', { depth: '2' })).status).toBe(400);
    expect((await call(url + 'f', 'PUT', {}, 'x')).status).toBe(201);
    expect((await call(url + 'f', 'COPY', { destination: url + 'g', overwrite: 'maybe' })).status).toBe(400);
  });
});
