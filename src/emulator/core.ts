import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { BlobStore } from './blobs.ts';
import type { Faults } from './faults.ts';
import type { Limiter } from './limits.ts';
import type { Shares } from './shared-folders.ts';
import type { State } from './state.ts';
import type { Stats } from './stats.ts';

/** Runtime-adjustable settings (POST /_emulator/config). */
export interface EmulatorConfig {
  /** Download token lifetime (ms). */
  tokenTtlMs: number;
  /** Added before answering each API and upload-node call (ms). */
  latencyMs: number;
  /** Max entries per folder/ls answer (sub_folders first, then items). */
  listLimit: number;
  /** Total quota in bytes (user/info available_cold_storage). */
  quotaBytes: number;
}

/** Everything a route handler needs; one per emulator instance. */
export interface Core {
  apiKey: string;
  email: string;
  state: State;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  config: EmulatorConfig;
  limiter: Limiter;
  faults: Faults;
  stats: Stats;
  /** Public shares of folders (folder/share.cgi, /dir/<id>). */
  shares: Shares;
  /** Background work (remote uploads) in flight; `close()` and tests wait for it. */
  background: Set<Promise<void>>;
  /** Aborted on close: stops background fetches. */
  closing: AbortController;
}

/** Runs `work` in the background, tracked in `core.background`; its errors are logged. */
export function inBackground(core: Core, work: () => Promise<void>): void {
  const p = work()
    .catch((err: unknown) => core.logger.warn({ err }, 'emulator: background task failed'))
    .finally(() => core.background.delete(p));
  core.background.add(p);
}

/** Sleeps `ms` on the core's clock; no-op for 0 (so FakeClock tests are not parked). */
export async function delay(core: Core, ms: number): Promise<void> {
  if (ms > 0) await core.clock.sleep(ms);
}
