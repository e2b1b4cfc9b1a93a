/**
 * A real browser for tests: Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by playwright-core,
 * which downloads no browser of its own. Flags: headless, no sandbox (containers), no GPU, no QUIC, and none of
 * Chrome's background traffic (first-run, component updates, sync, background networking), so a test talks only
 * to the loopback servers it starts. Each launch gets a fresh, temporary profile (playwright passes its own
 * --user-data-dir and removes it on close).
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts a headless Chromium. Close it with `browser.close()`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}
