/**
 * Politeness measured at the emulator: with its flood limit on (N calls/s per key), 200 concurrent
 * client calls finish with zero bans and never exceed N calls in any 1 s window; an injected ban pauses
 * every call, and nothing reaches the emulator while it lasts.
 *
 * Real time on purpose: the emulator's flood limit counts wall-clock seconds, as 1fichier's does, and what
 * is tested is the real client (undici, real timers) against it. The exact cooldown and the single probe
 * after a ban are pacer logic, tested on the injected clock in src/api/pacer.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { busiestSecond, startEmulator, type CallRecord, type TestEmulator } from './support/emulator.ts';

const N = 20;
/** The pacer interval with a 10% margin over the emulator's limit, as an operator would set it. */
const INTERVAL = Math.ceil((1000 / N) * 1.1);


let emu: TestEmulator;

beforeAll(async () => {
  // Lenient plus a calls-per-second limit, and a client without a listing budget: this suite measures the
  // general call spacing with 200 listings of one folder, which the listing rules would space 30 s apart each.
  // The listing budget under the real rules is proven by real-rules.e2e and real-timings.slow.
  emu = await startEmulator({ profile: 'lenient', limits: { rps: N, banMs: 60_000 } });
});
afterAll(async () => {
  await emu?.stop();
});

function client(floodCooldownMs = 30_000): FichierClient {
  return emu.client({ pacer: { minIntervalMs: INTERVAL, concurrency: 4, floodCooldownMs, floodEscalatedCooldownMs: floodCooldownMs, listIntervalMs: 0, listFolderIntervalMs: 0 } });
}

async function callsSince(t0: number): Promise<CallRecord[]> {
  return (await emu.calls(t0)).filter((c) => c.path.startsWith('/v1/'));
}

describe('politeness against a rate-limited emulator', () => {
  it(`200 concurrent calls: no ban, never more than ${N} calls/s at the emulator`, async () => {
    const c = client();
    const folder = await c.folderMkdir(0, 'polite');
    const t0 = Date.now();
    const before = await emu.stats();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? c.folderLs(folder.folder_id) : c.fileLs(folder.folder_id))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const after = await emu.stats();
    expect(after.bans - before.bans).toBe(0);
    const calls = await callsSince(t0);
    expect(calls.length).toBe(200);
    expect(calls.every((x) => x.status === 200)).toBe(true);
    expect(busiestSecond(calls.map((c) => c.t))).toBeLessThanOrEqual(N);
  });

  it('a ban pauses every call: only calls already in flight meet it, and all succeed after it', async () => {
    const cooldown = 2_000;
    const c = client(cooldown);
    const t0 = Date.now();
    await emu.admin('ban', { ms: 1_500, code: 374 });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => c.folderLs(0)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const calls = await callsSince(t0);
    const banned = calls.filter((x) => x.status === 403);
    const ok = calls.filter((x) => x.status === 200);
    expect(ok.length).toBe(30);
    // Only calls already in flight when the ban answered could hit it; the others waited for the cooldown.
    expect(banned.length).toBeGreaterThanOrEqual(1);
    expect(banned.length).toBeLessThanOrEqual(2);
    expect(c.pacerStats().bans).toBe(1);
    expect(busiestSecond(ok.map((c) => c.t))).toBeLessThanOrEqual(N);
  });
});
