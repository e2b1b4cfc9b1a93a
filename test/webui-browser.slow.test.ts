/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against the real gateway process
 * (bin/fichier-dav.js serve webdav, so the client is bundled exactly as `npm start` bundles it) over the emulator:
 * one writable server with Basic auth under --baseurl /dav, and one read-only anonymous server over its embedded
 * emulator (what `npm start` does without a key).
 *
 * Covered: browse into a folder and back (breadcrumbs, history, keyboard), sort, search (and its note about
 * folders never listed), upload through the file input (listed, and seen by PROPFIND), a dropped file, a folder
 * with sub-folders, names that exist (asked first; refused by the server and replaced on request), a 200 MB
 * upload with its progress, a cancelled upload, new folder / rename / move (dialog and drag onto a folder) / delete with
 * confirmation and multi-select, links for three files (each downloads the right bytes; saved as .txt), a remote
 * upload reaching done, read-only mode without write actions, hostile names rendered as text, a 5,000-entry
 * folder's time to first render, no CSP violation or script error anywhere. The page works through the browser
 * guard every request passes (its writes carry its own Origin and are served). A stored HTML or SVG file opened in
 * the browser runs no script (its answer is sandboxed) and its requests are refused as cross-site, while a stored
 * sound still plays, opened directly and in a `<video>` of a page whose origin is listed with --allow-origin. It
 * also takes the README screenshot (written to docs/webui.png with UPDATE_SCREENSHOT=1).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapHost } from '../src/api/hosts.ts';
import { newFileRow } from '../src/emulator/catalog.ts';
import { ROOT_ID, State } from '../src/emulator/state.ts';
import { whirlpoolHex } from '../src/util/whirlpool.ts';
import { launchBrowser, servePage, type PageServer, type TestBrowser } from './support/browser.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { killServes, startServe, terminate, type RunningServe } from './support/serve-process.ts';

const USER = 'webuser';
const PASS = 'web:pa ss';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
const BIG_FOLDER_FILES = 5000;
const LARGE_BYTES = 200 * 1024 * 1024;
const HOSTILE = `<img src=x onerror=window.__pwned=1> "dq" 'sq' &amp; <script>window.__pwned=2<!--.txt`;
const HOSTILE_DIR = `"><svg onload=window.__pwned=3> &lt;b&gt;`;
/** A folder that looks like a real one, for the screenshot (and the 200 MB upload goes there). */
const SHOWCASE: Record<string, number> = {
  'Holidays 2024/': 0,
  'Projects/': 0,
  'Annual report 2024.pdf': 1_248_113,
  'Budget.xlsx': 48_310,
  'concert.flac': 2_157_280,
  'family.jpg': 912_004,
  'notes.md': 2_201,
  'release-1.4.2.tar.gz': 1_576_543,
  'trip.mkv': 3_420_256,
};
const FILES: Record<string, Buffer> = { 'a.txt': Buffer.from('alpha\n'), 'b.txt': Buffer.from('bravo bravo\n'), 'c.txt': randomBytes(3000) };

const dir = mkdtempSync(join(tmpdir(), 'fdav-webui-'));
let emu: TestEmulator;
let payloadServer: Server;
let payloadUrl: string;
const payload = randomBytes(4096);
const servers: RunningServe[] = [];

/** Peak resident memory of process `pid` so far, in MiB (Linux /proc). */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
let rw: string;
let ro: string;
let rwPid: number;
let browser: TestBrowser;
let page: Page;
/** A page of another origin, listed with --allow-origin on the read-only gateway (a web client of the drive). */
let player: PageServer;
/** The page's requests that change something (method, status, and where the browser said they came from). */
const writes: { method: string; url: string; status: number; origin: string | undefined; site: string | undefined }[] = [];
const WRITE_METHODS = new Set(['PUT', 'MKCOL', 'MOVE', 'COPY', 'DELETE', 'POST']);
const problems: string[] = [];

/** Seeds the emulator's data dir before it opens: a folder of BIG_FOLDER_FILES small files sharing one blob. */
async function seedBigFolder(dataDir: string): Promise<void> {
  const small = Buffer.from('one of many\n');
  const hash = await whirlpoolHex(small);
  mkdirSync(join(dataDir, 'blobs'), { recursive: true });
  writeFileSync(join(dataDir, 'blobs', hash), small);
  const state = new State(join(dataDir, 'emulator.sqlite'), Date.now());
  try {
    state.tx(() => {
      const big = state.createFolder(ROOT_ID, 'big', Date.now()).id;
      for (let i = 1; i <= BIG_FOLDER_FILES; i++) state.insertFile(newFileRow({ folderId: big, filename: `file-${String(i).padStart(4, '0')}.txt`, size: small.length, date: Date.now() - i * 1000, checksum: hash }));
    });
  } finally {
    state.close();
  }
}

/** A gateway over the test emulator, or with `embedded` over its own embedded emulator (no key given). */
async function startGateway(args: string[], embedded = false): Promise<{ url: string; pid: number }> {
  const cacheDir = mkdtempSync(join(dir, 'cache-'));
  const mountJson = join(cacheDir, 'mount.json');
  writeFileSync(mountJson, JSON.stringify({ pacer: { minIntervalMs: 20 } }));
  const account = embedded ? { FICHIER_DAV_EMULATOR: 'on', FICHIER_DAV_EMULATOR_DATA: join(cacheDir, 'emulator') } : { FICHIER_API_KEY: emu.key, FICHIER_API_URL: emu.apiBase };
  const run = await startServe(['--addr', '127.0.0.1:0', '--cache-dir', cacheDir, ...args], { FICHIER_DAV_CONFIG: mountJson, ...account }, dir);
  servers.push(run);
  return { url: run.url, pid: run.child.pid! };
}

async function dav(method: string, url: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Response> {
  return fetch(url, { method, headers: { authorization: AUTH, ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/** The names in a PROPFIND Depth 1 of `url` (the folder itself left out). */
async function propfindNames(url: string): Promise<string[]> {
  const res = await dav('PROPFIND', url, { headers: { depth: '1' } });
  expect(res.status).toBe(207);
  const hrefs = [...(await res.text()).matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]!);
  const self = new URL(url).pathname;
  return hrefs.filter((h) => h !== self).map((h) => decodeURIComponent(h.replace(/\/$/, '').split('/').pop()!));
}

/**
 * GET of a direct link as a client of the emulator: a token that redirects to another download host (a quarter of
 * them, as on the real service) is followed on the emulator, where that host's name is mapped (api/hosts.ts).
 */
async function fetchLink(url: string): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual' });
  const to = res.headers.get('location');
  return res.status === 302 && to !== null ? fetch(mapHost(to, emu.apiBase)) : res;
}

/** Names of the rows on screen, in order. */
const rowNames = (): Promise<string[]> => page.locator('.list-viewport .row .name').allTextContents();
const row = (path: string) => page.locator(`.list-viewport .row[data-path="${path.replace(/["\\]/g, '\\$&')}"]`);
const status = () => page.locator('.statusbar');
/** Clicks a row away from its name (a click on the name opens the file or folder). */
const select = (path: string, modifiers: ('Control' | 'Shift')[] = []) => row(path).locator('.c-date').click({ modifiers });
const action = (name: string) => page.locator(`.toolbar [data-action="${name}"]`);

async function openPage(url: string): Promise<void> {
  await page.goto(url);
  await status().filter({ hasText: /folder|file/ }).waitFor();
}

beforeAll(async () => {
  const dataDir = join(dir, 'emu');
  await seedBigFolder(dataDir);
  emu = await startEmulator({ dataDir });
  payloadServer = createServer((req, res) => {
    if (req.url === '/payload.bin') res.end(payload);
    else res.writeHead(404).end();
  });
  payloadServer.listen(0, '127.0.0.1');
  await once(payloadServer, 'listening');
  payloadUrl = `http://127.0.0.1:${(payloadServer.address() as AddressInfo).port}/payload.bin`;

  player = await servePage('<!doctype html><title>player</title><p>a web client of the drive</p>');
  const [writable, readOnly] = await Promise.all([
    startGateway(['--user', USER, '--pass', PASS, '--baseurl', '/dav']),
    startGateway(['--read-only', '--allow-origin', player.origin], true),
  ]);
  [rw, ro, rwPid] = [writable.url, readOnly.url, writable.pid];
  expect(rw).toMatch(/\/dav\/$/);
  expect((await dav('MKCOL', `${rw}docs/`)).status).toBe(201);
  expect((await dav('MKCOL', `${rw}${encodeURIComponent(HOSTILE_DIR)}/`)).status).toBe(201);
  expect((await dav('MKCOL', `${rw}Showcase/`)).status).toBe(201);
  for (const [name, size] of Object.entries(SHOWCASE)) {
    const res = name.endsWith('/') ? await dav('MKCOL', `${rw}Showcase/${encodeURIComponent(name.slice(0, -1))}/`) : await dav('PUT', `${rw}Showcase/${encodeURIComponent(name)}`, { body: Buffer.alloc(size, 7) });
    expect(res.status).toBe(201);
  }
  for (const [name, body] of Object.entries({ ...FILES, [HOSTILE]: Buffer.from('hostile\n') })) {
    const where = name === HOSTILE ? '' : 'docs/';
    expect((await dav('PUT', `${rw}${where}${encodeURIComponent(name)}`, { body })).status).toBe(201);
  }

  browser = await launchBrowser({
    context: { httpCredentials: { username: USER, password: PASS }, viewport: { width: 1280, height: 760 }, acceptDownloads: true, locale: 'en-GB', timezoneId: 'Europe/Paris' },
  });
  page = await browser.newPage();
  page.on('console', (m) => {
    // Chromium logs every failed request; the one the tests provoke on purpose (412, a name that exists) is not a problem.
    if (/Failed to load resource: .* 412 /.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', async (res) => {
    const req = res.request();
    if (!WRITE_METHODS.has(req.method()) || !req.url().startsWith(rw)) return;
    const headers = await req.allHeaders();
    writes.push({ method: req.method(), url: req.url(), status: res.status(), origin: headers['origin'], site: headers['sec-fetch-site'] });
  });
  page.on('dialog', (d) => {
    problems.push(`unexpected ${d.type()} dialog: ${d.message()}`);
    void d.dismiss();
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => terminate(s).catch(() => undefined)));
  killServes();
  payloadServer?.close();
  await player?.close();
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web UI in Chromium', () => {
  it('browses into a folder and back: links, breadcrumbs, history and keyboard', async () => {
    await openPage(rw);
    expect(await rowNames()).toEqual([HOSTILE_DIR, 'big', 'docs', 'Showcase', HOSTILE]);
    await expect.poll(() => page.locator('.notice.emulator').count()).toBe(0);
    await row('docs').locator('a.name').click();
    await page.waitForURL(/\/dav\/docs\/$/);
    await status().filter({ hasText: '3 files' }).waitFor();
    expect(await rowNames()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(await page.locator('.crumbs .crumb').allTextContents()).toEqual(['Home', 'docs']);
    await page.locator('.crumbs .crumb', { hasText: 'Home' }).click();
    await page.waitForURL(/\/dav\/$/);
    await row('docs').waitFor();
    await page.goBack();
    await page.waitForURL(/\/dav\/docs\/$/);
    await row('docs/a.txt').waitFor();
    // Keyboard: Backspace goes up and keeps the folder we came from selected; Enter opens the focused row.
    await page.locator('.list-viewport').focus();
    await page.keyboard.press('Backspace');
    await page.waitForURL(/\/dav\/$/);
    await expect.poll(() => row('docs').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dav\/docs\/$/);
    await row('docs/a.txt').waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => status().textContent()).toMatch(/2 selected/);
  });

  it('sorts by size and by name, folders first', async () => {
    await openPage(`${rw}docs/`);
    await page.locator('button[data-sort="size"]').click();
    expect(await rowNames()).toEqual(['c.txt', 'b.txt', 'a.txt']);
    await page.locator('button[data-sort="size"]').click();
    expect(await rowNames()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    await page.locator('button[data-sort="name"]').click();
    await page.locator('button[data-sort="name"]').click();
    expect(await rowNames()).toEqual(['c.txt', 'b.txt', 'a.txt']);
    await page.locator('button[data-sort="name"]').click();
    await expect.poll(() => page.locator('[role=columnheader][aria-sort=ascending]').textContent()).toMatch(/Name/);
  });

  it('renders hostile names as text: rows, breadcrumbs, title and dialogs run nothing', async () => {
    await openPage(rw);
    expect(await row(HOSTILE).locator('a.name').textContent()).toBe(HOSTILE);
    await row(HOSTILE_DIR).locator('a.name').click();
    await status().filter({ hasText: '0 folders, 0 files' }).waitFor();
    await page.locator('.crumbs .crumb[aria-current]').filter({ hasText: HOSTILE_DIR }).waitFor();
    expect(await page.title()).toBe(`/${HOSTILE_DIR} – fichier-dav`);
    await page.goBack();
    await status().filter({ hasText: '4 folders, 1 file' }).waitFor();
    await select(HOSTILE);
    await action('delete').click();
    await expect.poll(() => page.locator('dialog .names li').allTextContents()).toEqual([HOSTILE]);
    await page.locator('dialog button', { hasText: 'Cancel' }).click();
    expect(await page.locator('main img, main script, main svg[onload], dialog img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
  });

  it('searches the whole account from what the gateway has listed, and says what it could not search', async () => {
    await openPage(rw);
    await page.locator('input.search').fill('b.TXT');
    await status().filter({ hasText: '1 match' }).waitFor();
    expect(await rowNames()).toEqual(['b.txt']);
    expect(await row('docs/b.txt').locator('.c-folder').textContent()).toBe('docs');
    // Nobody has opened `big` yet, so its files are not searched, and the page says so.
    await expect.poll(() => page.locator('.notice').textContent()).toMatch(/\d+ folders? (has|have) never been listed/);
    await row('docs/b.txt').dblclick();
    await page.waitForURL(/\/dav\/docs\/$/);
    await expect.poll(() => row('docs/b.txt').getAttribute('aria-selected')).toBe('true');
  });

  it('lists a 5,000-entry folder fast and keeps the DOM small', async () => {
    const started = Date.now();
    await page.goto(`${rw}big/`);
    await status().filter({ hasText: '5,000 files' }).waitFor();
    const wallMs = Date.now() - started;
    const listedAt = await page.evaluate(() => performance.getEntriesByName('fdav-listed')[0]?.startTime ?? -1);
    const domRows = await page.locator('.list-viewport .row').count();
    console.log(`5,000-entry folder: first render ${Math.round(listedAt)} ms after navigation start (wall ${wallMs} ms, cold listing included); ${domRows} rows in the DOM`);
    expect(listedAt).toBeGreaterThan(0);
    expect(listedAt).toBeLessThan(8000);
    expect(domRows).toBeLessThan(100);
    await page.locator('.list-viewport').focus();
    await page.keyboard.press('End');
    await row('big/file-5000.txt').waitFor();
    const warm = Date.now();
    await page.reload();
    await status().filter({ hasText: '5,000 files' }).waitFor();
    const warmListed = await page.evaluate(() => performance.getEntriesByName('fdav-listed')[0]?.startTime ?? -1);
    console.log(`5,000-entry folder, cached listing: first render ${Math.round(warmListed)} ms after navigation start (wall ${Date.now() - warm} ms)`);
    expect(warmListed).toBeLessThan(3000);
  });

  it('uploads through the file input and by dropping a file: listed, and seen by PROPFIND', async () => {
    await openPage(`${rw}docs/`);
    const local = join(dir, 'picked file é.txt');
    writeFileSync(local, 'picked through the input\n');
    await page.setInputFiles('input[data-upload="files"]', local);
    await row('docs/picked file é.txt').waitFor();
    await page.locator('.uploads li[data-state="done"]').first().waitFor();
    expect(await propfindNames(`${rw}docs/`)).toContain('picked file é.txt');
    const got = await dav('GET', `${rw}docs/${encodeURIComponent('picked file é.txt')}`);
    expect(await got.text()).toBe('picked through the input\n');

    // A drop from outside the page (the DataTransfer a file manager hands over, built in the page).
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes\\n'], 'dropped.txt', { type: 'text/plain' }));
      const main = document.querySelector('main');
      main.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      main.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await row('docs/dropped.txt').waitFor();
    expect(await (await dav('GET', `${rw}docs/dropped.txt`)).text()).toBe('dropped bytes\n');
  });

  it('uploads a folder with its sub-folders, and never overwrites without asking', async () => {
    await openPage(`${rw}Showcase/`);
    const album = join(dir, 'Album');
    mkdirSync(join(album, 'Disc 2'), { recursive: true });
    writeFileSync(join(album, 'cover.txt'), 'cover\n');
    writeFileSync(join(album, 'Disc 2', 'track 01.txt'), 'track one\n');
    await page.setInputFiles('input[data-upload="folder"]', album);
    // The page sends several files at once, so either may end first: wait for both.
    for (const p of ['Showcase/Album/cover.txt', 'Showcase/Album/Disc 2/track 01.txt']) await page.locator(`.uploads li[data-path="${p}"][data-state="done"]`).waitFor();
    expect((await propfindNames(`${rw}Showcase/Album/`)).sort()).toEqual(['Disc 2', 'cover.txt']);
    expect(await (await dav('GET', `${rw}Showcase/Album/Disc%202/track%2001.txt`)).text()).toBe('track one\n');
    await row('Showcase/Album').waitFor();

    // A name the page knows exists: it asks first ("Skip them" sends nothing).
    const notes = join(dir, 'notes.md');
    writeFileSync(notes, 'not these notes\n');
    await page.setInputFiles('input[data-upload="files"]', notes);
    await page.locator('dialog', { hasText: '1 file already exists here' }).waitFor();
    await page.locator('dialog button', { hasText: 'Skip them' }).click();
    expect((await dav('GET', `${rw}Showcase/notes.md`)).headers.get('content-length')).toBe(String(SHOWCASE['notes.md']));

    // A name that appeared after the page listed the folder: the server refuses (If-None-Match), the page says
    // why and offers Replace.
    expect((await dav('PUT', `${rw}Showcase/late.txt`, { body: 'theirs\n' })).status).toBe(201);
    const late = join(dir, 'late.txt');
    writeFileSync(late, 'mine\n');
    await page.setInputFiles('input[data-upload="files"]', late);
    const item = page.locator('.uploads li[data-path="Showcase/late.txt"]');
    await item.and(page.locator('[data-state="failed"]')).waitFor();
    expect(await item.locator('.upload-error').textContent()).toBe('Could not upload late.txt: Something with that name already exists.');
    await item.locator('button', { hasText: 'Replace' }).click();
    await item.and(page.locator('[data-state="done"]')).waitFor();
    expect(await (await dav('GET', `${rw}Showcase/late.txt`)).text()).toBe('mine\n');
  });

  it('uploads a 200 MB file as a stream, with progress along the way', async () => {
    await openPage(`${rw}Showcase/`);
    await select('Showcase/family.jpg');
    await select('Showcase/trip.mkv', ['Control']);
    const local = join(dir, 'large.bin');
    const out = createWriteStream(local);
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < LARGE_BYTES / chunk.length; i++) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    const started = Date.now();
    await page.setInputFiles('input[data-upload="files"]', local);
    const item = page.locator('.uploads li[data-path="Showcase/large.bin"]');
    const seen = new Set<number>();
    let shot: Buffer | undefined;
    for (;;) {
      const state = await item.getAttribute('data-state');
      const loaded = Number(await item.getAttribute('data-loaded'));
      seen.add(loaded);
      // The README's screenshot: a folder, a selection, and an upload on its way.
      if (!shot && loaded > LARGE_BYTES * 0.25 && loaded < LARGE_BYTES * 0.75) shot = await page.screenshot();
      if (state === 'done' || state === 'failed') break;
      await page.waitForTimeout(100);
    }
    const secs = (Date.now() - started) / 1000;
    const peak = peakRssMiB(rwPid);
    console.log(`200 MB upload through the browser: ${secs.toFixed(1)} s (${(LARGE_BYTES / 1048576 / secs).toFixed(1)} MiB/s), ${seen.size} distinct progress values seen; gateway peak RSS ${peak.toFixed(0)} MiB`);
    // The gateway streams the body on to 1fichier: holding the file (200 MiB) on top of its ~100 MiB baseline would pass 300.
    expect(peak).toBeLessThan(250);
    expect(await item.getAttribute('data-state')).toBe('done');
    const partial = [...seen].filter((n) => n > 0 && n < LARGE_BYTES);
    expect(partial.length).toBeGreaterThanOrEqual(3);
    const res = await dav('PROPFIND', `${rw}Showcase/large.bin`, { headers: { depth: '0' } });
    expect(await res.text()).toContain(`<D:getcontentlength>${LARGE_BYTES}</D:getcontentlength>`);
    const tail = await dav('GET', `${rw}Showcase/large.bin`, { headers: { range: `bytes=${LARGE_BYTES - 16}-` } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(chunk.subarray(chunk.length - 16));
    await row('Showcase/large.bin').waitFor();
    expect(await row('Showcase/large.bin').locator('.c-size').textContent()).toBe('200 MiB');
    shot ??= await page.screenshot();

    // Cancel: the request is aborted and the gateway stores nothing.
    const again = join(dir, 'cancel-me.bin');
    symlinkSync(local, again);
    await page.setInputFiles('input[data-upload="files"]', again);
    const cancelled = page.locator('.uploads li[data-path="Showcase/cancel-me.bin"]');
    await expect.poll(async () => Number(await cancelled.getAttribute('data-loaded')), { timeout: 30_000 }).toBeGreaterThan(0);
    await cancelled.locator('button', { hasText: 'Cancel' }).click();
    await cancelled.and(page.locator('[data-state="cancelled"]')).waitFor();
    await expect.poll(() => propfindNames(`${rw}Showcase/`)).not.toContain('cancel-me.bin');
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    writeFileSync(process.env.UPDATE_SCREENSHOT === '1' ? join(import.meta.dirname, '..', 'docs', 'webui.png') : join(dir, 'webui.png'), shot);
  });

  it('creates, renames, moves (dialog and drag) and deletes with confirmation', async () => {
    await openPage(`${rw}docs/`);
    await action('new-folder').click();
    await page.locator('dialog input').fill('Box');
    await page.locator('dialog button[type=submit]').click();
    await expect.poll(() => row('docs/Box').getAttribute('aria-selected')).toBe('true');

    await select('docs/dropped.txt');
    await page.keyboard.press('F2');
    await page.locator('dialog input').fill('renamed.txt');
    await page.keyboard.press('Enter');
    await row('docs/renamed.txt').waitFor();
    expect(await propfindNames(`${rw}docs/`)).not.toContain('dropped.txt');

    await select('docs/renamed.txt');
    await action('move').click();
    await page.locator('dialog .folder-list li', { hasText: 'Box' }).click();
    await page.locator('dialog .crumbs .crumb', { hasText: 'Box' }).waitFor();
    await page.locator('dialog button', { hasText: 'Move here' }).click();
    await expect.poll(() => row('docs/renamed.txt').count()).toBe(0);
    expect(await propfindNames(`${rw}docs/Box/`)).toEqual(['renamed.txt']);

    await row('docs/picked file é.txt').dragTo(row('docs/Box'));
    await expect.poll(() => row('docs/picked file é.txt').count()).toBe(0);
    expect((await propfindNames(`${rw}docs/Box/`)).sort()).toEqual(['picked file é.txt', 'renamed.txt']);

    // Multi-select, the Delete key, the confirmation (first cancelled, then accepted).
    expect((await dav('PUT', `${rw}docs/scratch.txt`, { body: 'scratch' })).status).toBe(201);
    await page.reload();
    await select('docs/Box');
    await select('docs/scratch.txt', ['Control']);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('dialog .names li').allTextContents()).toEqual(['Box/', 'scratch.txt']);
    await page.locator('dialog button', { hasText: 'Cancel' }).click();
    expect(await propfindNames(`${rw}docs/`)).toContain('Box');
    await action('delete').click();
    await page.locator('dialog button.danger', { hasText: 'Delete' }).click();
    await expect.poll(() => row('docs/Box').count()).toBe(0);
    await expect.poll(() => row('docs/scratch.txt').count()).toBe(0);
    expect((await propfindNames(`${rw}docs/`)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });

  it('gets direct links for three selected files; each downloads the right bytes; saved as .txt', async () => {
    await openPage(`${rw}docs/`);
    await select('docs/a.txt');
    await select('docs/c.txt', ['Shift']);
    await action('links').click();
    await page.locator('dialog .links-status', { hasText: '3 links ready' }).waitFor();
    const urls = (await page.locator('dialog textarea').inputValue()).trim().split('\n');
    expect(urls).toHaveLength(3);
    for (const [i, name] of ['a.txt', 'b.txt', 'c.txt'].entries()) {
      const res = await fetchLink(urls[i]!);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(FILES[name]);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('dialog button', { hasText: 'Save as .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('links.txt');
    expect(readFileSync((await download.path())!, 'utf8').trim().split('\n')).toEqual(urls);
    await page.locator('dialog button', { hasText: 'Close' }).click();
    await expect.poll(() => page.locator('dialog').count()).toBe(0);
  });

  it('follows a remote upload until it is done and shows the fetched file', async () => {
    await openPage(`${rw}docs/`);
    await action('remote-upload').click();
    await page.locator('dialog textarea').fill(payloadUrl);
    expect(await page.locator('dialog input').inputValue()).toBe('/docs');
    await page.locator('dialog button', { hasText: 'Start' }).click();
    await page.locator('dialog .job[data-state="done"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('dialog .job li[data-status="OK"]').count()).toBe(1);
    await page.locator('dialog button', { hasText: 'Close' }).click();
    await row('docs/payload.bin').waitFor();
    expect(Buffer.from(await (await dav('GET', `${rw}docs/payload.bin`)).arrayBuffer())).toEqual(payload);
  });

  it('a read-only server offers no write action and refuses writes anyway; the emulator says it is one', async () => {
    await openPage(ro);
    await row('Documents').waitFor();
    await page.locator('.notice.emulator').waitFor();
    expect(await page.locator('.notice.emulator').textContent()).toMatch(/Local emulator/);
    expect(await page.locator('.toolbar button').allTextContents()).toEqual(['Links', 'Reload']);
    await expect.poll(() => page.locator('.account .badge.readonly').textContent()).toMatch('read-only');
    expect(await row('Documents').getAttribute('draggable')).toBeNull();
    const put = await fetch(`${ro}Documents/new.txt`, { method: 'PUT', headers: { 'X-Fichier-Dav': '1' }, body: 'x' });
    expect(put.status).toBe(403);
    expect(await propfindNames(`${ro}Documents/`)).not.toContain('new.txt');
  });

  it('works through the browser guard: every write it sends carries its own origin and is served', () => {
    const origin = new URL(rw).origin;
    const methods = new Set(writes.map((w) => w.method));
    for (const m of ['PUT', 'MKCOL', 'MOVE', 'DELETE', 'POST']) expect(methods, `the page sent a ${m}`).toContain(m);
    for (const w of writes) {
      expect([w.method, w.origin, w.site]).toEqual([w.method, origin, 'same-origin']);
      // 412: the name that appeared behind the page's back (the upload test provokes it); nothing was refused.
      expect([w.method, w.url, w.status < 400 || w.status === 412]).toEqual([w.method, w.url, true]);
    }
  });

  it('a stored HTML or SVG file opened in the browser runs nothing, and what it loads is refused as cross-site', async () => {
    const trap = (label: string) =>
      `document.title = 'ran'; fetch('${rw}', { method: 'PROPFIND', headers: { Depth: '1' } }).then((r) => r.text()).then((t) => { document.title = 'read ' + t.length; });` +
      ` fetch('${rw}docs/victim.txt', { method: 'DELETE' }).then((r) => { document.title = '${label} deleted ' + r.status; });`;
    const files: Record<string, string> = {
      'evil.html': `<!doctype html><html><head><title>stored page</title></head><body><p id="shown">Shown as a page, without its script.</p><img src="${rw}docs/a.txt"><script>${trap('html')}</script></body></html>`,
      'evil.svg': `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>stored image</title><script>${trap('svg')}</script><rect width="10" height="10"/></svg>`,
    };
    expect((await dav('PUT', `${rw}docs/victim.txt`, { body: 'still here\n' })).status).toBe(201);
    for (const [name, body] of Object.entries(files)) expect((await dav('PUT', `${rw}docs/${name}`, { body })).status).toBe(201);
    const listed = (await propfindNames(`${rw}docs/`)).sort();

    const evil = await browser.newPage();
    const console: string[] = [];
    const answers: { url: string; status: number; site: string | undefined }[] = [];
    evil.on('console', (m) => console.push(m.text()));
    evil.on('response', async (res) => answers.push({ url: res.url(), status: res.status(), site: (await res.request().allHeaders())['sec-fetch-site'] }));
    try {
      for (const name of Object.keys(files)) {
        const res = await evil.goto(`${rw}docs/${name}`);
        expect(res!.status()).toBe(200);
        expect(res!.headers()['content-security-policy']).toBe('sandbox');
        await evil.waitForLoadState('load');
        // the script never ran: the title is the file's own, and the browser says why
        expect(await evil.title()).toBe(name === 'evil.html' ? 'stored page' : 'stored image');
        await expect.poll(() => console.filter((t) => /Blocked script execution .*sandboxed/.test(t) && t.includes(name)).length).toBeGreaterThan(0);
      }
      await evil.goto(`${rw}docs/evil.html`);
      expect(await evil.locator('#shown').textContent()).toBe('Shown as a page, without its script.');
      // The page's own image request comes from an opaque origin: cross-site, refused by the guard.
      await expect.poll(() => answers.filter((a) => a.url === `${rw}docs/a.txt`).map((a) => [a.status, a.site])).toContainEqual([403, 'cross-site']);
    } finally {
      await evil.close();
    }
    expect(await (await dav('GET', `${rw}docs/victim.txt`)).text()).toBe('still here\n');
    expect((await propfindNames(`${rw}docs/`)).sort()).toEqual(listed);
    for (const name of [...Object.keys(files), 'victim.txt']) expect((await dav('DELETE', `${rw}docs/${name}`)).status).toBe(204);
  });

  it('a stored sound still plays: opened directly, and in a <video> of a web client listed with --allow-origin', async () => {
    const tone = `${ro}Media/${encodeURIComponent('tone 440 Hz.wav')}`;
    const listen = await browser.newPage();
    try {
      const res = await listen.goto(tone);
      expect(res!.headers()['x-content-type-options']).toBe('nosniff');
      // No sandbox for media: Chromium shows a media file in a document of its own, whose <video crossorigin>
      // loads the file again, which fails from a sandbox's opaque origin.
      expect(res!.headers()['content-security-policy']).toBeUndefined();
      await expect.poll(() => listen.evaluate<number>(`document.querySelector('video')?.readyState ?? -1`), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
      expect(await listen.evaluate<number>(`Math.round(document.querySelector('video').duration * 10) / 10`)).toBe(1.5);

      await listen.goto(player.origin);
      const played = await listen.evaluate<{ duration: number; time: number; error: number | null }>(`(async () => {
        const video = document.createElement('video');
        video.crossOrigin = 'anonymous';
        video.muted = true;
        video.src = ${JSON.stringify(tone)};
        document.body.append(video);
        await video.play();
        await new Promise((r) => setTimeout(r, 300));
        return { duration: video.duration, time: video.currentTime, error: video.error?.code ?? null };
      })()`);
      expect(played.error).toBeNull();
      expect(Math.round(played.duration * 10) / 10).toBe(1.5);
      expect(played.time).toBeGreaterThan(0);
    } finally {
      await listen.close();
    }
  });

  it('had no script error and no Content-Security-Policy violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
