/**
 * The stack's side of the shared state (shared-state/): parses the address, connects, and hands the pacer a
 * wrapper of its local rate state and the VFS the listing-change feed. Kept out of stack.ts so the composition
 * root only says where it goes.
 *
 * The shared-state modules (and ioredis through them) are imported when a shared state is configured: most
 * gateways run without one, and loading the Redis client's code would only add to their resident memory.
 */
import type { RateState } from '../api/rate-state.ts';
import { parseSharedStateUrl } from '../config/shared-state-url.ts';
import type { SharedState } from '../shared-state/index.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import type { Secret } from '../util/secret.ts';

export interface StackSharedStateOptions {
  /** redis://HOST:PORT[/DB] or rediss://... (no password in it: ConfigError 'bad-field'). */
  url: string;
  /** Read from the environment or a file by the caller. */
  password?: string;
  /** Share of the budget taken while Redis is away, 0 < share <= 1. Default 0.25. */
  fallbackShare?: number;
  /** How long to wait for Redis at start. Default 2000 ms. */
  connectWaitMs?: number;
  /** How long a gateway holds the probe after a ban before another one may take it. Default 30 s. */
  probeLeaseMs?: number;
  /** Longest wait between two reconnection attempts; the timetable still applies twice this long after Redis returns. Default 5000 ms. */
  reconnectMaxMs?: number;
  clock?: Clock;
}

export type StackSharedState = SharedState;

export interface OpenedSharedState {
  handle: SharedState;
  wrap: (local: RateState, listIntervalMs: number, folderIntervalMs: number) => RateState;
}

/** Connects (never rejects for an unreachable Redis: the gateway starts on local state); registers its closer. */
export async function openStackSharedState(
  o: StackSharedStateOptions,
  ctx: { apiBase: string; apiKey: Secret; logger: Logger; closers: { what: string; close: () => unknown }[] },
): Promise<OpenedSharedState> {
  const address = parseSharedStateUrl(o.url);
  const { openSharedState } = await import('../shared-state/index.ts');
  const handle = await openSharedState({
    address,
    ...(o.password !== undefined ? { password: o.password } : {}),
    apiBase: ctx.apiBase,
    apiKey: ctx.apiKey.reveal(),
    clock: o.clock ?? systemClock,
    logger: ctx.logger.child({ component: 'shared-state' }),
    ...(o.fallbackShare !== undefined ? { fallbackShare: o.fallbackShare } : {}),
    ...(o.connectWaitMs !== undefined ? { connectWaitMs: o.connectWaitMs } : {}),
    ...(o.probeLeaseMs !== undefined ? { probeLeaseMs: o.probeLeaseMs } : {}),
    ...(o.reconnectMaxMs !== undefined ? { reconnectMaxMs: o.reconnectMaxMs } : {}),
  });
  ctx.closers.push({ what: 'the shared state', close: () => handle.close() });
  return { handle, wrap: (local, listIntervalMs, folderIntervalMs) => handle.rateState(local, listIntervalMs, folderIntervalMs) };
}

/**
 * Whether the shared-state Redis answers now (for `config show`): connects, waits at most `waitMs`, closes.
 * Never rejects; a malformed address is reported as not reachable with the reason.
 */
export async function probeSharedState(o: Pick<StackSharedStateOptions, 'url' | 'password'>, waitMs = 1500): Promise<{ address: string; up: boolean; reason?: string }> {
  let address;
  try {
    address = parseSharedStateUrl(o.url);
  } catch (err) {
    return { address: '<invalid>', up: false, reason: err instanceof Error ? err.message : String(err) };
  }
  const { createSharedLink } = await import('../shared-state/link.ts');
  const link = createSharedLink({ ...address, ...(o.password !== undefined ? { password: o.password } : {}), logger: silentLogger });
  try {
    const up = await link.ready(waitMs);
    return { address: address.shown, up, ...(up ? {} : { reason: 'no answer' }) };
  } finally {
    await link.close();
  }
}
