/**
 * Clocks for tests that assert on time through the injected clock (util/clock.ts) instead of the wall clock.
 * util/clock.ts FakeClock is the one to use when the test drives time itself; these two are for code behind
 * real sockets, where nobody can call `advance` at the right moment.
 */
import type { Clock } from '../../src/util/clock.ts';

export interface RecordingClock extends Clock {
  /** The duration of every sleep asked for so far, in ms, in order. */
  readonly sleeps: number[];
}

/** `base`, recording the duration of every sleep (the sleeps still take `base`'s time). */
export function recordingClock(base: Clock): RecordingClock {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => base.now(),
    sleep(ms, signal) {
      sleeps.push(ms);
      return base.sleep(ms, signal);
    },
  };
}

/**
 * A clock whose sleeps take no real time: each moves the clock forward by its duration at once (and is
 * recorded). Exact for code that waits one sleep at a time, as a stream pacing its own bytes does.
 */
export function skippingClock(start = Date.now()): RecordingClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      t += Math.max(0, ms);
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
