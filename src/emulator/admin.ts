import type { IncomingMessage, ServerResponse } from 'node:http';
import { int, nonNeg, object } from './check.ts';
import type { Core, EmulatorConfig } from './core.ts';
import { KO, sendError, sendJson } from './errors.ts';
import type { FaultSettings } from './faults.ts';
import { parseJsonObject, readBody, urlOf } from './http.ts';
import type { RateLimits } from './limits.ts';
import type { CallRecord, EmulatorStats } from './stats.ts';

/**
 * Test and operator controls: the `EmulatorControl` methods, and the same over HTTP under /_emulator/
 * (no key; JSON in and out). Invalid input => 400 KO #902.
 */
export interface EmulatorControl {
  /** Merges limits; returns the limits now in force. */
  setLimits(partial: Partial<RateLimits>): RateLimits;
  /** Merges config (tokenTtlMs, latencyMs, listLimit >= 1, quotaBytes); returns the config now in force. */
  setConfig(partial: Partial<EmulatorConfig>): EmulatorConfig;
  /** Bans the account key now for `ms` (#374, or #412 "User Locked"). */
  ban(ms: number, code?: 374 | 412): void;
  /** Merges faults (failNext appends). Throws KoError 400 on invalid settings. */
  setFaults(faults: FaultSettings): void;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Zeroes counters and the call log. */
  resetStats(): void;
  stats(): EmulatorStats;
  /** Calls that arrived at or after `sinceMs` (clock ms), oldest first. */
  calls(sinceMs?: number): CallRecord[];
  /** Resolves when no background work (remote upload) is running. */
  idle(): Promise<void>;
}

function pick<K extends string>(input: unknown, keys: readonly K[], check: (v: unknown, k: K) => number): Partial<Record<K, number>> {
  const o = object(input, 'body');
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = check(o[k], k);
  return out;
}

const LIMIT_KEYS = ['rps', 'banMs', 'folderLsIntervalMs', 'userInfoIntervalMs', 'fileLsAllIntervalMs'] as const;
const CONFIG_KEYS = ['tokenTtlMs', 'latencyMs', 'listLimit', 'quotaBytes'] as const;

/** Validates untrusted limits. */
export function parseLimits(input: unknown): Partial<RateLimits> {
  return pick(input, LIMIT_KEYS, (v, k) => nonNeg(v, k));
}

/** Validates untrusted config (listLimit must be an integer >= 1). */
export function parseConfig(input: unknown): Partial<EmulatorConfig> {
  return pick(input, CONFIG_KEYS, (v, k) => {
    if (k !== 'listLimit') return nonNeg(v, k);
    const n = int(v, k);
    if (n < 1) throw KO.badParam(k);
    return n;
  });
}

export function createControl(core: Core): EmulatorControl {
  return {
    setLimits(partial) {
      core.limiter.set(parseLimits(partial));
      return { ...core.limiter.limits };
    },
    setConfig(partial) {
      Object.assign(core.config, parseConfig(partial));
      return { ...core.config };
    },
    ban(ms, code = 374) {
      core.limiter.ban(core.apiKey, nonNeg(ms, 'ms'), code);
    },
    setFaults: (faults) => core.faults.merge(faults),
    clearFaults: () => core.faults.clear(),
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
    'GET limits': () => ({ ...core.limiter.limits }),
    'POST limits': (b) => control.setLimits(parseLimits(b)),
    'GET config': () => ({ ...core.config }),
    'POST config': (b) => control.setConfig(parseConfig(b)),
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
      sendJson(res, 200, route(body, urlOf(req)));
    } catch (err) {
      sendError(res, err, core.logger);
    }
  };
}
