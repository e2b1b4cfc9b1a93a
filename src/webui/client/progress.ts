/**
 * Progress of a batch of transfers (uploads): each item's bytes sent of its size and its state, and the total
 * the page shows above the list. Pure: no DOM, no timers.
 */
export type TransferState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TransferItem {
  size: number;
  loaded: number;
  state: TransferState;
}

export interface BatchProgress {
  /** Bytes of the items not cancelled. */
  total: number;
  /** Bytes sent of those (a finished item counts whole, a failed one as far as it got). */
  loaded: number;
  /** loaded / total, 1 for an empty batch. */
  fraction: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Items queued or running. */
  active: number;
}

export function batchProgress(items: readonly TransferItem[]): BatchProgress {
  let total = 0;
  let loaded = 0;
  let done = 0;
  let failed = 0;
  let cancelled = 0;
  let active = 0;
  for (const it of items) {
    if (it.state === 'cancelled') {
      cancelled++;
      continue;
    }
    total += it.size;
    loaded += it.state === 'done' ? it.size : Math.min(it.loaded, it.size);
    if (it.state === 'done') done++;
    else if (it.state === 'failed') failed++;
    else active++;
  }
  return { total, loaded, fraction: total === 0 ? 1 : loaded / total, done, failed, cancelled, active };
}

/**
 * Bytes per second over a sliding window of (time ms, bytes) samples, oldest first; undefined until two
 * samples at least `minSpanMs` apart exist.
 */
export function rateOf(samples: readonly { at: number; bytes: number }[], minSpanMs = 500): number | undefined {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at - first.at < minSpanMs) return undefined;
  return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
}
