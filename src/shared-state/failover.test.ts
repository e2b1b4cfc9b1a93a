import { describe, expect, it } from 'vitest';
import { createRateState, type RateState } from '../api/rate-state.ts';
import { FakeClock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { createFailoverRateState } from './failover.ts';
import type { SharedRateState } from './redis-rate-state.ts';

/** A link whose health the test sets. */
function fakeLink(up: boolean): { up: boolean; onChange(fn: (up: boolean) => void): void; set(up: boolean): void } {
  const fns: ((up: boolean) => void)[] = [];
  const link = {
    up,
    onChange: (fn: (up: boolean) => void) => void fns.push(fn),
    set(v: boolean) {
      link.up = v;
      for (const fn of fns) fn(v);
    },
  };
  return link;
}

/** An in-process state standing for Redis, that fails every step while `down`, and records merges. */
function fakeShared(clock: FakeClock): SharedRateState & { down: boolean; merged: number[][] } {
  const inner: RateState = createRateState({ clock });
  const guard = <T>(f: () => Promise<T>): Promise<T> => (s.down ? Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })) : f());
  const s = {
    down: false,
    merged: [] as number[][],
    reserveCall: (now: number, i: number) => guard(() => inner.reserveCall(now, i)),
    ban: () => guard(() => inner.ban()),
    updateBan: (n: Parameters<RateState['updateBan']>[0]) => guard(() => inner.updateBan(n)),
    claimListing: (f: number, now: number, l: number) => guard(() => inner.claimListing(f, now, l)),
    endListing: (f: number, e: number, sent: boolean, i: number, fi: number) => guard(() => inner.endListing(f, e, sent, i, fi)),
    probeAnswered: () => guard(async () => undefined),
    mergeBack: (a: number, b: number) => guard(async () => void s.merged.push([a, b])),
  };
  return s;
}

function setup(up = true) {
  const clock = new FakeClock(100_000);
  const link = fakeLink(up);
  const shared = fakeShared(clock);
  const local = createRateState({ clock });
  const f = createFailoverRateState({ shared, local, link, clock, logger: silentLogger, share: 0.25, listIntervalMs: 100, folderIntervalMs: 1000, settleMs: 2000, members: { count: 2, index: 0 } });
  return { clock, link, shared, local, f };
}

describe('the failover rate state', () => {
  it('uses the shared state while it answers, and mirrors this gateway\'s steps locally', async () => {
    const { f, shared, local } = setup();
    expect(await f.reserveCall(100_000, 400)).toBe(100_000);
    expect(await shared.reserveCall(100_000, 400)).toBe(100_400);
    await f.updateBan(() => ({ until: 200_000, level: 1 }));
    expect(await local.ban()).toEqual({ until: 200_000, level: 1 });
    expect(f.stats()).toMatchObject({ mode: 'shared', localSteps: 0 });
  });

  it('falls back to local state at the share when a step fails, spacing calls by interval / share', async () => {
    const { f, shared, link } = setup();
    shared.down = true;
    link.set(false);
    expect(await f.reserveCall(100_000, 400)).toBe(100_000);
    expect(await f.reserveCall(100_000, 400)).toBe(101_600);
    expect(f.stats()).toMatchObject({ mode: 'local', localSteps: 2 });
  });

  it('a step that fails while the link still looks up is answered locally', async () => {
    const { f, shared } = setup();
    shared.down = true;
    expect(await f.claimListing(2, 100_000, 1000)).toEqual({ ok: false, retryAt: expect.any(Number) });
    expect(f.stats().localSteps).toBe(1);
  });

  it('on local state, lists only its own folders in its own frames, one folder interval after the loss', async () => {
    const { f, shared, link, clock } = setup();
    shared.down = true;
    link.set(false); // lost at 100 000
    expect(await f.claimListing(3, clock.now(), 1000)).toMatchObject({ ok: false }); // folder 3 is gateway 1's
    const early = await f.claimListing(2, clock.now(), 1000);
    expect(early).toEqual({ ok: false, retryAt: 101_000 });
    // Frames of 300 ms in a 600 ms cycle: gateway 0 starts in [0, 100) of each cycle; 101 400 is one.
    await clock.advance(1400);
    expect(await f.claimListing(2, clock.now(), 1000)).toEqual({ ok: true });
  });

  it('merges its local times back when Redis returns, and keeps the timetable while the others settle', async () => {
    const { f, shared, link, clock } = setup();
    shared.down = true;
    link.set(false);
    await clock.advance(1400);
    expect(await f.claimListing(2, clock.now(), 1000)).toEqual({ ok: true });
    await f.endListing(2, clock.now(), true, 100, 1000);
    shared.down = false;
    link.set(true);
    expect(await f.reserveCall(clock.now(), 400)).toBeGreaterThanOrEqual(clock.now());
    expect(shared.merged).toEqual([[101_800, Number.NEGATIVE_INFINITY]]);
    expect(f.stats().mode).toBe('settling');
    // Folder 2 was listed locally: the shared state knows it now.
    expect(await shared.claimListing(2, clock.now(), 1000)).toMatchObject({ ok: false });
    await clock.advance(2000);
    expect(f.stats().mode).toBe('shared');
  });

  it('refuses a share outside (0, 1]', () => {
    const clock = new FakeClock(0);
    const mk = (share: number) => () =>
      createFailoverRateState({ shared: fakeShared(clock), local: createRateState({ clock }), link: fakeLink(true), clock, logger: silentLogger, share, listIntervalMs: 1, folderIntervalMs: 1 });
    expect(mk(0)).toThrow(RangeError);
    expect(mk(1.5)).toThrow(RangeError);
  });
});
