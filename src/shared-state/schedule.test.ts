import { describe, expect, it } from 'vitest';
import { listingSlot } from './schedule.ts';

const base = { listIntervalMs: 100, folderIntervalMs: 1000, lostAt: 0 };

describe('the timetable of gateways without their shared state', () => {
  it('lets each gateway start listings only in its own frames, two intervals away from the others', () => {
    const members = { count: 3, index: 1 };
    // Frames of 300 ms, a cycle of 900 ms: gateway 1 may start in [300, 400) of each cycle.
    // 9 900 starts a cycle.
    expect(listingSlot({ ...base, now: 10_200, folderId: 1, members })).toEqual({ ok: true });
    expect(listingSlot({ ...base, now: 10_299, folderId: 1, members })).toEqual({ ok: true });
    expect(listingSlot({ ...base, now: 10_300, folderId: 1, members })).toEqual({ ok: false, retryAt: 11_100, othersFolder: false });
    expect(listingSlot({ ...base, now: 10_100, folderId: 1, members })).toEqual({ ok: false, retryAt: 10_200, othersFolder: false });
    // 10 800 is 0 into its cycle: gateway 1's next window starts 300 ms later.
    expect(listingSlot({ ...base, now: 10_800, folderId: 4, members })).toEqual({ ok: false, retryAt: 11_100, othersFolder: false });
  });

  it('never lets two gateways start listings less than two intervals apart', () => {
    const starts: { t: number; who: number }[] = [];
    for (let t = 5000; t < 20_000; t++) {
      for (let who = 0; who < 3; who++) {
        const r = listingSlot({ ...base, now: t, folderId: who, members: { count: 3, index: who } });
        if (r.ok) starts.push({ t, who });
      }
    }
    for (let i = 1; i < starts.length; i++) {
      if (starts[i]!.who !== starts[i - 1]!.who) expect(starts[i]!.t - starts[i - 1]!.t).toBeGreaterThanOrEqual(200);
    }
    expect(new Set(starts.map((s) => s.who)).size).toBe(3);
  });

  it('leaves another gateway\'s folder to it, and waits one folder interval after the loss for its own', () => {
    const members = { count: 2, index: 0 };
    expect(listingSlot({ ...base, now: 5000, folderId: 3, members })).toMatchObject({ ok: false, othersFolder: true });
    expect(listingSlot({ ...base, lostAt: 4800, now: 5000, folderId: 2, members })).toEqual({ ok: false, retryAt: 5800, othersFolder: false });
  });

  it('with one gateway, every folder is its own', () => {
    expect(listingSlot({ ...base, now: 3000, folderId: 7, members: { count: 1, index: 0 } })).toEqual({ ok: true });
  });
});
