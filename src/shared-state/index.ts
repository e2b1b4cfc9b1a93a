/**
 * Shared state of several gateways on one account, in Redis: openSharedState connects, and gives the RateState
 * the pacer uses (Redis, with local failover), the listing-change feed the VFS uses, the membership heartbeat
 * and what `config show`, the banner and /metrics tell. Everything is keyed by a hash of the API base and the
 * key (the key itself never leaves the process).
 *
 * What is shared: the general call spacing, the listing budget (global and per folder, with its lease), bans
 * (until, level, one probe for all), listing changes. What is not: the cap on calls in flight (per gateway),
 * the quota, each gateway's metadata store (its local cache).
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RateState } from '../api/rate-state.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { createFailoverRateState, type FailoverRateState, type FailoverStats } from './failover.ts';
import { createSharedFeed, type SharedFeed } from './feed.ts';
import { createSharedLink, type SharedLink, type SharedLinkOptions } from './link.ts';
import { startHeartbeat } from './members.ts';
import type { Membership } from './schedule.ts';
import { createRedisRateState, QUEUE_GRACE_MS } from './redis-rate-state.ts';

export const DEFAULT_FALLBACK_SHARE = 0.25;

export interface SharedStateOptions {
  /** The parsed address (config/shared-state-url.ts) and the password read from the environment or a file. */
  address: Pick<SharedLinkOptions, 'host' | 'port' | 'db' | 'tls' | 'username' | 'shown'>;
  password?: string;
  /** API base and key: hashed into the key prefix. */
  apiBase: string;
  apiKey: string;
  clock: Clock;
  logger: Logger;
  /** Share of the budget taken on local state when Redis is away. Default 0.25. */
  fallbackShare?: number;
  /** How long to wait for Redis at start before serving on local state. Default 2000 ms. */
  connectWaitMs?: number;
  /** Probe lease of the shared ban (redis-rate-state.ts). */
  probeLeaseMs?: number;
  /** Longest wait between reconnection attempts (link.ts); the timetable applies twice this long after a return. Default 5000 ms. */
  reconnectMaxMs?: number;
}

export interface SharedStateStats extends FailoverStats {
  up: boolean;
  address: string;
  losses: number;
  sent: number;
  received: number;
}

export interface SharedState {
  /** Wraps the local rate state into the shared one (give it the listing budget's intervals). */
  rateState(local: RateState, listIntervalMs: number, folderIntervalMs: number): FailoverRateState;
  readonly feed: SharedFeed;
  readonly link: SharedLink;
  stats(): SharedStateStats;
  close(): Promise<void>;
}

/** The key prefix of an account: a hash, so neither the key nor the API base appears in Redis. */
export function accountPrefix(apiBase: string, apiKey: string): string {
  return `fdav:${createHash('sha256').update(`fichier-dav shared state\0${apiBase}\0${apiKey}`).digest('hex').slice(0, 32)}:`;
}

/** Connects (waiting at most connectWaitMs; a gateway starts on local state when Redis is not there yet). Never rejects. */
export async function openSharedState(o: SharedStateOptions): Promise<SharedState> {
  const reconnectMaxMs = o.reconnectMaxMs ?? 5000;
  const link = createSharedLink({ ...o.address, ...(o.password !== undefined ? { password: o.password } : {}), logger: o.logger, maxReconnectDelayMs: reconnectMaxMs });
  await link.ready(o.connectWaitMs ?? 2000);
  const prefix = accountPrefix(o.apiBase, o.apiKey);
  const owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const feed = createSharedFeed({ redis: link.redis, subscriber: link.subscriber, isUp: () => link.up, prefix, owner, logger: o.logger });
  const share = o.fallbackShare ?? DEFAULT_FALLBACK_SHARE;
  let failover: FailoverRateState | undefined;
  let members: Membership | undefined;
  const stopHeartbeat = startHeartbeat({
    link,
    prefix,
    owner,
    clock: o.clock,
    onMembers: (m) => {
      members = m;
      failover?.setMembers(m);
    },
  });
  return {
    rateState(local, listIntervalMs, folderIntervalMs) {
      // The queue's grace is at most one listing interval: under a time-scaled budget (tests) a fixed 250 ms would
      // leave the budget idle for several slots each time a queued gateway stops asking.
      const queueGraceMs = Math.min(QUEUE_GRACE_MS, listIntervalMs);
      // A gateway waiting for a folder asks again at least once per listing interval (api/list-budget.ts).
      const askEveryMs = Math.max(1, listIntervalMs);
      const shared = createRedisRateState({ redis: link.redis, prefix, owner, clock: o.clock, queueGraceMs, askEveryMs, ...(o.probeLeaseMs !== undefined ? { probeLeaseMs: o.probeLeaseMs } : {}) });
      failover = createFailoverRateState({ shared, local, link, clock: o.clock, logger: o.logger, share, listIntervalMs, folderIntervalMs, settleMs: 2 * reconnectMaxMs, ...(members ? { members } : {}) });
      return failover;
    },
    feed,
    link,
    stats() {
      const l = link.stats();
      const f = failover?.stats() ?? { mode: link.up ? 'shared' : 'local', localSteps: 0, members: { count: 1, index: 0 } };
      return { ...f, up: l.up, address: l.address, losses: l.losses, ...feed.stats() };
    },
    async close() {
      await stopHeartbeat();
      await feed.close();
      await link.close();
    },
  };
}
