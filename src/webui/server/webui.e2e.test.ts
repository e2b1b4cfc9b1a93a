/**
 * The web UI's server side over the real WebDAV server (createDavServer on 127.0.0.1:0, a memory-backed VFS) and
 * a recording backend: which requests get the page, the assets and the endpoints, the security headers, the
 * same-origin checks, the JSON shapes and errors, and that WebDAV requests are unaffected.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FsError } from '../../core/errors.ts';
import { makeKit } from '../../../test/support/vfs-kit.ts';
import { createDavServer, type DavServer } from '../../webdav/index.ts';
import type { AssetSet } from './assets.ts';
import type { BackendLinkEvent, WebUiBackend } from './backend.ts';
import { createWebUi } from './index.ts';
import { silentLogger } from '../../util/log.ts';

const asset = (name: string, contentType: string, body: string) => ({ name, contentType, body: Buffer.from(body) });
const ASSETS: AssetSet = (() => {
  const script = asset('app.0123456789abcdef.js', 'text/javascript; charset=utf-8', 'console.log(1)');
  const style = asset('app.fedcba9876543210.css', 'text/css; charset=utf-8', 'body{}');
  const icon = asset('icon.00ff00ff00ff00ff.svg', 'image/svg+xml', '<svg/>');
  return { script, style, icon, byName: (n) => [script, style, icon].find((a) => a.name === n) };
})();

interface Recorded {
  calls: string[];
}

function fakeBackend(rec: Recorded): WebUiBackend {
  return {
    async list(path) {
      rec.calls.push(`list ${path}`);
      if (path === 'missing') throw new FsError('ENOENT', 'no such folder', { path });
      return [{ name: 'a.txt', kind: 'file', size: 5, modTime: 7 }];
    },
    about: async () => ({ quota: { total: 1000, used: 250, free: 750 }, plan: 'Premium', emulator: true }),
    search(text, limit) {
      rec.calls.push(`search ${text} ${limit}`);
      const hits = Array.from({ length: text === 'many' ? 600 : 1 }, (_, i) => ({ path: `d/${text}-${i}`, name: `${text}-${i}`, kind: 'file' as const, size: 1, modTime: 2 }));
      return { hits: hits.slice(0, limit), coverage: { rootListed: true, unlistedDirs: 3 } };
    },
    async links(paths, on) {
      rec.calls.push(`links ${paths.join('|')}`);
      const events: BackendLinkEvent[] = [
        { type: 'files', count: 2 },
        { type: 'link', path: 'a.txt', url: 'http://dl.example/a' },
        { type: 'failed', path: 'b.txt', error: new FsError('EACCES', 'password protected', { path: 'b.txt' }) },
      ];
      events.forEach(on);
      return { files: 2, linked: 1, failed: 1 };
    },
    async refresh(path) {
      rec.calls.push(`refresh ${path}`);
      if (path === 'missing') throw new FsError('ENOENT', 'no such folder', { path });
    },
    async remoteUpload(urls, folder) {
      rec.calls.push(`remote ${urls.join('|')} -> ${folder}`);
      return 42;
    },
    jobs: async () => [{ id: 42, requested: '2024-01-02 03:04:05', executed: null }],
    async job(id) {
      if (id !== 42) throw new FsError('ENOENT', 'no such job');
      return { id, requested: '2024-01-02 03:04:05', executed: null, done: false, results: [{ url: 'http://127.0.0.1/x', status: 'pending', link: null, message: null }] };
    },
  };
}

let dav: DavServer | undefined;
afterEach(async () => {
  await dav?.close();
  dav = undefined;
});

async function start(opts: { readOnly?: boolean; users?: boolean; baseUrl?: string; allowOrigins?: string[] } = {}) {
  const kit = makeKit();
  await kit.vfs.mkdir('Documents');
  await kit.vfs.writeFile('Documents/a.txt', Buffer.from('hello'));
  await kit.vfs.mkdir(`<img src=x onerror=alert(1)> "q" 'x'`);
  await kit.vfs.mkdir('?api=about');
  const rec: Recorded = { calls: [] };
  dav = createDavServer({
    vfs: kit.vfs,
    clock: kit.clock,
    baseUrl: opts.baseUrl ?? '/dav',
    readOnly: opts.readOnly ?? false,
    ...(opts.users ? { users: [{ user: 'me"<x>', pass: 'pw' }] } : {}),
    ...(opts.allowOrigins ? { allowOrigins: opts.allowOrigins } : {}),
    frontEnd: createWebUi({ backend: fakeBackend(rec), logger: silentLogger, version: '9.9.9', assets: async () => ASSETS }),
  });
  const { url } = await dav.listen('127.0.0.1', 0);
  const origin = new URL(url).origin;
  const send = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const auth = opts.users ? { authorization: `Basic ${Buffer.from('me"<x>:pw').toString('base64')}` } : {};
    const res = await request(`${origin}${path}`, { method, headers: { ...auth, ...headers }, body });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };
  const api = (method: string, name: string, body?: unknown, headers: Record<string, string> = {}) =>
    send(method, `/dav/?api=${name}`, { 'x-fichier-dav': '1', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, body === undefined ? undefined : JSON.stringify(body));
  return { rec, send, api, origin, host: new URL(url).host };
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the page', () => {
  it('answers a browser opening a folder, with the security headers; other clients get what they got before', async () => {
    const t = await start();
    const page = await t.send('GET', '/dav/Documents/', HTML);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('data-base="/dav" data-read-only="0"');
    expect(page.text).toContain('<script type="module" src="/dav/?asset=app.0123456789abcdef.js"></script>');
    expect(page.text).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/i);

    expect(page.headers.vary).toBe('Accept');
    const plain = await t.send('GET', '/dav/Documents/', { accept: '*/*' });
    expect(plain.text).toContain('Index of /Documents');
    expect(plain.headers.vary).toBe('Accept');
    const propfind = await t.send('PROPFIND', '/dav/Documents/', { depth: '1', ...HTML });
    expect(propfind.status).toBe(207);
    const file = await t.send('GET', '/dav/Documents/a.txt', HTML);
    expect(file.text).toBe('hello');
    const head = await t.send('HEAD', '/dav/', HTML);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('escapes names and the user in the page, and tells the script when the server is read-only', async () => {
    const t = await start({ users: true, readOnly: true });
    const page = await t.send('GET', `/dav/${encodeURIComponent(`<img src=x onerror=alert(1)> "q" 'x'`)}/`, HTML);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>/&lt;img src=x onerror=alert(1)&gt; "q" \'x\' – fichier-dav</title>');
    expect(page.text).toContain('data-read-only="1" data-user="me&quot;&lt;x&gt;"');
    expect(page.text).not.toContain('<img');
  });

  it('is behind the same authentication as everything else', async () => {
    const t = await start({ users: true });
    const res = await request(`${t.origin}/dav/`, { headers: HTML });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
    const api = await request(`${t.origin}/dav/?api=about`, { headers: { 'x-fichier-dav': '1' } });
    expect(api.statusCode).toBe(401);
    await api.body.dump();
  });
});

describe('assets', () => {
  it('are served by hashed name, immutable, under the base URL; an unknown name is 404', async () => {
    const t = await start();
    const js = await t.send('GET', '/dav/?asset=app.0123456789abcdef.js');
    expect(js.status).toBe(200);
    expect(js.text).toBe('console.log(1)');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect((await t.send('GET', '/dav/?asset=app.0123456789abcdef.js', { 'if-none-match': '"app.0123456789abcdef.js"' })).status).toBe(304);
    expect((await t.send('GET', '/dav/?asset=nope.js')).status).toBe(404);
    expect((await t.send('POST', '/dav/?asset=app.0123456789abcdef.js')).status).toBe(405);
  });

  it('cannot collide with a file or folder: a folder named like a marker is a folder', async () => {
    const t = await start();
    const listing = await t.send('PROPFIND', `/dav/${encodeURIComponent('?api=about')}/`, { depth: '0' });
    expect(listing.status).toBe(207);
    const page = await t.send('GET', `/dav/${encodeURIComponent('?api=about')}/`, HTML);
    expect(page.text).toContain('<!DOCTYPE html>');
    // The marker is only read on the base URL's root: elsewhere a query is ignored, as WebDAV does.
    const elsewhere = await t.send('GET', '/dav/Documents/a.txt?api=about');
    expect(elsewhere.text).toBe('hello');
  });
});

describe('the endpoints', () => {
  it('refuse requests that do not come from the page itself', async () => {
    const t = await start();
    const noHeader = await t.send('GET', '/dav/?api=about');
    expect(noHeader.status).toBe(403);
    expect(JSON.parse(noHeader.text)).toEqual({ error: { code: 'HTTP403', message: expect.stringMatching(/X-Fichier-Dav/) } });
    const foreign: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of foreign) {
      const r = await t.api('POST', 'remote-upload', { urls: ['http://127.0.0.1/x'], folder: '' }, headers);
      expect(r.status).toBe(403);
    }
    expect(t.rec.calls).toEqual([]);
    const same = await t.api('POST', 'remote-upload', { urls: ['http://127.0.0.1/x'], folder: '/Documents/' }, { origin: `http://${t.host}`, 'sec-fetch-site': 'same-origin' });
    expect(same.status).toBe(200);
    expect(JSON.parse(same.text)).toEqual({ id: 42 });
    expect(t.rec.calls).toEqual(['remote http://127.0.0.1/x -> Documents']);
  });

  it('refuse an origin listed with --allow-origin, which may use the WebDAV methods but not the page\'s API', async () => {
    const t = await start({ allowOrigins: ['http://localhost:3000'] });
    const listed = { origin: 'http://localhost:3000', 'sec-fetch-site': 'cross-site' };
    const propfind = await t.send('PROPFIND', '/dav/Documents/', { depth: '1', ...listed });
    expect(propfind.status).toBe(207);
    expect(propfind.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const r = await t.api('POST', 'remote-upload', { urls: ['http://127.0.0.1/x'], folder: '' }, listed);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toEqual({ error: { code: 'HTTP403', message: expect.stringMatching(/own page only/) } });
    expect((await t.api('GET', 'about', undefined, listed)).status).toBe(403);
    expect(t.rec.calls).toEqual([]);
  });

  it('about: quota, plan, user, read-only and emulator', async () => {
    const t = await start({ users: true });
    const r = await t.api('GET', 'about');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.text)).toEqual({ user: 'me"<x>', readOnly: false, emulator: true, quota: { total: 1000, used: 250, free: 750 }, plan: 'Premium', version: '9.9.9' });
  });

  it('list: the entries of a folder as compact JSON; a missing folder is a 404', async () => {
    const t = await start();
    expect(JSON.parse((await t.api('GET', 'list&path=%2FDocuments%2F')).text)).toEqual({ path: 'Documents', entries: [{ name: 'a.txt', kind: 'file', size: 5, modTime: 7 }] });
    const missing = await t.api('GET', 'list&path=missing');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.code).toBe('ENOENT');
    expect((await t.api('GET', 'list&path=..')).status).toBe(400);
    expect(t.rec.calls).toEqual(['list Documents', 'list missing']);
  });

  it('search: hits, truncation and coverage; empty text is a 400', async () => {
    const t = await start();
    const one = JSON.parse((await t.api('GET', 'search&q=%20report%20')).text);
    expect(one).toEqual({ query: 'report', hits: [{ path: 'd/report-0', name: 'report-0', kind: 'file', size: 1, modTime: 2 }], truncated: false, coverage: { rootListed: true, unlistedDirs: 3 } });
    const many = JSON.parse((await t.api('GET', 'search&q=many')).text);
    expect(many.hits).toHaveLength(500);
    expect(many.truncated).toBe(true);
    expect((await t.api('GET', 'search&q=')).status).toBe(400);
    expect(t.rec.calls).toEqual(['search report 501', 'search many 501']);
  });

  it('links: one NDJSON line per event, failures as code and message, then the end', async () => {
    const t = await start();
    const r = await t.api('POST', 'links', { paths: ['/Documents/a.txt', 'b.txt'] });
    expect(r.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(r.text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
      { type: 'files', count: 2 },
      { type: 'link', path: 'a.txt', url: 'http://dl.example/a' },
      { type: 'failed', path: 'b.txt', code: 'EACCES', message: 'password protected: b.txt' },
      { type: 'end', files: 2, linked: 1, failed: 1 },
    ]);
    expect(t.rec.calls).toEqual(['links Documents/a.txt|b.txt']);
  });

  it('bad input is a 4xx with the reason, and nothing is done', async () => {
    const t = await start();
    const cases: [string, string, unknown, number][] = [
      ['POST', 'links', { paths: [] }, 400],
      ['POST', 'links', { paths: ['a/../b'] }, 400],
      ['POST', 'links', { paths: 'a' }, 400],
      ['POST', 'links', { paths: Array.from({ length: 10_001 }, (_, i) => `f${i}`) }, 400],
      ['POST', 'remote-upload', { urls: [1], folder: '' }, 400],
      ['POST', 'refresh', [], 400],
      ['GET', 'job&id=abc', undefined, 400],
      ['GET', 'links', undefined, 405],
      ['POST', 'about', {}, 405],
      ['GET', 'nope', undefined, 404],
    ];
    for (const [method, name, body, status] of cases) {
      const r = await t.api(method, name, body);
      expect([name, r.status]).toEqual([name, status]);
      expect(JSON.parse(r.text).error.message).toEqual(expect.any(String));
    }
    const notJson = await t.send('POST', '/dav/?api=links', { 'x-fichier-dav': '1', 'content-type': 'text/plain' }, 'paths=a');
    expect(notJson.status).toBe(415);
    expect(t.rec.calls).toEqual([]);
  });

  it('jobs, one job, refresh; backend errors keep their status', async () => {
    const t = await start();
    expect(JSON.parse((await t.api('GET', 'jobs')).text)).toEqual({ jobs: [{ id: 42, requested: '2024-01-02 03:04:05', executed: null }] });
    expect(JSON.parse((await t.api('GET', 'job&id=42')).text).done).toBe(false);
    const missing = await t.api('GET', 'job&id=7');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.code).toBe('ENOENT');
    expect((await t.api('POST', 'refresh', { path: 'Documents' })).status).toBe(200);
    expect((await t.api('POST', 'refresh', { path: 'missing' })).status).toBe(404);
  });

  it('a read-only server refuses remote uploads (and WebDAV writes, as always)', async () => {
    const t = await start({ readOnly: true });
    const r = await t.api('POST', 'remote-upload', { urls: ['http://127.0.0.1/x'], folder: '' });
    expect(r.status).toBe(403);
    expect(t.rec.calls).toEqual([]);
    expect((await t.send('MKCOL', '/dav/new/', { 'x-fichier-dav': '1' })).status).toBe(403);
    expect((await t.api('POST', 'links', { paths: ['a.txt'] })).status).toBe(200);
  });
});
