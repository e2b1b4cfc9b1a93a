import { describe, it, expect } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { classifyFailure, FichierApiError } from './errors.ts';
import { createPacer, type PacerOptions } from './pacer.ts';
import { createRateState, type RateSnapshot } from './rate-state.ts';

const flood = () => classifyFailure('file/ls.cgi', 403, 'Flood detected: IP Locked #374');
const MIN = 60_000;

function setup(opts: PacerOptions = {}, clock = new FakeClock()) {
  const t0 = clock.now();
  const pacer = createPacer({ clock, random: () => 0, minIntervalMs: 0, ...opts });
  const starts: number[] = [];
  const call = <T>(fn: () => Promise<T> | T = () => 'ok' as T, o: Parameters<typeof pacer.run>[1] = {}) =>
    settle(
      pacer.run(async () => {
        starts.push(clock.now() - t0);
        return fn();
      }, o),
    );
  return { clock, pacer, starts, call, t0 };
}

function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describe('pacer bans: escalation', () => {
  it('waits 5 min after a first ban and 1 h after a ban that follows it before the hour has passed (defaults)', async () => {
    const { clock, pacer, starts, call } = setup();
    let n = 0;
    const p = call(() => {
      n++;
      if (n <= 2) throw flood();
      return n;
    });
    await clock.advance(5 * MIN + 61 * MIN);
    expect(await p).toEqual({ ok: true, value: 3 });
    expect(starts).toEqual([0, 5 * MIN, 65 * MIN]);
    expect(pacer.stats()).toMatchObject({ bans: 2, banLevel: 2 });
  });

  it('a ban an hour or more after the last one ended is a first ban again', async () => {
    const { clock, pacer, starts, call } = setup({ floodCooldownMs: 1000, floodEscalatedCooldownMs: 10_000 });
    await clock.advance(0);
    const first = call(() => Promise.reject(flood()), { retry: false });
    await clock.advance(1000);
    await first;
    await clock.advance(10_000);
    const second = call(() => Promise.reject(flood()), { retry: false });
    await clock.advance(0);
    await second;
    expect(pacer.stats()).toMatchObject({ bans: 2, banLevel: 1, cooldownUntil: clock.now() + 1000 });
    expect(starts).toEqual([0, 11_000]);
  });

  it('takes the bare "IP Locked" answer as a long ban at once', async () => {
    const { clock, pacer, call } = setup({ floodCooldownMs: 1000, floodEscalatedCooldownMs: 10_000 });
    const p = call(() => Promise.reject(classifyFailure('folder/ls.cgi', 403, 'IP Locked')), { retry: false });
    await clock.advance(0);
    await p;
    expect(pacer.stats()).toMatchObject({ banLevel: 2, cooldownUntil: clock.now() + 10_000 });
  });

  it('does not pause anything for user/info\'s own limit (#38) and does not retry it', async () => {
    const { clock, pacer, starts, call } = setup();
    const info = call(() => Promise.reject(classifyFailure('user/info.cgi', 403, 'Flood detected: IP Locked #38')));
    const other = call(() => 'listed');
    await clock.advance(10);
    expect((await info).ok).toBe(false);
    expect(await other).toEqual({ ok: true, value: 'listed' });
    expect(starts).toEqual([0, 0]);
    expect(pacer.stats()).toMatchObject({ bans: 0, cooldownUntil: undefined, retries: 0 });
  });

  it('retries a 403 without a known code twice, then reports it', async () => {
    const { clock, call, starts } = setup();
    const p = call(() => Promise.reject(classifyFailure('folder/ls.cgi', 403, 'Forbidden')));
    await clock.advance(10_000);
    const out = await p;
    expect(out.ok === false && out.error instanceof FichierApiError && out.error.kind).toBe('forbidden');
    expect(starts).toHaveLength(3);
  });
});

describe('pacer bans: fail at once during a ban (banPolicy fail)', () => {
  it('refuses calls while the cooldown runs with the time left, then lets one probe through', async () => {
    const { clock, pacer, starts, call } = setup({ banPolicy: 'fail', floodCooldownMs: 60_000 });
    const banned = call(() => Promise.reject(flood()));
    await clock.advance(0);
    const out = await banned;
    expect(out.ok === false && out.error instanceof FichierApiError && [out.error.kind, out.error.retryAfterMs, out.error.httpStatus]).toEqual([
      'flood',
      60_000,
      undefined,
    ]);
    await clock.advance(20_000);
    const during = await call();
    expect(during.ok === false && (during.error as FichierApiError).retryAfterMs).toBe(40_000);
    expect(starts).toEqual([0]);
    await clock.advance(40_000);
    let releaseProbe!: () => void;
    const probe = call(() => new Promise<string>((r) => (releaseProbe = () => r('probe'))));
    const after = call(() => 'after');
    await clock.advance(10);
    expect(starts).toEqual([0, 60_000]);
    releaseProbe();
    await clock.advance(10);
    expect([await probe, await after]).toEqual([
      { ok: true, value: 'probe' },
      { ok: true, value: 'after' },
    ]);
    expect(pacer.stats().bans).toBe(1);
  });
});

describe('pacer bans: the state outlives the process', () => {
  it('a pacer started during a saved ban sends nothing before it ends, then one probe, then the rest', async () => {
    const clock = new FakeClock();
    let saved: RateSnapshot | undefined;
    const persist = { load: () => saved, save: (s: RateSnapshot) => void (saved = structuredClone(s)) };
    const before = setup({ state: createRateState({ clock, persist }), floodCooldownMs: 60_000 }, clock);
    const banned = before.call(() => Promise.reject(flood()), { retry: false });
    await clock.advance(0);
    await banned;
    expect(saved?.ban).toEqual({ level: 1, until: before.t0 + 60_000 });

    await clock.advance(10_000);
    const restarted = setup({ state: createRateState({ clock, persist }), floodCooldownMs: 60_000, minIntervalMs: 100 }, clock);
    let releaseProbe!: () => void;
    const outs = [
      restarted.call(() => new Promise<string>((r) => (releaseProbe = () => r('probe')))),
      restarted.call(),
      restarted.call(),
    ];
    await clock.advance(49_999);
    expect(restarted.starts).toEqual([]);
    await clock.advance(1);
    expect(restarted.starts).toEqual([50_000]);
    await clock.advance(5_000);
    expect(restarted.starts).toEqual([50_000]);
    releaseProbe();
    await clock.advance(1000);
    expect(restarted.starts).toEqual([50_000, 55_000, 55_100]);
    expect((await Promise.all(outs)).every((o) => o.ok)).toBe(true);
  });
});

describe('pacer and the listing budget', () => {
  it('spaces listings 3 s from the end of the previous one, one folder per 30 s, other calls unaffected', async () => {
    const { clock, starts, call } = setup({ minIntervalMs: 0 });
    const work = () => clock.sleep(200).then(() => 'ok');
    const outs = [
      call(work, { listing: { folderId: 1 } }),
      call(work, { listing: { folderId: 2 } }),
      call(work, { listing: { folderId: 1 } }),
      call(work),
    ];
    await clock.advance(40_000);
    expect((await Promise.all(outs)).every((o) => o.ok)).toBe(true);
    // folder 1 at 0 (ends 200), the plain call at 0, folder 2 at 3200 (ends 3400), folder 1 again at 30 200.
    expect(starts).toEqual([0, 0, 3200, 30_200]);
  });
});
