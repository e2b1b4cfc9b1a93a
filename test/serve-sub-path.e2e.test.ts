/**
 * `fichier-dav serve webdav fichier:A/B` as users run it (a child process over the emulator): PROPFIND / lists B's
 * entries; `..`, `%2e%2e`, a Destination outside and rc paths outside are refused, with nothing touched outside B;
 * locks, PROPPATCH, local-only files and quota work under it; a missing root stops the start with exit 2 naming
 * it (serve webdav, and mount before it starts rclone); and its listings are the account's (the same store:
 * `ls fichier:A/B` afterwards makes no API call). The root also comes from mount.json (`root`), and
 * `npm start -- fichier:Media` serves the demo emulator's Media.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './support/cli.ts';
import { uploadFiles } from './support/emulator-http.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { eventually } from './support/eventually.ts';
import { killServes, spawnServe, startServe, terminate, type RunningServe } from './support/serve-process.ts';
import { rawStatus } from './support/raw-http.ts';

const USER = 'u';
const PASS = 'sub:pa ss';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;

const dir = mkdtempSync(join(tmpdir(), 'fdav-sub-path-'));
let emu: TestEmulator;
let env: NodeJS.ProcessEnv;
let serve: RunningServe;
let ids: { a: number; b: number; bSub: number; topSub: number };

/** Sends one raw HTTP/1.1 request (so no client normalises `..` away) and returns the status. */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(url);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${u.host}`, `Authorization: ${AUTH}`, 'Connection: close', 'Content-Length: 0'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return rawStatus(Number(u.port), `${lines.join('\r\n')}\r\n\r\n`);
}

const dav = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  fetch(new URL(path, serve.url), { method, headers: { authorization: AUTH, ...headers }, body });

async function hrefs(path: string): Promise<string[]> {
  const res = await dav('PROPFIND', path, { depth: '1' });
  expect(res.status).toBe(207);
  return [...(await res.text()).matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1]!)).sort();
}

async function files(folderId: number): Promise<string[]> {
  return (await emu.stored(folderId)).files.map((f) => f.filename).sort();
}

const rc = async (call: string, body: unknown) => {
  const res = await fetch(new URL(call, serve.rcUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  emu = await startEmulator();
  const mk = async (name: string, parent: number) => (await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name, folder_id: parent })).folder_id;
  const a = await mk('A', 0);
  const b = await mk('B', a);
  const bSub = await mk('Sub', b);
  const topSub = await mk('Sub', 0);
  ids = { a, b, bSub, topSub };
  await uploadFiles(emu.url, emu.key, [{ name: 'b.txt', data: 'in B' }], b);
  await uploadFiles(emu.url, emu.key, [{ name: 'a.txt', data: 'in A, outside the root' }], a);
  await uploadFiles(emu.url, emu.key, [{ name: 'top.txt', data: 'at the top' }]);
  env = cliEnv(emu.apiBase, emu.key, { dir: mkdtempSync(join(dir, 'env-')) });
  serve = await startServe(['fichier:A/B', '--addr', '127.0.0.1:0', '--user', USER, '--pass', PASS, '--rc', '--rc-addr', '127.0.0.1:0'], env, dir);
}, 60_000);

afterAll(async () => {
  if (serve) await terminate(serve);
  killServes();
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve webdav fichier:A/B', () => {
  it('announces the folder it serves, and PROPFIND / lists B\'s entries only', async () => {
    expect(serve.out()).toMatch(/Serving the folder fichier:A\/B as the root/);
    expect(await hrefs('/')).toEqual(['/', '/Sub/', '/b.txt']);
    const get = await dav('GET', '/b.txt');
    expect(await get.text()).toBe('in B');
  });

  it('refuses .. and %2e%2e in the request target, and Destinations outside, touching nothing outside B', async () => {
    expect(await raw(serve.url, 'GET', '/../a.txt')).toBe(400);
    expect(await raw(serve.url, 'GET', '/%2e%2e/a.txt')).toBe(400);
    expect(await raw(serve.url, 'GET', '/Sub/%2E%2E/%2e%2e/top.txt')).toBe(400);
    expect(await raw(serve.url, 'DELETE', '/%2e%2e/a.txt')).toBe(400);
    expect(await raw(serve.url, 'PROPFIND', '/..%2f', { depth: '1' })).toBe(400);
    const origin = new URL(serve.url).origin;
    for (const destination of [`${origin}/../stolen.txt`, `${origin}/%2e%2e/stolen.txt`, '/Sub/%2e%2e/%2e%2e/stolen.txt']) {
      expect(await raw(serve.url, 'COPY', '/b.txt', { destination }), destination).toBe(400);
      expect(await raw(serve.url, 'MOVE', '/b.txt', { destination }), destination).toBe(400);
    }
    expect(await raw(serve.url, 'MOVE', '/b.txt', { destination: 'http://elsewhere.example/b.txt' })).toBe(502);
    expect(await files(ids.a)).toEqual(['a.txt']);
    expect(await files(0)).toEqual(['top.txt']);
    expect(await files(ids.b)).toEqual(['b.txt']);
  });

  it('answers rc paths relative to the root and refuses those outside it; metrics count what happens under it', async () => {
    expect(await hrefs('/Sub/')).toEqual(['/Sub/']);
    await uploadFiles(emu.url, emu.key, [{ name: 'late.txt', data: 'added behind the gateway' }], ids.bSub);
    await uploadFiles(emu.url, emu.key, [{ name: 'not-here.txt', data: 'top-level Sub' }], ids.topSub);
    expect(await hrefs('/Sub/')).toEqual(['/Sub/']);
    const refreshed = await rc('vfs/refresh', { dir: 'Sub', dir2: '../Sub', dir3: '..' });
    expect(refreshed).toEqual({ status: 200, json: { result: { Sub: 'OK', '../Sub': 'EINVAL', '..': 'EINVAL' } } });
    expect(await hrefs('/Sub/')).toEqual(['/Sub/', '/Sub/late.txt']);
    expect((await rc('vfs/forget', { dir: '../A' })).status).toBe(400);
    expect((await rc('vfs/forget', { file: 'Sub/../../top.txt' })).status).toBe(400);
    expect(await rc('vfs/forget', { dir: 'Sub' })).toEqual({ status: 200, json: { forgotten: ['Sub'] } });
    // The metrics count what happened under the root: the PROPFINDs and the read of /b.txt above.
    const metrics = await (await fetch(new URL('metrics', serve.rcUrl))).text();
    expect(metrics).toMatch(/webdav_requests_total\{method="PROPFIND",status="2xx"\} [1-9]/);
    expect(metrics).toMatch(/vfs_transfers_total\{direction="down"\} [1-9]/);
  });

  it('its web UI searches below the root only and fetches remote uploads into the served folder', async () => {
    // The store holds the account's paths: the look-up of A/B listed the root and A (top.txt, a.txt) too.
    const ui = (name: string, init: RequestInit = {}) =>
      fetch(new URL(`?api=${name}`, serve.url), { ...init, headers: { authorization: AUTH, 'x-fichier-dav': '1', 'content-type': 'application/json' } });
    // Sub's listing was just forgotten: the coverage counts it, and not the top-level Sub, which is outside.
    const search = (await (await ui('search&q=.txt')).json()) as { hits: { path: string }[]; coverage: unknown };
    expect({ paths: search.hits.map((h) => h.path), coverage: search.coverage }).toEqual({ paths: ['b.txt'], coverage: { rootListed: true, unlistedDirs: 1 } });

    const source = createServer((_req, res) => res.end('fetched by 1fichier'));
    await new Promise<void>((done) => source.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/fetched.txt`;
      const queued = await ui('remote-upload', { method: 'POST', body: JSON.stringify({ urls: [url], folder: '' }) });
      expect(queued.status, await queued.clone().text()).toBe(200);
      await eventually(async () => expect(await files(ids.b)).toEqual(['b.txt', 'fetched.txt']), 15_000);
      expect(await files(0)).toEqual(['top.txt']);
      // Gone again, so that the next tests see B as they left it.
      const fetched = (await emu.stored(ids.b)).files.filter((f) => f.filename === 'fetched.txt').map((f) => ({ url: f.url }));
      await emu.api('file/rm.cgi', { files: fetched });
    } finally {
      await new Promise((done) => source.close(done));
    }
  });

  it('locks, PROPPATCH, local-only files and quota work under it', async () => {
    const lock = await dav(
      'LOCK',
      '/b.txt',
      { 'content-type': 'application/xml', timeout: 'Second-60' },
      '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
    );
    expect(lock.status).toBe(200);
    expect(await lock.text()).toContain('<D:lockroot><D:href>/b.txt</D:href></D:lockroot>');
    expect((await dav('PUT', '/b.txt', {}, 'refused')).status).toBe(423);
    expect((await dav('UNLOCK', '/b.txt', { 'lock-token': lock.headers.get('lock-token')! })).status).toBe(204);

    const patch = await dav(
      'PROPPATCH',
      '/b.txt',
      { 'content-type': 'application/xml' },
      '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:color>green</Z:color></D:prop></D:set></D:propertyupdate>',
    );
    expect(patch.status).toBe(207);
    const props = await dav('PROPFIND', '/b.txt', { depth: '0', 'content-type': 'application/xml' }, '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><Z:color/><D:quota-available-bytes/></D:prop></D:propfind>');
    const text = await props.text();
    expect(text).toMatch(/<(\w+):color>green<\/\1:color>/);
    expect(text).toMatch(/quota-available-bytes>\d+</);

    expect((await dav('PUT', '/.DS_Store', {}, 'finder junk')).status).toBe(201);
    expect((await dav('PUT', '/empty.txt', {}, '')).status).toBe(201);
    expect(await hrefs('/')).toEqual(['/', '/.DS_Store', '/Sub/', '/b.txt', '/empty.txt']);
    expect(await files(ids.b)).toEqual(['b.txt']);
  });

  it('shares its store with the whole account: ls fichier:A/B afterwards answers without an API call', async () => {
    await terminate(serve);
    const before = (await emu.stats()).total;
    const ls = await runCli(['ls', 'fichier:A/B', '--max-depth', '1'], { env });
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/\b4 b\.txt$/m);
    expect((await emu.stats()).total).toBe(before);
  }, 30_000);
});

describe('serve webdav with a root that is not a folder of the account', () => {
  it('exits 2 naming it, before serving anything', async () => {
    const runs = (
      [
        ['A/nope', /"A\/nope" in fichier:, does not exist/],
        ['A/a.txt', /"A\/a\.txt" in fichier:, is a file/],
        ['A/../..', /invalid path "A\/\.\.\/\.\."/],
      ] as const
    ).map(([root, why]) => ({ why, run: spawnServe([`fichier:${root}`, '--addr', '127.0.0.1:0'], env, dir) }));
    for (const { why, run } of runs) {
      const end = await run.exited;
      expect(end.code, run.out()).toBe(2);
      expect(end.stderr).toMatch(why);
      expect(end.stdout).not.toMatch(/serving webdav/);
    }
  }, 60_000);

  it('mount fichier:A/nope DIR exits 2 the same way, without ever starting rclone', async () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const ran = join(dir, 'rclone-ran');
    // The rclone found on PATH only leaves a mark: the command must stop before it would run it.
    writeFileSync(join(bin, 'rclone'), `#!/bin/sh\ntouch '${ran}'\nexit 1\n`, { mode: 0o755 });
    const mnt = mkdtempSync(join(dir, 'mnt-'));
    const r = await runCli(['mount', 'fichier:A/nope', mnt], { env: { ...env, PATH: bin } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/"A\/nope" in fichier:, does not exist/);
    expect(existsSync(ran)).toBe(false);
  }, 30_000);
});

describe('the root from mount.json, and npm start -- fichier:Media', () => {
  it('mount.json root serves that folder when the command line names none', async () => {
    const config = String(env.FICHIER_DAV_CONFIG);
    const withRoot = join(dir, 'mount-root.json');
    writeFileSync(withRoot, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), root: '/A/B/' }));
    const run = await startServe(['--addr', '127.0.0.1:0'], { ...env, FICHIER_DAV_CONFIG: withRoot }, dir);
    try {
      const res = await fetch(run.url, { method: 'PROPFIND', headers: { depth: '1' } });
      const names = [...(await res.text()).matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]).sort();
      // The local-only files the first server kept are there too: same account, same store.
      expect(names).toEqual(['/', '/.DS_Store', '/Sub/', '/b.txt', '/empty.txt']);
      expect(run.out()).toMatch(/Serving the folder fichier:A\/B as the root/);
    } finally {
      await terminate(run);
    }
  }, 60_000);

  it('serve webdav --emulator auto fichier:Media (npm start -- fichier:Media) serves the demo Media folder', async () => {
    const cwd = mkdtempSync(join(dir, 'start-'));
    const run = await startServe(['--emulator', 'auto', 'fichier:Media', '--addr', '127.0.0.1:0', '--cache-dir', join(cwd, 'cache'), '--emulator-data', join(cwd, 'emu')], {}, cwd);
    try {
      const res = await fetch(run.url, { method: 'PROPFIND', headers: { depth: '1' } });
      const names = [...(await res.text()).matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1]!)).sort();
      expect(names).toEqual(['/', '/tone 440 Hz.wav']);
    } finally {
      await terminate(run);
    }
  }, 60_000);
});
