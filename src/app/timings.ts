/**
 * The gateway's time constants in one place, scalable as a whole. The defaults (time scale 1) are the real
 * service's rules and the evidence behind them (api/pacer.ts, api/list-budget.ts, vfs/consistency.ts,
 * remote/fichier): a test that runs the emulator's realistic profile at time scale F gives the stack the same F,
 * so the gateway keeps the same rules, F times faster. Explicit options of createStack win over these.
 */
import { DEFAULT_LIST_FOLDER_INTERVAL_MS, DEFAULT_LIST_INTERVAL_MS } from '../api/list-budget.ts';
import { DEFAULT_FLOOD_COOLDOWN_MS, DEFAULT_FLOOD_ESCALATED_COOLDOWN_MS, DEFAULT_MIN_INTERVAL_MS, type PacerOptions } from '../api/pacer.ts';
import { DEFAULT_SETTLE_MS } from '../remote/fichier/index.ts';
import { DEFAULT_CONSISTENCY_GRACE_MS } from '../vfs/consistency.ts';

export interface GatewayTimings {
  /** General spacing of API calls. */
  minIntervalMs: number;
  /** Listing budget: between two listings, and between two listings of one folder. */
  listIntervalMs: number;
  listFolderIntervalMs: number;
  /** Ban cooldowns: a first ban, and a repeated or long one. */
  floodCooldownMs: number;
  floodEscalatedCooldownMs: number;
  /** Retry backoff of the pacer. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long our own changes override stale listings. */
  consistencyGraceMs: number;
  /** How long the service may take to show a change (upload check, folder/rm retries). */
  settleMs: number;
  /** Longest polling of end.pl after an upload. */
  endPollMaxMs: number;
}

const BASE: GatewayTimings = {
  minIntervalMs: DEFAULT_MIN_INTERVAL_MS,
  listIntervalMs: DEFAULT_LIST_INTERVAL_MS,
  listFolderIntervalMs: DEFAULT_LIST_FOLDER_INTERVAL_MS,
  floodCooldownMs: DEFAULT_FLOOD_COOLDOWN_MS,
  floodEscalatedCooldownMs: DEFAULT_FLOOD_ESCALATED_COOLDOWN_MS,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  consistencyGraceMs: DEFAULT_CONSISTENCY_GRACE_MS,
  settleMs: DEFAULT_SETTLE_MS,
  endPollMaxMs: 120_000,
};

/** True for a usable time scale: a finite number > 0. */
export function isGatewayTimeScale(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/**
 * Every constant multiplied by `timeScale` (rounded to whole ms, at least 1). Throws RangeError for a scale that
 * is not a finite number > 0.
 */
export function gatewayTimings(timeScale = 1): GatewayTimings {
  if (!isGatewayTimeScale(timeScale)) throw new RangeError(`time scale must be a number > 0, got ${String(timeScale)}`);
  const out = { ...BASE };
  for (const k of Object.keys(out) as (keyof GatewayTimings)[]) out[k] = Math.max(1, Math.round(BASE[k] * timeScale));
  return out;
}

/** The pacer's options of timings `t`: spacing, listing budget, ban cooldowns, backoff. */
export function pacerTimings(t: GatewayTimings): PacerOptions {
  return {
    minIntervalMs: t.minIntervalMs,
    listIntervalMs: t.listIntervalMs,
    listFolderIntervalMs: t.listFolderIntervalMs,
    floodCooldownMs: t.floodCooldownMs,
    floodEscalatedCooldownMs: t.floodEscalatedCooldownMs,
    backoffBaseMs: t.backoffBaseMs,
    backoffMaxMs: t.backoffMaxMs,
  };
}
