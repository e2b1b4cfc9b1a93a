/**
 * The listing changes of one account between its gateways: Redis pub/sub on one channel per account. A change
 * is one JSON message naming its sender; a gateway ignores its own. Delivery is at most once: a message
 * published while Redis is away is lost, and the receiving gateway's cache then learns the change at its next
 * listing of that folder, as without shared state.
 */
import type { Redis } from 'ioredis';
import type { ListingChange, ListingChangeFeed } from '../vfs/types.ts';
import type { Logger } from '../util/log.ts';

export interface FeedOptions {
  /** The command connection (publishes) and the subscribed one (receives). */
  redis: Redis;
  subscriber: Redis;
  isUp: () => boolean;
  /** Key prefix of the account. */
  prefix: string;
  owner: string;
  logger: Logger;
}

export interface SharedFeed extends ListingChangeFeed {
  /** Messages sent and received since start. */
  stats(): { sent: number; received: number };
  close(): Promise<void>;
}

interface Message {
  from: string;
  change: ListingChange;
}

export function createSharedFeed(o: FeedOptions): SharedFeed {
  const channel = `${o.prefix}changes`;
  const listeners: ((c: ListingChange) => void)[] = [];
  let sent = 0;
  let received = 0;
  const onMessage = (ch: string, text: string): void => {
    if (ch !== channel) return;
    let msg: Message;
    try {
      msg = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (msg.from === o.owner || typeof msg.change?.op !== 'string') return;
    received++;
    for (const fn of listeners) {
      try {
        fn(msg.change);
      } catch (err) {
        o.logger.warn({ op: msg.change.op, err: err instanceof Error ? err.name : typeof err }, 'could not apply a listing change of another gateway');
      }
    }
  };
  o.subscriber.on('message', onMessage);
  void o.subscriber.subscribe(channel).catch(() => undefined);
  return {
    publish(change) {
      if (!o.isUp()) return;
      sent++;
      void o.redis.publish(channel, JSON.stringify({ from: o.owner, change } satisfies Message)).catch(() => undefined);
    },
    subscribe(fn) {
      listeners.push(fn);
    },
    stats: () => ({ sent, received }),
    async close() {
      o.subscriber.off('message', onMessage);
      listeners.length = 0;
      await o.subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
