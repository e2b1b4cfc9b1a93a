/**
 * Several gateways on one account for the shared-state tests: each a whole stack (its own store file, pacer and
 * WebDAV server on 127.0.0.1:<random port>) over one emulator, optionally sharing their state through Redis,
 * with the gateway's timings at the emulator's time scale. `load()` runs one client's mixed load against one
 * gateway for a bounded time: walks of a small tree (listings), PUTs, Range GETs, MOVEs and DELETEs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStack, type Stack } from '../../src/app/stack.ts';
import { Secret } from '../../src/util/secret.ts';
import type { TestEmulator } from './emulator.ts';

export interface Gateway {
  /** WebDAV base URL, ending with '/'. */
  url: string;
  stack: Stack;
}

export interface GatewaySet {
  gateways: Gateway[];
  stop(): Promise<void>;
}

export interface GatewayOptions {
  count: number;
  timeScale: number;
  /** redis:// URL of the shared state; none: each gateway paces alone. */
  sharedState?: string;
  /** Listing cache time of the gateways (short, so the walks keep listing). */
  dirCacheTimeMs?: number;
}

export async function startGateways(emu: TestEmulator, o: GatewayOptions): Promise<GatewaySet> {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-gw-'));
  const gateways: Gateway[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(gateways.splice(0).map((g) => g.stack.close()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < o.count; i++) {
      const stack = await createStack({
        account: { apiBase: emu.apiBase, apiKey: new Secret(emu.key) },
        timeScale: o.timeScale,
        pacer: { minIntervalMs: 5, banPolicy: 'fail' },
        store: { file: join(dir, `gw${i}.sqlite`) },
        vfs: o.dirCacheTimeMs !== undefined ? { dirCacheTimeMs: o.dirCacheTimeMs } : {},
        server: {},
        ...(o.sharedState !== undefined ? { sharedState: { url: o.sharedState, probeLeaseMs: 3000, reconnectMaxMs: 1000 } } : {}),
      });
      const { url } = await stack.server!.listen('127.0.0.1', 0);
      gateways.push({ url, stack });
    }
    return { gateways, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One WebDAV request; resolves with the status and body text (never rejects on a status). */
export async function dav(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(20_000) });
  return { status: res.status, text: await res.text() };
}

/** The names PROPFIND Depth 1 lists in `url` (a folder URL ending with '/'), or undefined on a failure status. */
export async function listNames(url: string): Promise<string[] | undefined> {
  const r = await dav(url, 'PROPFIND', { depth: '1' });
  if (r.status !== 207) return undefined;
  return [...r.text.matchAll(/<d:href>([^<]*)<\/d:href>/gi)].map((m) => decodeURIComponent(m[1]!.replace(/\/$/, '').split('/').pop() ?? ''));
}

export interface LoadCounts {
  ok: number;
  failed: number;
}

/**
 * One client's load on `g` until `until` (ms since the epoch): walks the folders `walk` (each a URL path under
 * the gateway, ending with '/'), and in its own folder `own` PUTs a file, reads a range of it, moves it, deletes
 * it. Counts requests answered 2xx and the others (a 503 during a ban is a failure) in `counts`, live.
 */
export async function load(g: Gateway, walk: string[], own: string, until: number, tag: string, counts: LoadCounts = { ok: 0, failed: 0 }): Promise<LoadCounts> {
  const step = async (url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<void> => {
    if (Date.now() >= until) return;
    const { status } = await dav(url, method, headers, body);
    if (status >= 200 && status < 300) counts.ok++;
    else counts.failed++;
  };
  for (let i = 0; Date.now() < until; i++) {
    for (const w of walk) await step(g.url + w, 'PROPFIND', { depth: '1' });
    const file = `${g.url}${own}${tag}-${i}.txt`;
    const moved = `${g.url}${own}${tag}-${i}-moved.txt`;
    await step(file, 'PUT', { 'content-type': 'text/plain' }, `payload ${tag} ${i} `.repeat(20));
    await step(file, 'GET', { range: 'bytes=2-9' });
    await step(file, 'MOVE', { destination: moved });
    await step(moved, 'DELETE');
  }
  return counts;
}
