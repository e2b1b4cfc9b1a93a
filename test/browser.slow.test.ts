/**
 * A real browser against the real gateway: Debian's chromium (playwright-core) and `serve webdav --rc` as a child
 * process over the emulator, seeded with the demo tree. A page served from another loopback origin (another
 * port on 127.0.0.1, which is the whole attack: any site's script reaches 127.0.0.1) tries what a malicious page
 * would: read a file and folder listings, DELETE and PUT files, embed a photo, and drive the control port with
 * JSON, text and form posts. All fail, the gateway's own access log shows each request it received refused, and
 * the emulator saw no call at all. A page reached through a DNS-rebinding name (Chromium's host resolver maps
 * evil.test to 127.0.0.1) gets 421s and no data. With --allow-origin naming that page's origin, the same reads
 * succeed, which shows the test can see a success. The gateway's own page (the web file manager of a folder)
 * works; a stored file opened in the tab is not one of its pages (it is sandboxed, an opaque origin), so its
 * requests are refused like any other site's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, servePage, type PageServer, type TestBrowser } from './support/browser.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { killServes, startServe, terminate, type RunningServe } from './support/serve-process.ts';

let emu: TestEmulator;
let page: PageServer;
let gw: RunningServe;
let allowing: RunningServe;
let browser: TestBrowser;
let welcome: string;
const dir = mkdtempSync(join(tmpdir(), 'fdav-browser-'));

const serveArgs = (name: string, extra: string[]): string[] => ['--addr', '127.0.0.1:0', '--cache-dir', join(dir, name), '--pacer-min-interval', '5ms', '-vv', ...extra];

beforeAll(async () => {
  emu = await startEmulator({ demo: true });
  page = await servePage(SITE_PAGE);
  const env = { FICHIER_API_KEY: emu.key, FICHIER_API_URL: emu.apiBase };
  [gw, allowing, browser] = await Promise.all([
    startServe(serveArgs('gw', ['--rc', '--rc-addr', '127.0.0.1:0']), env, dir),
    startServe(serveArgs('allowing', ['--allow-origin', page.origin]), env, dir),
    launchBrowser({ hostMap: { 'evil.test': '127.0.0.1' } }),
  ]);
  welcome = await (await fetch(`${gw.url}welcome.txt`)).text();
  expect(welcome.length).toBeGreaterThan(10);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled([gw && terminate(gw), allowing && terminate(allowing)]);
  killServes();
  await page?.close();
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The account at the emulator, as stored: every file and folder path, sorted. Read through the emulator's admin
 * port, so it is no API call and no listing (walking the tree with folder/ls breaks the listing rules the emulator
 * runs under, and would show a change late).
 */
async function accountTree(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (id: number, prefix: string): Promise<void> => {
    const held = await emu.stored(id);
    for (const f of held.files) out.push(prefix + f.filename);
    for (const d of held.folders) {
      out.push(`${prefix}${d.name}/`);
      await walk(d.id, `${prefix}${d.name}/`);
    }
  };
  await walk(0, '');
  return out.sort();
}

interface Logged {
  kind: 'access' | 'rc';
  method: string;
  path: string;
  status: number;
}

/** The requests a gateway logged (-vv: one access line per WebDAV request, one rc line per control request) after `from` characters of output. */
function logged(run: RunningServe, from: number): Logged[] {
  const out: Logged[] = [];
  for (const m of run.out().slice(from).matchAll(/ (?:INFO access|DEBUG rc) (\{.*\})/g)) {
    const j = JSON.parse(m[1]!) as { method: string; path: string; status: number };
    out.push({ kind: m[0].includes('access') ? 'access' : 'rc', method: j.method, path: j.path, status: j.status });
  }
  return out;
}

/** `logged` once it holds at least `n` control-port POSTs (log lines reach us a moment after the browser has its answer), or after 5 s. */
async function loggedAfter(run: RunningServe, from: number, n: number): Promise<Logged[]> {
  const until = Date.now() + 5000;
  let seen = logged(run, from);
  while (seen.filter((r) => r.kind === 'rc' && r.method === 'POST').length < n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    seen = logged(run, from);
  }
  return seen;
}

type Tab = Awaited<ReturnType<TestBrowser['newPage']>>;

/** What a script can learn from one fetch: the status and text, or the error the browser raised. */
interface Outcome {
  ok: boolean;
  type?: string;
  status?: number;
  text?: string;
  error?: string;
}

/** Runs fetch(url, init) in `p` (a page of some origin) and reports what the page could see. */
async function fetchIn(p: Tab, url: string, init: RequestInit = {}): Promise<Outcome> {
  return p.evaluate(
    async ([u, i]) => {
      try {
        const r = await fetch(u, i);
        return { ok: true, type: r.type, status: r.status, text: await r.text() };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    },
    [url, init] as const,
  );
}

/**
 * The test page of "some web site": besides fetch(), which the tests run directly, it can embed an image and post
 * a real HTML form (what any page can send anywhere without asking) into an iframe.
 */
const SITE_PAGE = `<!doctype html><title>some web site</title><p>nothing to see</p>
<script>
window.probeImage = (url, cors) => new Promise((resolve) => {
  const img = new Image();
  if (cors) img.crossOrigin = 'anonymous';
  img.onload = () => resolve({ loaded: true, width: img.naturalWidth });
  img.onerror = () => resolve({ loaded: false, width: 0 });
  img.src = url;
});
window.postForm = (action, fields, enctype) => new Promise((resolve) => {
  const frame = document.createElement('iframe');
  frame.name = 'sink' + Math.random();
  document.body.append(frame);
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = action;
  form.enctype = enctype;
  form.target = frame.name;
  for (const [k, v] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.name = k;
    input.value = v;
    form.append(input);
  }
  document.body.append(form);
  frame.onload = () => resolve();
  form.submit();
});
</script>`;

/** The helpers SITE_PAGE defines in its window. */
interface SitePage {
  probeImage(url: string, crossOrigin: boolean): Promise<{ loaded: boolean; width: number }>;
  postForm(action: string, fields: Record<string, string>, enctype: string): Promise<void>;
}

/** Whether an <img> of `url` loads in the site page `p` (with `crossorigin` when asked), and its width. */
function imageIn(p: Tab, url: string, crossOrigin: boolean): Promise<{ loaded: boolean; width: number }> {
  return p.evaluate(([u, cors]) => (globalThis as unknown as SitePage).probeImage(u, cors), [url, crossOrigin] as const);
}

/** Submits a real HTML form from the site page `p` into an iframe and waits for the answer. */
function formPostIn(p: Tab, action: string, fields: Record<string, string>, enctype: string): Promise<void> {
  return p.evaluate(([a, f, e]) => (globalThis as unknown as SitePage).postForm(a, f, e), [action, fields, enctype] as const);
}

describe('a web page in a real browser', () => {
  it('on another loopback origin can neither read nor change the drive, nor drive the control port', async () => {
    const tree = await accountTree();
    expect(tree).toEqual(expect.arrayContaining(['welcome.txt', 'Documents/', 'Documents/readme.txt', 'Photos/gradient.bmp']));
    const callsBefore = (await emu.stats()).total;
    const mark = gw.out().length;
    const rc = gw.rcUrl!;
    const tab = await browser.newPage();
    await tab.goto(`${page.origin}/`);

    const reads = {
      file: await fetchIn(tab, `${gw.url}welcome.txt`),
      fileNoCors: await fetchIn(tab, `${gw.url}welcome.txt`, { mode: 'no-cors' }),
      propfind: await fetchIn(tab, `${gw.url}Documents/`, { method: 'PROPFIND', headers: { Depth: '1' } }),
      htmlListing: await fetchIn(tab, `${gw.url}Documents/`, { headers: { Accept: 'text/html' } }),
      rootListing: await fetchIn(tab, gw.url, { method: 'PROPFIND', headers: { Depth: 'infinity', 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><propfind xmlns="DAV:"><allprop/></propfind>' }),
    };
    for (const [name, r] of Object.entries(reads)) {
      expect([name, r.text ?? '']).toEqual([name, '']);
      if (name === 'fileNoCors') expect(r).toMatchObject({ ok: true, type: 'opaque', status: 0 });
      else expect([name, r.ok, r.error]).toEqual([name, false, 'TypeError: Failed to fetch']);
    }
    expect(await imageIn(tab, `${gw.url}Photos/gradient.bmp`, false)).toEqual({ loaded: false, width: 0 });

    const writes = {
      delete: await fetchIn(tab, `${gw.url}welcome.txt`, { method: 'DELETE' }),
      deleteFolder: await fetchIn(tab, `${gw.url}Documents/`, { method: 'DELETE' }),
      put: await fetchIn(tab, `${gw.url}pwned.txt`, { method: 'PUT', body: 'owned' }),
      putNoCors: await fetchIn(tab, `${gw.url}pwned.txt`, { method: 'POST', mode: 'no-cors', body: 'owned' }),
      move: await fetchIn(tab, `${gw.url}welcome.txt`, { method: 'MOVE', headers: { Destination: `${gw.url}moved.txt` } }),
      rcJson: await fetchIn(tab, `${rc}vfs/refresh`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"recursive":true}' }),
      rcText: await fetchIn(tab, `${rc}vfs/refresh?recursive=true`, { method: 'POST', mode: 'no-cors', body: '{"recursive":true}' }),
      rcForget: await fetchIn(tab, `${rc}vfs/forget`, { method: 'POST', mode: 'no-cors' }),
    };
    for (const [name, r] of Object.entries(writes)) {
      if (r.ok) expect([name, r.type, r.status, r.text]).toEqual([name, 'opaque', 0, '']);
      else expect([name, r.error]).toEqual([name, 'TypeError: Failed to fetch']);
    }
    await formPostIn(tab, `${rc}vfs/refresh?recursive=true`, { recursive: 'true' }, 'application/x-www-form-urlencoded');
    await formPostIn(tab, `${rc}vfs/refresh`, { '{"recursive":true, "x":"': '"}' }, 'text/plain');
    await tab.close();

    // The gateway saw every request that left the browser and refused each one; no API call was made.
    const seen = await loggedAfter(gw, mark, 4);
    expect(seen.length).toBeGreaterThanOrEqual(10);
    for (const r of seen) expect([r.kind, r.method, r.path, r.status]).toEqual([r.kind, r.method, r.path, 403]);
    const kinds = new Set(seen.map((r) => `${r.kind} ${r.method}`));
    for (const k of ['access OPTIONS', 'access GET', 'access POST', 'rc OPTIONS', 'rc POST']) expect(kinds).toContain(k);
    expect(seen.filter((r) => r.kind === 'rc' && r.method === 'POST').length).toBe(4);
    expect((await emu.stats()).total).toBe(callsBefore);
    expect(await accountTree()).toEqual(tree);
  });

  it('reached through a DNS-rebinding name (evil.test -> 127.0.0.1) gets 421 and no data, reads and writes alike', async () => {
    const tree = await accountTree();
    const callsBefore = (await emu.stats()).total;
    const port = new URL(gw.url).port;
    const rcPort = new URL(gw.rcUrl!).port;
    const tab = await browser.newPage();
    const landing = await tab.goto(`http://evil.test:${port}/welcome.txt`);
    expect(landing?.status()).toBe(421);
    expect(await tab.content()).not.toContain(welcome.slice(0, 20));
    expect(await tab.textContent('body')).toMatch(/misdirected request/);

    // From here the page is "same-origin" with the gateway's socket: no CORS stands in the way, only the Host check.
    const sameSocket = {
      file: await fetchIn(tab, '/welcome.txt'),
      propfind: await fetchIn(tab, '/Documents/', { method: 'PROPFIND', headers: { Depth: '1' } }),
      del: await fetchIn(tab, '/welcome.txt', { method: 'DELETE' }),
      put: await fetchIn(tab, '/pwned.txt', { method: 'PUT', body: 'owned' }),
    };
    for (const [name, r] of Object.entries(sameSocket)) {
      expect([name, r.ok, r.status]).toEqual([name, true, 421]);
      expect(r.text).not.toContain(welcome.slice(0, 20));
      expect(r.text).not.toMatch(/multistatus|readme\.txt/);
    }
    const rcLanding = await tab.goto(`http://evil.test:${rcPort}/`);
    expect(rcLanding?.status()).toBe(421);
    const rcCall = await fetchIn(tab, '/vfs/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"recursive":true}' });
    expect([rcCall.ok, rcCall.status]).toEqual([true, 421]);
    await tab.close();
    expect((await emu.stats()).total).toBe(callsBefore);
    expect(await accountTree()).toEqual(tree);
  });

  it('with --allow-origin naming that page, reads the drive (the test sees a success); the gateway\'s own pages work', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${page.origin}/`);
    const file = await fetchIn(tab, `${allowing.url}welcome.txt`);
    expect(file).toMatchObject({ ok: true, type: 'cors', status: 200, text: welcome });
    const listing = await fetchIn(tab, `${allowing.url}Documents/`, { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(listing).toMatchObject({ ok: true, status: 207 });
    expect(listing.text).toContain('readme.txt');
    expect(await imageIn(tab, `${allowing.url}Photos/gradient.bmp`, true)).toEqual({ loaded: true, width: 64 });
    // Another origin is still refused by the allowing gateway, and the plain gateway refuses this one.
    expect((await fetchIn(tab, `${gw.url}welcome.txt`)).ok).toBe(false);

    const own = await browser.newPage();
    const nav = await own.goto(`${gw.url}Documents/`);
    expect(nav?.status()).toBe(200);
    expect(nav?.headers()['content-type']).toBe('text/html; charset=utf-8');
    const ownListing = await fetchIn(own, `${gw.url}Documents/`, { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(ownListing).toMatchObject({ ok: true, status: 207 });
    const put = await fetchIn(own, `${gw.url}Documents/from-own-page.txt`, { method: 'PUT', body: 'same origin' });
    expect(put).toMatchObject({ ok: true, status: 201 });
    expect(await fetchIn(own, `${gw.url}Documents/from-own-page.txt`, { method: 'DELETE' })).toMatchObject({ ok: true, status: 204 });
    const stored = await own.goto(`${gw.url}Documents/readme.txt`);
    expect([stored?.status(), stored?.headers()['content-security-policy']]).toEqual([200, 'sandbox']);
    expect(await fetchIn(own, `${gw.url}Documents/`, { method: 'PROPFIND', headers: { Depth: '1' } })).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    await own.close();
    await tab.close();
  });
});
