/**
 * A real browser for tests: Debian's chromium (never a downloaded build) driven by playwright-core, in a fresh
 * profile, headless, with the network quiet (no QUIC, no background or component traffic), so every request it
 * makes is one the test asked for and goes to loopback. Also a tiny page server, to give a test page an origin
 * of its own (another port on 127.0.0.1).
 *
 * `CHROMIUM` overrides the executable (default /usr/bin/chromium, which `.ci/run` installs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags of every test browser (the sandbox needs privileges a CI container lacks). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; actions and navigations time out after 15 s. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Host names resolved to an address without DNS (Chromium's --host-resolver-rules), e.g. { 'evil.test': '127.0.0.1' }. */
  hostMap?: Record<string, string>;
  /** More Chromium flags. */
  args?: string[];
  /** Options of the browser's one context: credentials for Basic auth, viewport, downloads, locale, time zone... */
  context?: BrowserContextOptions;
}

/** Launches chromium headless in a fresh profile (--user-data-dir in a temp dir). */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'fdav-chromium-'));
  const rules = Object.entries(opts.hostMap ?? {}).map(([name, addr]) => `MAP ${name} ${addr}`);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      ...opts.context,
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(rules.length > 0 ? [`--host-resolver-rules=${rules.join(', ')}`] : []), ...(opts.args ?? [])],
      timeout: 60_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

/** Serves `html` (text/html) at every path on 127.0.0.1:<random port>. */
export async function servePage(html: string): Promise<PageServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
