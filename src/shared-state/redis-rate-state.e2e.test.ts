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

/**
 * b queued for the budget at 1050 (for folder 2), a at 2000 (for folder 3); the budget is free at 4100 and folder 9
 * (listed by a) is not due before 31_100.
 */
async function bQueuedBeforeA(): Promise<{ a: SharedRateState; b: SharedRateState }> {
  const { a, b } = pair();
  expect(await a.claimListing(9, 1000, 60_000)).toEqual({ ok: true });
  expect(await b.claimListing(2, 1050, 60_000)).toEqual({ ok: false, retryAt: 61_000 });
  await a.endListing(9, 1100, true, 3000, 30_000);
  expect(await a.claimListing(3, 2000, 60_000)).toEqual({ ok: false, retryAt: 4100 });
  return { a, b };
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

  // Folder waiting order: with the default grace (250 ms) and a gateway asking at least every 3 s, a folder's
  // waiter keeps its place while it was seen asking within the last 3250 ms.
  it('gives a folder, once due, to the gateway that asked for it first, not to the one that asks first then', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(7, 1000, 60_000)).toEqual({ ok: true });
    await a.endListing(7, 1500, true, 3000, 30_000); // folder 7 may be listed again at 31_500
    expect(await b.claimListing(7, 2000, 60_000)).toEqual({ ok: false, retryAt: 31_500 }); // b waits for 7 from 2000
    expect(await a.claimListing(7, 2500, 60_000)).toEqual({ ok: false, retryAt: 31_500 }); // a from 2500
    expect(await b.claimListing(7, 29_000, 60_000)).toEqual({ ok: false, retryAt: 31_500 }); // both keep asking
    expect(await a.claimListing(7, 31_000, 60_000)).toEqual({ ok: false, retryAt: 31_500 });
    // 7 is due; a asks first but it is b's turn, as long as b was seen within 3250 ms (until 32_250).
    expect(await a.claimListing(7, 31_500, 60_000)).toEqual({ ok: false, retryAt: 32_250 });
    expect(await b.claimListing(7, 31_600, 60_000)).toEqual({ ok: true });
    await b.endListing(7, 31_700, true, 3000, 30_000);
    // Next turn: a, which waited through b's, before b, which asks again now.
    expect(await a.claimListing(7, 60_000, 60_000)).toEqual({ ok: false, retryAt: 61_700 });
    expect(await b.claimListing(7, 61_700, 60_000)).toEqual({ ok: false, retryAt: 63_250 });
    expect(await a.claimListing(7, 61_750, 60_000)).toEqual({ ok: true });
  });

  it('drops a folder\'s first waiter that stopped asking, so the folder is not held for it', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(7, 1000, 60_000)).toEqual({ ok: true });
    await a.endListing(7, 1500, true, 3000, 30_000);
    expect(await b.claimListing(7, 29_000, 60_000)).toEqual({ ok: false, retryAt: 31_500 }); // b waits, then goes away
    expect(await a.claimListing(7, 30_000, 60_000)).toEqual({ ok: false, retryAt: 31_500 });
    expect(await a.claimListing(7, 32_000, 60_000)).toEqual({ ok: false, retryAt: 32_250 });
    expect(await a.claimListing(7, 32_251, 60_000)).toEqual({ ok: true });
    // b asks again later: it has lost its place and waits behind a's listing like anyone.
    await a.endListing(7, 32_300, true, 3000, 30_000);
    expect(await b.claimListing(7, 32_400, 60_000)).toEqual({ ok: false, retryAt: 62_300 });
  });

  it('takes a gateway that waits only for a folder out of the listing queue, so it does not hold the budget idle', async () => {
    const { a, b } = pair();
    expect(await a.claimListing(9, 1000, 60_000)).toEqual({ ok: true });
    await a.endListing(9, 1100, true, 3000, 30_000); // next listing at 4100, folder 9 at 31_100
    expect(await b.claimListing(2, 2000, 60_000)).toEqual({ ok: false, retryAt: 4100 }); // b queues for folder 2...
    // ...whose client went away: b now waits only for folder 9, which is not due. It does not hold the queue.
    expect(await b.claimListing(9, 4100, 60_000)).toEqual({ ok: false, retryAt: 31_100 });
    expect(await a.claimListing(3, 4100, 60_000)).toEqual({ ok: true });
  });

  it('keeps the queue place of a gateway whose first folder is not due when another of the same pass is', async () => {
    const { a, b } = await bQueuedBeforeA();
    // One pass of b (one `now`): folder 9 is not due, folder 2 is. b keeps its place from 1050, before a.
    expect(await b.claimListing(9, 4000, 60_000)).toEqual({ ok: false, retryAt: 31_100 });
    expect(await b.claimListing(2, 4000, 60_000)).toEqual({ ok: false, retryAt: 4100 });
    expect(await a.claimListing(3, 4100, 60_000)).toEqual({ ok: false, retryAt: 4350 });
    expect(await b.claimListing(2, 4100, 60_000)).toEqual({ ok: true });
  });

  it('puts a gateway that waited only for folders for a while at the end of the queue when one comes due', async () => {
    const { a, b } = await bQueuedBeforeA();
    expect(await b.claimListing(9, 3000, 60_000)).toEqual({ ok: false, retryAt: 31_100 }); // b: nothing due at 3000
    expect(await b.claimListing(2, 4100, 60_000)).toEqual({ ok: false, retryAt: 4350 }); // back at 4100: after a
    expect(await a.claimListing(3, 4100, 60_000)).toEqual({ ok: true });
  });

  it('lets every key of the listing budget expire: a folder\'s waiting order soon after its waiters stop asking', async () => {
    const { a, b, raw, prefix } = pair();
    expect(await a.claimListing(7, 1000, 60_000)).toEqual({ ok: true });
    await a.endListing(7, 1500, true, 3000, 30_000);
    expect(await b.claimListing(7, 2000, 60_000)).toMatchObject({ ok: false });
    expect(await b.claimListing(8, 2000, 60_000)).toMatchObject({ ok: false });
    const keys = await raw.keys(`${prefix}*`);
    expect(keys.map((k) => k.slice(prefix.length).replace(/:.*/, '')).sort()).toEqual(['folder', 'fseen', 'fseen', 'fwait', 'fwait', 'list', 'queue', 'waiter', 'waiter']);
    for (const k of keys) {
      const ttl = await raw.pttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      // Twice the 3250 ms after which every waiter of the folder counts as gone.
      if (/:f(wait|seen):/.test(k)) expect(ttl, k).toBeLessThanOrEqual(6500);
    }
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
