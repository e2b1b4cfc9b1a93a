import type { EmulatorConfig } from './core.ts';
import { NO_LIMITS, type RateLimits } from './limits.ts';

/**
 * The two rule sets of the emulator, and the time scale that shrinks them.
 *
 * realistic: the real service's limits and quirks as far as public sources show them, with the cautious
 * reading wherever they are vague (values at time scale 1):
 * - listings: any folder/ls or file/ls at least 3 s after the previous one (an rclone maintainer: "about
 *   1 directory listing every 3 s"), the same folder at most once per 30 s (official API page, on
 *   file/ls; folder/ls counts too, with or without `files: 1`, and every page of a filtered file/ls
 *   counts), file/ls of every file (-1) once per hour (official page); a listing answers at most 5,000
 *   entries (official page), keeping the newest: the page names `sent_before` first, so a client pages
 *   back in time from the newest files;
 * - user/info at most once per 5 min (JDownloader), else 403 #38 without a ban;
 * - no general calls-per-second rule: "3 per second" is a recommendation everywhere it appears and no
 *   report ties a ban to it, while enforcing it would ban a compliant client for network jitter;
 * - bans: a broken listing rule bans the key for 5 min ("Flood detected: IP Locked #374"); another ban
 *   before the level has decayed lasts 1 h with the bare "IP Locked" (JDownloader waits 5 min after the
 *   first, 1 h after the second); the level drops by one per clean hour after a ban ends; a quarter of
 *   ban answers are plain text (plowshare saw bare text);
 * - repeated 401/403/404/410 earning a ban (only the third-party OpenAPI file says so, no report
 *   confirms it): a switch, off, so a client's ordinary 404s do not ban it in tests by default;
 * - eventual consistency: a new file is listed 3 s after it is stored and a deleted one stays listed
 *   3 s (rclone's own tests re-list up to 5 times); folder/rm says "not empty" for 2 s after a file of
 *   it was deleted (the C# SDK retries every second); a quarter of uploads answer end.pl without links,
 *   and a tenth with the "please wait" page, for 2 s (both reported by rclone users);
 * - downloads: a quarter of tokens redirect (302) to another download host (every client follows
 *   redirects); an expired or used token answers 200 text/html, the reading that is hardest on a
 *   client (JDownloader looks for an HTML page, so the status alone cannot be trusted);
 * - unknowns, as switches: duplicate folder names allowed (the case that hurts a client that assumes
 *   otherwise); folder/mv with `rename` only renames (the OpenAPI file: "rename ignores destination_*";
 *   rclone's DirMove (1.64 and later) sends both in one call and no user reports it broken, hence the switch).
 *
 * lenient: every rule off and everything consistent at once, for tests of something else; the emulator's
 * behaviour before profiles existed (duplicate folder names refused, folder/mv applies both).
 *
 * A time scale F multiplies every limit interval, ban length, decay and consistency delay (not the token
 * lifetime or the latency), so end-to-end tests can run the real rules fast.
 */
export type ProfileName = 'realistic' | 'lenient';
export const PROFILE_NAMES: readonly ProfileName[] = ['realistic', 'lenient'];

/** The config fields a profile sets (the rest: token lifetime, latency, quota). */
export type ProfileConfig = Omit<EmulatorConfig, 'tokenTtlMs' | 'latencyMs' | 'quotaBytes'>;

export interface ProfileValues {
  limits: RateLimits;
  config: ProfileConfig;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

const PROFILES: Record<ProfileName, ProfileValues> = {
  realistic: {
    limits: {
      ...NO_LIMITS,
      listIntervalMs: 3000,
      listFolderIntervalMs: 30_000,
      fileLsAllIntervalMs: HOUR,
      userInfoIntervalMs: 5 * MIN,
      banMs: 5 * MIN,
      banEscalatedMs: HOUR,
      banDecayMs: HOUR,
      banPlainTextRatio: 0.25,
    },
    config: {
      listLimit: 5000,
      fileLsLimit: 5000,
      listKeep: 'newest',
      newFileListDelayMs: 3000,
      deletedFileListDelayMs: 3000,
      folderRmDelayMs: 2000,
      endPlSettleMs: 2000,
      endPlNoLinksRatio: 0.25,
      endPlWaitPageRatio: 0.1,
      downloadRedirectRatio: 0.25,
      downloadErrorsAsHtml: true,
      duplicateFolders: 'allow',
      folderMvRename: 'rename-only',
    },
  },
  lenient: {
    limits: { ...NO_LIMITS },
    config: {
      listLimit: 5000,
      fileLsLimit: 0,
      listKeep: 'oldest',
      newFileListDelayMs: 0,
      deletedFileListDelayMs: 0,
      folderRmDelayMs: 0,
      endPlSettleMs: 0,
      endPlNoLinksRatio: 0,
      endPlWaitPageRatio: 0,
      downloadRedirectRatio: 0,
      downloadErrorsAsHtml: false,
      duplicateFolders: 'refuse',
      folderMvRename: 'move-and-rename',
    },
  },
};

/** The time fields a time scale multiplies. */
const SCALED_LIMITS = [
  'rpsWindowMs',
  'listIntervalMs',
  'listFolderIntervalMs',
  'fileLsAllIntervalMs',
  'userInfoIntervalMs',
  'banMs',
  'banEscalatedMs',
  'banDecayMs',
  'errorBanWindowMs',
] as const satisfies readonly (keyof RateLimits)[];
const SCALED_CONFIG = ['newFileListDelayMs', 'deletedFileListDelayMs', 'folderRmDelayMs', 'endPlSettleMs'] as const satisfies readonly (keyof ProfileConfig)[];

/** True for a usable time scale: a finite number > 0. */
export function isTimeScale(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** The values of profile `name` with every time field multiplied by `timeScale` (rounded to whole ms, at least 1 when non-zero). */
export function profileValues(name: ProfileName, timeScale = 1): ProfileValues {
  if (!isTimeScale(timeScale)) throw new RangeError(`time scale must be a number > 0, got ${String(timeScale)}`);
  const p = PROFILES[name];
  const scale = (ms: number): number => (ms === 0 ? 0 : Math.max(1, Math.round(ms * timeScale)));
  const limits = { ...p.limits };
  for (const k of SCALED_LIMITS) limits[k] = scale(limits[k]);
  const config = { ...p.config };
  for (const k of SCALED_CONFIG) config[k] = scale(config[k]);
  return { limits, config };
}
