/**
 * Several gateways on one account (three stacks over one emulator with its realistic rules time-scaled), with
 * and without the shared state on a real redis-server: the account-wide listing rules hold and nothing is
 * banned only with it; changes through one gateway show on the others within a second; a ban seen by one
 * pauses all, then one probe; Redis lost in the middle and back: no crash, no ban, requests served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/emulator/stats.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { dav, listNames, load, startGateways, type GatewaySet } from './support/gateways.ts';
import { startRedis, type TestRedis } from './support/redis.ts';

/** 3 s between listings -> 60 ms, 30 s per folder -> 600 ms, a 5 min ban -> 6 s. */
const SCALE = 0.02;
const LIST_INTERVAL = 3000 * SCALE;
const FOLDER_INTERVAL = 30_000 * SCALE;
const LOAD_MS = 5000;
const TREE = ['', 'a/', 'b/', 'c/', 'a/x/', 'b/y/'];

const isListing = (c: CallRecord): boolean => /\/(folder|file)\/ls\.cgi$/.test(c.path);

/** The smallest gap between two listing arrivals, and between two listings of one folder. */
function listingGaps(calls: CallRecord[]): { any: number; sameFolder: number; listings: number } {
  const ls = calls.filter(isListing).sort((x, y) => x.t - y.t);
  let any = Number.POSITIVE_INFINITY;
  let sameFolder = Number.POSITIVE_INFINITY;
  const last = new Map<number, number>();
  for (let i = 0; i < ls.length; i++) {
    const c = ls[i]!;
    if (i > 0) any = Math.min(any, c.t - ls[i - 1]!.t);
    const prev = last.get(c.folder ?? 0);
    if (prev !== undefined) sameFolder = Math.min(sameFolder, c.t - prev);
    last.set(c.folder ?? 0, c.t);
  }
  return { any, sameFolder, listings: ls.length };
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function withSetup<T>(shared: boolean, fn: (emu: TestEmulator, set: GatewaySet) => Promise<T>, dirCacheTimeMs = 200): Promise<T> {
  const emu = await startEmulator({ timeScale: SCALE });
  let set: GatewaySet | undefined;
  try {
    // The tree every gateway walks, made through the API (not through a gateway: no gateway has it cached).
    const a = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'a' });
    const b = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'b' });
    await emu.api('folder/mkdir.cgi', { name: 'c' });
    await emu.api('folder/mkdir.cgi', { name: 'x', folder_id: a.folder_id });
    await emu.api('folder/mkdir.cgi', { name: 'y', folder_id: b.folder_id });
    for (const g of ['g0', 'g1', 'g2']) await emu.api('folder/mkdir.cgi', { name: g });
    set = await startGateways(emu, { count: 3, timeScale: SCALE, dirCacheTimeMs, ...(shared ? { sharedState: redis.url } : {}) });
    return await fn(emu, set);
  } finally {
    await set?.stop();
    await emu.stop();
  }
}

async function runLoad(set: GatewaySet, ms: number): Promise<{ ok: number; failed: number }[]> {
  const until = Date.now() + ms;
  return Promise.all(set.gateways.map((g, i) => load(g, TREE, `g${i}/`, until, `f${i}`)));
}

describe('three gateways on one account', () => {
  it('without shared state, their listings together break the rules and the key is banned', async () => {
    await withSetup(false, async (emu, set) => {
      const t0 = Date.now();
      await runLoad(set, LOAD_MS);
      const st = await emu.stats();
      const gaps = listingGaps(await emu.calls(t0));
      console.log(`without shared state: bans=${st.bans} listings=${gaps.listings} min gap=${gaps.any} ms, same folder=${gaps.sameFolder} ms`);
      expect(st.bans).toBeGreaterThanOrEqual(1);
    });
  });

  it('with shared state, the same load stays within the account-wide listing budget: no ban', async () => {
    await withSetup(true, async (emu, set) => {
      const t0 = Date.now();
      const counts = await runLoad(set, LOAD_MS);
      const st = await emu.stats();
      const gaps = listingGaps(await emu.calls(t0));
      console.log(`with shared state: bans=${st.bans} listings=${gaps.listings} min gap=${gaps.any} ms, same folder=${gaps.sameFolder} ms, requests ${JSON.stringify(counts)}`);
      expect(st.bans).toBe(0);
      expect(st.refusedByRule).toEqual({});
      expect(gaps.listings).toBeGreaterThan(10);
      expect(gaps.any).toBeGreaterThanOrEqual(LIST_INTERVAL);
      expect(gaps.sameFolder).toBeGreaterThanOrEqual(FOLDER_INTERVAL);
      // Every client is served (slower: the three share one budget now).
      for (const c of counts) expect(c.ok).toBeGreaterThan(1);
      for (const g of set.gateways) expect(g.stack.sharedState!.stats()).toMatchObject({ up: true, mode: 'shared' });
    });
  });

  it('a file PUT through A is listed by B within 1 s; a DELETE through B is gone from A within 1 s', async () => {
    // A long cache time: B answers from its cached listing, so only the change told by A can show the file.
    await withSetup(
      true,
      async (_emu, set) => {
        const [a, b] = set.gateways as [GatewaySet['gateways'][0], GatewaySet['gateways'][0]];
        expect(await listNames(`${a.url}c/`)).toEqual(['c']);
        expect(await listNames(`${b.url}c/`)).toEqual(['c']);
        expect((await dav(`${a.url}c/new.txt`, 'PUT', {}, 'hello from A')).status).toBe(201);
        const put = Date.now();
        let seenAfter = Number.POSITIVE_INFINITY;
        while (Date.now() - put < 1000) {
          if ((await listNames(`${b.url}c/`))?.includes('new.txt')) {
            seenAfter = Date.now() - put;
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(seenAfter).toBeLessThan(1000);
        expect((await dav(`${b.url}c/new.txt`, 'DELETE')).status).toBe(204);
        const del = Date.now();
        let goneAfter = Number.POSITIVE_INFINITY;
        while (Date.now() - del < 1000) {
          const names = await listNames(`${a.url}c/`);
          if (names && !names.includes('new.txt')) {
            goneAfter = Date.now() - del;
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(goneAfter).toBeLessThan(1000);
        console.log(`PUT through A listed by B after ${seenAfter} ms; DELETE through B gone from A after ${goneAfter} ms`);
      },
      60_000,
    );
  });

  it('a ban seen by one gateway pauses the others until it ends, then exactly one probe goes first', async () => {
    await withSetup(true, async (emu, set) => {
      const until = Date.now() + 9000;
      const { done: loads } = runLoadUntil(set, until);
      await new Promise((r) => setTimeout(r, 1000));
      // The service bans the key for 1 s; the first gateway to hear it pauses everybody for its cooldown (6 s).
      await emu.admin('ban', { ms: 1000, code: 374 });
      let first: CallRecord | undefined;
      while (!first && Date.now() < until) {
        first = (await emu.calls(0)).find((c) => c.rule === 'ban');
        if (!first) await new Promise((r) => setTimeout(r, 20));
      }
      expect(first).toBeDefined();
      const banStart = first!.t;
      // Before the cooldown ends, make every answer slow, so a second call right after the probe would show.
      await new Promise((r) => setTimeout(r, Math.max(0, banStart + 5000 - Date.now())));
      await emu.admin('faults', { latencyMs: 300 });
      await new Promise((r) => setTimeout(r, Math.max(0, banStart + 7500 - Date.now())));
      await emu.admin('faults', { latencyMs: 0 });
      await loads;
      const calls = (await emu.calls(banStart)).sort((x, y) => x.t - y.t);
      const cooldownEnd = Math.min(...set.gateways.map((g) => g.stack.pacer.stats().cooldownUntil ?? Number.POSITIVE_INFINITY), banStart + 6000);
      // Calls already on the wire when the ban was heard may still arrive just after it.
      const during = calls.filter((c) => c.t > banStart + 150 && c.t < cooldownEnd - 10);
      const after = calls.filter((c) => c.t >= cooldownEnd - 10);
      console.log(`ban at +0: ${calls.filter((c) => c.t <= banStart + 150).length} calls within 150 ms, ${during.length} during the cooldown; after it: ${after.slice(0, 3).map((c) => c.t - banStart).join(', ')} ms`);
      expect(during).toEqual([]);
      expect(after.length).toBeGreaterThanOrEqual(2);
      // The probe is answered 300 ms after it arrives; nothing else arrives before that.
      expect(after[1]!.t - after[0]!.t).toBeGreaterThanOrEqual(250);
      expect((await emu.stats()).bans).toBe(1);
    });
  });

  it('Redis lost in the middle of the load: no crash, no ban, requests served; back: shared pacing resumes', async () => {
    await withSetup(true, async (emu, set) => {
      const t0 = Date.now();
      const until = t0 + 9000;
      const { done: loads, served } = runLoadUntil(set, until);
      await new Promise((r) => setTimeout(r, 2000));
      await redis.stop();
      const lostAt = Date.now();
      const okBefore = served();
      await new Promise((r) => setTimeout(r, 3500));
      const servedDuring = served() - okBefore;
      for (const g of set.gateways) expect(g.stack.sharedState!.stats()).toMatchObject({ up: false, mode: 'local' });
      await redis.restart();
      const backAt = Date.now();
      await loads;
      const st = await emu.stats();
      const outage = (await emu.calls(lostAt)).filter((c) => c.t < backAt);
      console.log(`redis down ${backAt - lostAt} ms: ${servedDuring} requests served meanwhile (${outage.length} API calls, ${outage.filter(isListing).length} listings), ${served()} in all; bans=${st.bans}`);
      expect(st.bans).toBe(0);
      expect(servedDuring).toBeGreaterThan(0);
      for (const g of set.gateways) {
        const s = g.stack.sharedState!.stats();
        expect(s.up).toBe(true);
        expect(s.losses).toBe(1);
        expect(['shared', 'settling']).toContain(s.mode);
      }
      // Shared pacing resumed: the gateways' call starts are in the restarted Redis again.
      const { Redis } = await import('ioredis');
      const r = new Redis({ host: '127.0.0.1', port: redis.port });
      try {
        expect((await r.keys('fdav:*:call')).length).toBe(1);
      } finally {
        r.disconnect();
      }
    }, 2000);
  });
});

/** The load of the three gateways until `until`; `served()` counts the requests answered 2xx so far. */
function runLoadUntil(set: GatewaySet, until: number): { done: Promise<unknown>; served: () => number } {
  const counts = set.gateways.map(() => ({ ok: 0, failed: 0 }));
  const done = Promise.all(set.gateways.map((g, i) => load(g, TREE, `g${i}/`, until, `f${i}`, counts[i])));
  return { done, served: () => counts.reduce((n, c) => n + c.ok, 0) };
}
