import { describe, it, expect } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { createListingBudget, type ListingBudget } from './list-budget.ts';
import { createRateState, type RateSnapshot, type RateState } from './rate-state.ts';

function setup(state?: RateState, clock = new FakeClock()) {
  const t0 = clock.now();
  const budget = createListingBudget({ state: state ?? createRateState({ clock }), clock, intervalMs: 3000, folderIntervalMs: 30_000 });
  const log: string[] = [];
  /** One listing of `folderId` lasting `ms`, logged as "name@start". */
  const list = (b: ListingBudget, name: string, folderId: number, o: { background?: boolean; ms?: number; signal?: AbortSignal } = {}) =>
    b.acquire({ folderId, ...(o.background ? { background: true } : {}), ...(o.signal ? { signal: o.signal } : {}) }).then(async (lease) => {
      log.push(`${name}@${clock.now() - t0}`);
      await clock.sleep(o.ms ?? 100);
      await lease.release(true);
    });
  return { clock, budget, log, list };
}

describe('listing budget', () => {
  it('lets a foreground listing go before background ones that queued earlier', async () => {
    const { clock, budget, log, list } = setup();
    const done = [list(budget, 'bg1', 1, { background: true }), list(budget, 'bg2', 2, { background: true }), list(budget, 'bg3', 3, { background: true })];
    await clock.advance(50);
    done.push(list(budget, 'fg', 4));
    await clock.advance(20_000);
    await Promise.all(done);
    expect(log).toEqual(['bg1@0', 'fg@3100', 'bg2@6200', 'bg3@9300']);
  });

  it('does not let a folder inside its 30 s hold up listings of other folders', async () => {
    const { clock, budget, log, list } = setup();
    const done = [list(budget, 'a', 1), list(budget, 'a-again', 1), list(budget, 'b', 2)];
    await clock.advance(40_000);
    await Promise.all(done);
    expect(log).toEqual(['a@0', 'b@3100', 'a-again@30100']);
  });

  it('an aborted waiter leaves the queue and holds nothing', async () => {
    const { clock, budget, log, list } = setup();
    const ac = new AbortController();
    const first = list(budget, 'a', 1);
    const aborted = list(budget, 'x', 2, { signal: ac.signal }).catch((e: unknown) => (e as Error).message);
    const third = list(budget, 'c', 3);
    await clock.advance(1000);
    ac.abort(new Error('gone'));
    await clock.advance(10_000);
    await Promise.all([first, third]);
    expect(await aborted).toBe('gone');
    expect(log).toEqual(['a@0', 'c@3100']);
    expect(budget.stats()).toEqual({ granted: 2, foreground: 0, background: 0 });
  });

  it('two processes on one state share the budget (one key, two gateways)', async () => {
    const clock = new FakeClock();
    const state = createRateState({ clock });
    const one = setup(state, clock);
    const two = setup(state, clock);
    const done = [one.list(one.budget, 'p1-a', 1), two.list(two.budget, 'p2-b', 2), one.list(one.budget, 'p1-c', 3)];
    await clock.advance(20_000);
    await Promise.all(done);
    const starts = [...one.log, ...two.log].map((s) => Number(s.split('@')[1])).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(3100);
  });

  it('a restarted process keeps the folder times it saved', async () => {
    const clock = new FakeClock();
    let saved: RateSnapshot | undefined;
    const persist = { load: () => saved, save: (s: RateSnapshot) => void (saved = structuredClone(s)) };
    const before = setup(createRateState({ clock, persist }), clock);
    await Promise.all([before.list(before.budget, 'a', 7), clock.advance(200)]);
    const after = setup(createRateState({ clock, persist }), clock);
    const again = after.list(after.budget, 'a-again', 7);
    await clock.advance(40_000);
    await again;
    // The first listing ended at 100 ms, so the folder may be listed again at 30 100; this process started at 200.
    expect(after.log).toEqual(['a-again@29900']);
  });
});
