import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileUrl } from './catalog.ts';
import { int, nonNeg, object, str } from './check.ts';
import type { Core, EmulatorConfig } from './core.ts';
import { KO, sendError, sendJson } from './errors.ts';
import type { FaultSettings } from './faults.ts';
import { parseJsonObject, readBody, urlOf } from './http.ts';
import type { RateLimits } from './limits.ts';
import { isTimeScale, PROFILE_NAMES, profileValues, type ProfileName } from './profile.ts';
import { seedFiles, type SeedFilesOptions, type SeedFilesResult } from './seed.ts';
import type { CallRecord, EmulatorStats } from './stats.ts';

/**
 * Test and operator controls: the `EmulatorControl` methods, and the same over HTTP under /_emulator/
 * (no key; JSON in and out). Invalid input => 400 KO #902.
 */
export interface EmulatorControl {
  /** Merges limits (ms as given, not scaled); returns the limits now in force. */
  setLimits(partial: Partial<RateLimits>): RateLimits;
  /** Forgets every ban, ban level and rule history (the limits stay). */
  resetLimits(): void;
  /** Merges config (see EmulatorConfig; ms as given, not scaled); returns the config now in force. */
  setConfig(partial: Partial<EmulatorConfig>): EmulatorConfig;
  /** Applies a profile's limits and behaviour settings at a time scale (token TTL, latency and quota stay). */
  setProfile(p: { profile?: ProfileName; timeScale?: number }): { profile: ProfileName; timeScale: number };
  /** Bans the account key now for `ms` (#374, or #412 "User Locked"), ban level unchanged. */
  ban(ms: number, code?: 374 | 412): void;
  /** Merges faults (failNext appends). Throws KoError 400 on invalid settings. */
  setFaults(faults: FaultSettings): void;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Adds `count` small files to a folder at once, listed at once, with dates spread into the past. */
  seedFiles(o: SeedFilesOptions): Promise<SeedFilesResult>;
  /** Zeroes counters and the call log. */
  resetStats(): void;
  stats(): EmulatorStats;
  /** Calls that arrived at or after `sinceMs` (clock ms), oldest first. */
  calls(sinceMs?: number): CallRecord[];
  /** Resolves when no background work (remote upload) is running. */
  idle(): Promise<void>;
}

type Parser<T> = { [K in keyof T]?: (v: unknown, k: string) => T[K] };

/** Picks and checks the known keys of an untrusted object; unknown keys => 400 #902 (a setting accepted and ignored would lie). */
function pick<T>(input: unknown, parsers: Parser<T>): Partial<T> {
  const o = object(input, 'body');
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) {
    const parse = parsers[k as keyof T];
    if (!parse) throw KO.badParam(k);
    out[k as keyof T] = parse(v, k);
  }
  return out;
}

const ratio = (v: unknown, k: string): number => {
  const n = nonNeg(v, k);
  if (n > 1) throw KO.badParam(k);
  return n;
};
const bool = (v: unknown, k: string): boolean => {
  if (typeof v !== 'boolean') throw KO.badParam(k);
  return v;
};
const positiveInt = (v: unknown, k: string): number => {
  const n = int(v, k);
  if (n < 1) throw KO.badParam(k);
  return n;
};
const nonNegInt = (v: unknown, k: string): number => {
  const n = int(v, k);
  if (n < 0) throw KO.badParam(k);
  return n;
};
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown, k: string): T => {
    if (typeof v !== 'string' || !values.includes(v as T)) throw KO.badParam(k);
    return v as T;
  };

const LIMIT_PARSERS: Required<Parser<RateLimits>> = {
  rps: nonNegInt,
  rpsWindowMs: positiveInt,
  listIntervalMs: nonNeg,
  listFolderIntervalMs: nonNeg,
  fileLsAllIntervalMs: nonNeg,
  userInfoIntervalMs: nonNeg,
  banMs: nonNeg,
  banEscalatedMs: nonNeg,
  banDecayMs: nonNeg,
  banPlainTextRatio: ratio,
  errorBan: bool,
  errorBanCount: positiveInt,
  errorBanWindowMs: positiveInt,
};

const CONFIG_PARSERS: Required<Parser<EmulatorConfig>> = {
  tokenTtlMs: nonNeg,
  latencyMs: nonNeg,
  quotaBytes: nonNeg,
  listLimit: positiveInt,
  fileLsLimit: nonNegInt,
  listKeep: oneOf(['newest', 'oldest'] as const),
  newFileListDelayMs: nonNeg,
  deletedFileListDelayMs: nonNeg,
  folderRmDelayMs: nonNeg,
  endPlSettleMs: nonNeg,
  endPlNoLinksRatio: ratio,
  endPlWaitPageRatio: ratio,
  downloadRedirectRatio: ratio,
  downloadErrorsAsHtml: bool,
  duplicateFolders: oneOf(['refuse', 'allow', 'existing'] as const),
  folderMvRename: oneOf(['rename-only', 'move-and-rename'] as const),
};

/** Validates untrusted limits. */
export function parseLimits(input: unknown): Partial<RateLimits> {
  return pick(input, LIMIT_PARSERS);
}

/** Validates untrusted config (listLimit must be an integer >= 1; ratios in [0, 1]). */
export function parseConfig(input: unknown): Partial<EmulatorConfig> {
  return pick(input, CONFIG_PARSERS);
}

function parseProfile(input: unknown): { profile?: ProfileName; timeScale?: number } {
  return pick<{ profile: ProfileName; timeScale: number }>(input, {
    profile: oneOf(PROFILE_NAMES),
    timeScale: (v, k) => {
      if (!isTimeScale(v)) throw KO.badParam(k);
      return v;
    },
  });
}

function parseSeed(input: unknown): SeedFilesOptions {
  const o = pick<SeedFilesOptions>(input, { folderId: nonNegInt, count: positiveInt, prefix: str, spacingMs: nonNegInt, size: positiveInt });
  if (o.folderId === undefined || o.count === undefined) throw KO.badParam(o.folderId === undefined ? 'folderId' : 'count');
  return o as SeedFilesOptions;
}

export function createControl(core: Core): EmulatorControl {
  return {
    setLimits(partial) {
      core.limiter.set(parseLimits(partial));
      return { ...core.limiter.limits };
    },
    resetLimits: () => core.limiter.reset(),
    setConfig(partial) {
      Object.assign(core.config, parseConfig(partial));
      return { ...core.config };
    },
    setProfile(p) {
      const { profile = core.profile.name, timeScale = core.profile.timeScale } = parseProfile(p);
      const values = profileValues(profile, timeScale);
      core.limiter.set(values.limits);
      Object.assign(core.config, values.config);
      core.profile = { name: profile, timeScale };
      return { profile, timeScale };
    },
    ban(ms, code = 374) {
      core.limiter.ban(core.apiKey, nonNeg(ms, 'ms'), code);
    },
    setFaults: (faults) => core.faults.merge(faults),
    clearFaults: () => core.faults.clear(),
    seedFiles: (o) => seedFiles(core, parseSeed(o)),
    resetStats: () => core.stats.reset(),
    stats: () => core.stats.snapshot(),
    calls: (sinceMs = 0) => core.stats.since(sinceMs),
    async idle() {
      while (core.background.size > 0) await Promise.allSettled([...core.background]);
    },
  };
}

type AdminRoute = (body: Record<string, unknown>, url: URL) => unknown;

function routes(core: Core, control: EmulatorControl): Record<string, AdminRoute> {
  return {
    'GET health': () => ({ ok: true }),
    'GET stats': () => control.stats(),
    'POST stats/reset': () => (control.resetStats(), { ok: true }),
    'GET calls': (_b, url) => control.calls(Number(url.searchParams.get('since') ?? 0) || 0),
    // What a folder holds now, as stored: not a listing (no rule counts it, no consistency delay hides anything),
    // so a test can check the truth without breaking the rules it runs under.
    'GET stored': (_b, url) => {
      const id = Number(url.searchParams.get('folder') ?? 0);
      if (!Number.isSafeInteger(id) || (id !== 0 && !core.state.folder(id))) throw KO.notFound();
      return {
        files: core.state.files(id).map((f) => ({ filename: f.filename, url: fileUrl(f.id), size: f.size })),
        folders: core.state.subFolders(id).map((f) => ({ id: f.id, name: f.name })),
      };
    },
    'GET profile': () => ({ profile: core.profile.name, timeScale: core.profile.timeScale }),
    'POST profile': (b) => control.setProfile(b),
    'GET limits': () => ({ ...core.limiter.limits }),
    'POST limits': (b) => control.setLimits(parseLimits(b)),
    'POST limits/reset': () => (control.resetLimits(), { ok: true }),
    'GET config': () => ({ ...core.config }),
    'POST config': (b) => control.setConfig(parseConfig(b)),
    'POST seed/files': (b) => control.seedFiles(parseSeed(b)),
    'POST ban': (b) => {
      const code = b.code === undefined ? 374 : int(b.code, 'code');
      if (code !== 374 && code !== 412) throw KO.badParam('code');
      control.ban(nonNeg(b.ms, 'ms'), code);
      return { ok: true };
    },
    'GET faults': () => core.faults.snapshot(),
    'POST faults': (b) => (core.faults.merge(b), core.faults.snapshot()),
    'POST faults/clear': () => (control.clearFaults(), { ok: true }),
  };
}

/** Answers /_emulator/<path>; unknown => 404 KO #903. Never throws. */
export function adminHandler(core: Core, control: EmulatorControl): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  const table = routes(core, control);
  return async (req, res, path) => {
    try {
      const route = table[`${req.method ?? 'GET'} ${path}`];
      if (!route) throw KO.unknownMethod();
      const body = req.method === 'POST' ? parseJsonObject(await readBody(req)) : {};
      sendJson(res, 200, await route(body, urlOf(req)));
    } catch (err) {
      sendError(res, err, core.logger);
    }
  };
}
