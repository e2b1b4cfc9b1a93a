/**
 * A counting semaphore on top of p-limit whose slot is held until the caller releases it, so a slot can
 * outlive the function that took it (a download holds its slot until the body stream closes).
 */
import pLimit from 'p-limit';

export interface Slots {
  /**
   * Resolves with an idempotent `release` function once a slot is free (FIFO).
   * Rejects with the signal's reason if `signal` aborts first; the slot is then never held.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Slots currently held. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly pending: number;
}

export function createSlots(concurrency: number): Slots {
  const limit = pLimit(concurrency);
  return {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        let settled = false;
        const onAbort = () => {
          settled = true;
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        void limit(
          () =>
            new Promise<void>((release) => {
              signal?.removeEventListener('abort', onAbort);
              if (settled) return release();
              settled = true;
              let released = false;
              resolve(() => {
                if (released) return;
                released = true;
                release();
              });
            }),
        );
      });
    },
    get active() {
      return limit.activeCount;
    },
    get pending() {
      return limit.pendingCount;
    },
  };
}
