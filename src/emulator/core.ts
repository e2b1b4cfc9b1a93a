import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { BlobStore } from './blobs.ts';
import type { Chance } from './chance.ts';
import type { Faults } from './faults.ts';
import type { Limiter } from './limits.ts';
import type { ProfileName } from './profile.ts';
import type { Settling } from './settling.ts';
import type { Shares } from './shared-folders.ts';
import type { State } from './state.ts';
import type { Stats } from './stats.ts';

/** How folder/mkdir treats a name already taken in the parent (what the real service does is unknown). */
export type DuplicateFolders = 'refuse' | 'allow' | 'existing';
/** What folder/mv does with `rename` and a destination in one call (the real behaviour is unknown). */
export type FolderMvRename = 'rename-only' | 'move-and-rename';
/** Which entries a capped listing keeps. */
export type ListKeep = 'newest' | 'oldest';

/** Runtime-adjustable settings (POST /_emulator/config); the profile sets the behaviour ones. */
export interface EmulatorConfig {
  /** Download token lifetime (ms). */
  tokenTtlMs: number;
  /** Added before answering each API and upload-node call (ms). */
  latencyMs: number;
  /** Total quota in bytes (user/info available_cold_storage). */
  quotaBytes: number;
  /** Max entries per folder/ls answer (sub-folders first, then items). */
  listLimit: number;
  /** Max entries per file/ls answer; 0 = no cap. */
  fileLsLimit: number;
  /** Which files a capped listing keeps (by upload date, then upload order); the answer stays in upload order. */
  listKeep: ListKeep;
  /** A new file (upload, copy, remote upload) is listed only this long after it was stored (ms). */
  newFileListDelayMs: number;
  /** A deleted file stays listed this long after file/rm (ms); file/info and get_token see it gone at once. */
  deletedFileListDelayMs: number;
  /** folder/rm answers "not empty" this long after a file of the folder was deleted (ms). */
  folderRmDelayMs: number;
  /** How long after upload.cgi an unlucky end.pl (see the ratios) keeps answering without its links (ms). */
  endPlSettleMs: number;
  /** Probability that an upload's end.pl answers JSON without links during endPlSettleMs. */
  endPlNoLinksRatio: number;
  /** Probability that an upload's end.pl answers the HTML "please wait" page during endPlSettleMs. */
  endPlWaitPageRatio: number;
  /** Probability that a download token answers 302 to another download host (which serves the bytes). */
  downloadRedirectRatio: number;
  /** Expired and used download tokens answer 200 text/html (an error page) instead of 410 JSON. */
  downloadErrorsAsHtml: boolean;
  duplicateFolders: DuplicateFolders;
  folderMvRename: FolderMvRename;
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
  /** The profile last applied and its time scale (individual settings may have been changed since). */
  profile: { name: ProfileName; timeScale: number };
  limiter: Limiter;
  chance: Chance;
  settling: Settling;
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
