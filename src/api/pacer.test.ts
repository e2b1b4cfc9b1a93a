import { describe, it, expect } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { createPacer, type PacerOptions } from './pacer.ts';
import { classifyFailure, FichierApiError, transportError } from './errors.ts';

const flood = () => classifyFailure('file/ls.cgi', 403, 'Flood detected: IP Locked #374');
const server500 = (retryAfterMs?: number) => classifyFailure('file/ls.cgi', 500, '', retryAfterMs);

function setup(opts: PacerOptions = {}) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const pacer = createPacer({ clock, random: () => 0.999999, ...opts });
  const starts: number[] = [];
  const rel = () => starts.map((t) => t - t0);
  return { clock, pacer, starts, rel, t0 };
}

/** Captures the outcome of a promise so rejections are never unhandled while the fake clock advances. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describe('pacer spacing and concurrency', () => {
  it('spaces call starts by at least the interval', async () => {
    const { clock, pacer, starts, rel } = setup({ minIntervalMs: 400 });
    const all = Promise.all(
      Array.from({ length: 5 }, () =>
        pacer.run(async () => {
          starts.push(clock.now());
        }),
      ),
    );
    await clock.advance(5000);
    await all;
    expect(rel()).toEqual([0, 400, 800, 1200, 1600]);
  });

  it('serialises 50 concurrent calls at the interval with at most 4 in flight', async () => {
    const { clock, pacer, starts, rel } = setup({ minIntervalMs: 400, concurrency: 4 });
    let inFlight = 0;
    let maxInFlight = 0;
    const all = Promise.all(
      Array.from({ length: 50 }, () =>
        pacer.run(async () => {
          starts.push(clock.now());
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await clock.sleep(1000);
          inFlight--;
        }),
      ),
    );
    await clock.advance(60_000);
    await all;
    const r = rel();
    expect(r).toHaveLength(50);
    for (let i = 1; i < r.length; i++) expect(r[i]! - r[i - 1]!).toBeGreaterThanOrEqual(400);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(pacer.stats()).toMatchObject({ calls: 50, attempts: 50, retries: 0, bans: 0 });
  });
});

describe('pacer retries', () => {
  it('backs off exponentially (full jitter, capped) on retryable failures', async () => {
    const { clock, pacer, starts, rel } = setup({ minIntervalMs: 0, backoffBaseMs: 500, backoffMaxMs: 3000 });
    const p = settle(
      pacer.run(async (attempt) => {
        starts.push(clock.now());
        if (attempt < 6) throw server500();
        return attempt;
      }),
    );
    await clock.advance(20_000);
    expect(await p).toEqual({ ok: true, value: 6 });
    const r = rel();
    const gaps = r.slice(1).map((t, i) => t - r[i]!);
    expect(gaps).toEqual([499, 999, 1999, 2999, 2999]);
    expect(pacer.stats().retries).toBe(5);
  });

  it('jitter can be zero: delays are drawn in [0, cap)', async () => {
    const { clock, pacer, starts } = setup({ minIntervalMs: 0, random: () => 0 });
    const p = settle(
      pacer.run(async (attempt) => {
        starts.push(clock.now());
        if (attempt < 3) throw server500();
      }),
    );
    await clock.advance(0);
    expect((await p).ok).toBe(true);
    expect(starts).toHaveLength(3);
  });

  it('honours Retry-After as a floor for the next attempt', async () => {
    const { clock, pacer, starts, rel } = setup({ minIntervalMs: 0, random: () => 0 });
    const p = settle(
      pacer.run(async (attempt) => {
        starts.push(clock.now());
        if (attempt === 1) throw server500(7000);
        return 'ok';
      }),
    );
    await clock.advance(6999);
    expect(starts).toHaveLength(1);
    await clock.advance(1);
    expect(await p).toEqual({ ok: true, value: 'ok' });
    expect(rel()).toEqual([0, 7000]);
  });

  it('gives up after maxAttempts and rethrows the last error', async () => {
    const { clock, pacer, starts } = setup({ minIntervalMs: 0, maxAttempts: 10 });
    const p = settle(
      pacer.run(async () => {
        starts.push(clock.now());
        throw server500();
      }),
    );
    await clock.advance(10 * 60_000);
    const out = await p;
    expect(out.ok).toBe(false);
    expect(out.ok === false && out.error instanceof FichierApiError && out.error.kind).toBe('server');
    expect(starts).toHaveLength(10);
  });

  it('never retries auth errors', async () => {
    const { clock, pacer, starts } = setup();
    const p = settle(
      pacer.run(async () => {
        starts.push(clock.now());
        throw classifyFailure('user/info.cgi', 401, 'Not authenticated #247');
      }),
    );
    await clock.advance(60_000);
    const out = await p;
    expect(out.ok === false && out.error instanceof FichierApiError && [out.error.kind, out.error.code]).toEqual([
      'auth',
      247,
    ]);
    expect(starts).toHaveLength(1);
    expect(pacer.stats().retries).toBe(0);
  });

  it('never retries a run with retry: false', async () => {
    const { clock, pacer, starts } = setup();
    const p = settle(
      pacer.run(
        async () => {
          starts.push(clock.now());
          throw transportError('upload.cgi', Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
        },
        { retry: false },
      ),
    );
    await clock.advance(60_000);
    expect((await p).ok).toBe(false);
    expect(starts).toHaveLength(1);
  });

  it('stops retrying past maxElapsedMs', async () => {
    const { clock, pacer, starts } = setup({ minIntervalMs: 0, random: () => 0.999999 });
    const p = settle(
      pacer.run(
        async () => {
          starts.push(clock.now());
          throw server500();
        },
        { maxElapsedMs: 2000, maxAttempts: Infinity },
      ),
    );
    await clock.advance(60_000);
    expect((await p).ok).toBe(false);
    // attempts at 0, 499, 1498; the next (at 3497) would be past 2000 ms.
    expect(starts).toHaveLength(3);
  });
});

describe('pacer flood ban', () => {
  it('pauses every caller for the cooldown, then resumes with a single probe', async () => {
    const { clock, pacer, starts, rel } = setup({ minIntervalMs: 100, floodCooldownMs: 30_000 });
    let releaseProbe!: () => void;
    const probeGate = new Promise<void>((r) => (releaseProbe = r));
    let firstCall = true;
    let probeSeen = false;
    const results = Array.from({ length: 5 }, () =>
      settle(
        pacer.run(async () => {
          starts.push(clock.now());
          if (firstCall) {
            firstCall = false;
            throw flood();
          }
          if (!probeSeen) {
            probeSeen = true;
            await probeGate;
          }
          return 'ok';
        }),
      ),
    );
    await clock.advance(1);
    expect(rel()).toEqual([0]);
    expect(pacer.stats()).toMatchObject({ bans: 1, cooldownUntil: clock.now() - 1 + 30_000 });
    await clock.advance(29_998);
    expect(starts).toHaveLength(1);
    await clock.advance(1);
    expect(rel()).toEqual([0, 30_000]);
    expect(pacer.stats().probing).toBe(true);
    await clock.advance(10_000);
    expect(starts).toHaveLength(2);
    releaseProbe();
    await clock.advance(1000);
    const r = rel();
    expect(r).toHaveLength(6);
    for (let i = 2; i < r.length; i++) expect(r[i]! - r[i - 1]!).toBeGreaterThanOrEqual(100);
    expect(r[2]).toBeGreaterThanOrEqual(40_000);
    for (const out of await Promise.all(results)) expect(out).toEqual({ ok: true, value: 'ok' });
    expect(pacer.stats()).toMatchObject({ bans: 1, probing: false, cooldownUntil: undefined });
  });

  it('honours a Retry-After longer than the cooldown', async () => {
    const { clock, pacer, starts, rel } = setup({ minIntervalMs: 0, floodCooldownMs: 1000 });
    const p = settle(
      pacer.run(async (attempt) => {
        starts.push(clock.now());
        if (attempt === 1) throw classifyFailure('file/ls.cgi', 403, 'Flood detected: IP Locked #412', 60_000);
        return 'ok';
      }),
    );
    await clock.advance(59_999);
    expect(starts).toHaveLength(1);
    await clock.advance(1);
    expect(await p).toEqual({ ok: true, value: 'ok' });
    expect(rel()).toEqual([0, 60_000]);
  });

  it('a probe that is banned again starts a new cooldown', async () => {
    const { clock, pacer, rel, starts } = setup({ minIntervalMs: 0, floodCooldownMs: 1000, floodEscalatedCooldownMs: 5000 });
    const p = settle(
      pacer.run(async (attempt) => {
        starts.push(clock.now());
        if (attempt <= 2) throw flood();
        return attempt;
      }),
    );
    await clock.advance(10_000);
    expect(await p).toEqual({ ok: true, value: 3 });
    // The second ban comes right after the first ended: escalated, 5 s instead of 1 s.
    expect(rel()).toEqual([0, 1000, 6000]);
    expect(pacer.stats()).toMatchObject({ bans: 2, banLevel: 2 });
  });

  it('a probe that gets no answer hands the probe role to the next caller', async () => {
    const { clock, pacer, rel, starts } = setup({ minIntervalMs: 100, floodCooldownMs: 1000 });
    let n = 0;
    const reset = () => transportError('file/ls.cgi', Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const run = () =>
      settle(
        pacer.run(
          async () => {
            starts.push(clock.now());
            n++;
            if (n === 1) throw flood();
            if (n === 2) {
              await clock.sleep(500);
              throw reset();
            }
            return n;
          },
          { retry: false },
        ),
      );
    const outs = [run(), run(), run()];
    await clock.advance(1000);
    expect(rel()).toEqual([0, 1000]);
    await clock.advance(500);
    expect(rel()).toEqual([0, 1000, 1500]);
    expect((await Promise.all(outs)).map((o) => o.ok)).toEqual([false, false, true]);
  });

  it('rejects a waiting caller when its signal aborts', async () => {
    const { clock, pacer } = setup({ minIntervalMs: 0, floodCooldownMs: 1000 });
    const banned = settle(pacer.run(async () => Promise.reject(flood()), { retry: false }));
    await clock.advance(0);
    const ac = new AbortController();
    const waiting = settle(pacer.run(async () => 'never', { signal: ac.signal }));
    await clock.advance(10);
    ac.abort(new Error('stop'));
    const out = await waiting;
    expect(out.ok === false && (out.error as Error).message).toBe('stop');
    expect((await banned).ok).toBe(false);
  });
});
