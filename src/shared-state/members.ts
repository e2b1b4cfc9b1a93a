/**
 * Which gateways of the account are alive, for the timetable a gateway follows when Redis is away
 * (schedule.ts): every `everyMs` each gateway stamps its name in a sorted set and reads the names stamped within
 * the last three beats; its place is its rank among them in name order. Errors are ignored (the link logs a loss; the last
 * membership seen stays in force).
 */
import type { SharedLink } from './link.ts';
import type { Membership } from './schedule.ts';
import type { Clock } from '../util/clock.ts';

export interface HeartbeatOptions {
  link: Pick<SharedLink, 'up' | 'redis'>;
  /** Key prefix of the account. */
  prefix: string;
  owner: string;
  clock: Clock;
  everyMs?: number;
  onMembers: (m: Membership) => void;
}

/** Starts the heartbeat (a first beat at once); returns its stop, which also removes this gateway from the set. */
export function startHeartbeat(o: HeartbeatOptions): () => Promise<void> {
  const every = o.everyMs ?? 1000;
  const key = `${o.prefix}members`;
  const beat = async (): Promise<void> => {
    if (!o.link.up) return;
    const now = o.clock.now();
    const r = await o.link.redis
      .multi()
      .zadd(key, String(now), o.owner)
      .zremrangebyscore(key, '-inf', String(now - 3 * every))
      .zrange(key, '0', '-1')
      .pexpire(key, 10 * every)
      .exec();
    const names = r?.[2]?.[1];
    if (!Array.isArray(names)) return;
    const sorted = (names as string[]).slice().sort();
    const index = sorted.indexOf(o.owner);
    if (index >= 0) o.onMembers({ count: sorted.length, index });
  };
  const run = (): void => void beat().catch(() => undefined);
  run();
  const timer = setInterval(run, every);
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (o.link.up) await o.link.redis.zrem(key, o.owner).catch(() => undefined);
  };
}
