/**
 * The Redis rate state against a real redis-server: what two gateways (two instances, two connections, one
 * account) agree on. Times are given explicitly (the callers' clock), so nothing here waits.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/support/redis.ts';
import { FakeClock } from '../util/clock.ts';
import { accountPrefix } from './index.ts';
import { createRedisRateState, type SharedRateState } from './redis-rate-state.ts';

let redis: TestRedis;
const conns: Redis[] = [];
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of conns) c.disconnect();
  await redis.stop();
});

/** Two gateways of one fresh account: separate connections and owners, one clock. */
function pair(clock = new FakeClock(1_000_000), queueGraceMs?: number): { a: SharedRateState; b: SharedRateState; clock: FakeClock; prefix: string; raw: Redis } {
  const prefix = accountPrefix('http://api', `key-${n++}`);
  const mk = (owner: string): SharedRateState => {
    const c = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: false });
    conns.push(c);
    return createRedisRateState({ redis: c, prefix, owner, clock, probeLeaseMs: 5000, probePollMs: 100, ...(queueGraceMs !== undefined ? { queueGraceMs } : {}) });
  };
  const raw = new Redis({ host: '127.0.0.1', port: redis.port });
  conns.push(raw);
  return { a: mk('A'), b: mk('B'), clock, prefix, raw };
}

describe('redis rate state', () => {
  it('spaces call starts across gateways', async () => {
    const { a, b } = pair();
    const starts = await Promise.all([a.reserveCall(1000, 400), b.reserveCall(1000, 400), a.reserveCall(1000, 400), b.reserveCall(1100, 400)]);
    expect([...starts].sort((x, y) => x - y)).toEqual([1000, 1400, 1800, 2200]);
  });

  it('grants the listing budget to one gateway at a time, and counts the intervals from the end', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(7, 1000, 60_000)).toEqual({ ok: true });
    expect(await b.claimListing(8, 1000, 60_000)).toEqual({ ok: false, retryAt: 61_000 });
    await a.endListing(7, 1500, true, 3000, 30_000);
    expect(await b.claimListing(8, 2000, 60_000)).toEqual({ ok: false, retryAt: 4500 });
    expect(await b.claimListing(7, 4500, 60_000)).toEqual({ ok: false, retryAt: 31_500 });
    expect(await b.claimListing(8, 4500, 60_000)).toEqual({ ok: true });
    // Not sent: the budget is free again and no time moved.
    await b.endListing(8, 4600, false, 3000, 30_000);
    expect(await a.claimListing(9, 4600, 60_000)).toEqual({ ok: true });
  });

  it('gives the budget to the gateway that has waited longest, not to the one that asks first when it frees', async () => {
    const { a, b } = pair();
    const c = pair().a; // another account: its queue is its own
    expect(await c.claimListing(1, 1000, 60_000)).toEqual({ ok: true });
    expect(await a.claimListing(1, 1000, 60_000)).toEqual({ ok: true });
    expect(await b.claimListing(2, 1100, 60_000)).toEqual({ ok: false, retryAt: 61_000 });
    await a.endListing(1, 1200, true, 3000, 30_000);
    expect(await a.claimListing(3, 4200, 60_000)).toEqual({ ok: false, retryAt: 4450 }); // b waits since 1100
    expect(await b.claimListing(2, 4250, 60_000)).toEqual({ ok: true });
  });

  it('drops a waiting gateway that does not claim the budget in time once it is free', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(1, 1000, 60_000)).toEqual({ ok: true });
    expect(await b.claimListing(2, 1100, 60_000)).toEqual({ ok: false, retryAt: 61_000 }); // b queues, then goes away
    await a.endListing(1, 1200, true, 3000, 30_000);
    expect(await a.claimListing(3, 4200, 60_000)).toEqual({ ok: false, retryAt: 4450 });
    expect(await a.claimListing(3, 4450, 60_000)).toEqual({ ok: true });
  });

  it('holds the budget for a queued gateway only as long as the grace it was given', async () => {
    // A time-scaled budget (60 ms between listings) gives a 60 ms grace: a gateway that stopped asking costs the
    // others one slot, not four.
    const { a, b } = pair(new FakeClock(1_000_000), 60);
    expect(await a.claimListing(1, 1000, 60_000)).toEqual({ ok: true });
    expect(await b.claimListing(2, 1010, 60_000)).toEqual({ ok: false, retryAt: 61_000 });
    await a.endListing(1, 1020, true, 60, 600);
    expect(await a.claimListing(3, 1080, 60_000)).toEqual({ ok: false, retryAt: 1140 });
    expect(await a.claimListing(3, 1140, 60_000)).toEqual({ ok: true });
  });

  it('frees a listing lease only for its holder, and lets a lease that died run out', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(1, 1000, 2000)).toEqual({ ok: true });
    await b.endListing(1, 1100, false, 3000, 30_000);
    expect(await b.claimListing(2, 1200, 2000)).toEqual({ ok: false, retryAt: 3000 });
    expect(await b.claimListing(2, 3000, 2000)).toEqual({ ok: true });
  });

  it('updates the ban atomically: two gateways seeing one flood escalate it once', async () => {
    const { a, b } = pair();
    const next = (prev: { until: number; level: number } | undefined) => (prev && prev.until > 1000 ? prev : { until: 301_000, level: (prev?.level ?? 0) + 1 });
    const [x, y] = await Promise.all([a.updateBan(next), b.updateBan(next)]);
    expect(x).toEqual({ until: 301_000, level: 1 });
    expect(y).toEqual({ until: 301_000, level: 1 });
    expect(await b.ban()).toEqual({ until: 301_000, level: 1 });
  });

  it('after a ban, one gateway probes; the others wait for its answer, then go', async () => {
    const { a, b, clock } = pair(new FakeClock(500));
    await a.updateBan(() => ({ until: 1000, level: 1 }));
    await clock.advance(600); // now 1100: the ban is over
    expect(await b.ban()).toEqual({ until: 1000, level: 1 }); // b reads first: b probes
    const waiting = await a.ban();
    expect(waiting!.until).toBeGreaterThan(1100); // a is shown a ban until b's probe answers (one poll step)
    expect(waiting!.until).toBeLessThanOrEqual(1200);
    expect((await a.ban())!.level).toBe(1);
    await b.probeAnswered();
    expect(await a.ban()).toEqual({ until: 1000, level: 1 });
  });

  it('gives the probe to another gateway when the prober never answers', async () => {
    const { a, b, clock } = pair(new FakeClock(500));
    await a.updateBan(() => ({ until: 1000, level: 1 }));
    await clock.advance(600);
    await b.ban(); // b probes, then dies
    expect((await a.ban())!.until).toBeGreaterThan(1100);
    await clock.advance(5000); // the probe lease (5 s) ran out
    expect(await a.ban()).toEqual({ until: 1000, level: 1 });
    expect((await b.ban())!.until).toBeGreaterThan(clock.now()); // a probes now; b waits
  });

  it('merges local times back: later times win and this gateway\'s stale lease is freed', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(1, 1000, 600_000)).toEqual({ ok: true });
    await a.mergeBack(9000, 5000);
    expect(await b.claimListing(2, 2000, 1000)).toEqual({ ok: false, retryAt: 9000 });
    expect(await b.reserveCall(2000, 400)).toBe(5000);
  });

  it('keeps neither the key nor the API base in Redis', async () => {
    const { a, raw, prefix } = pair();
    await a.reserveCall(1, 1);
    const keys = await raw.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    expect(prefix).toMatch(/^fdav:[0-9a-f]{32}:$/);
    for (const k of keys) expect(k).not.toMatch(/key-|api/);
  });
});
