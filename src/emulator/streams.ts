import type { ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { Clock } from '../util/clock.ts';

/**
 * Body plumbing shared by the upload node and the download host: byte counting, bandwidth limits
 * (paced with the injected clock) and mid-body connection resets.
 */
export interface MeterOptions {
  clock: Clock;
  /** Bytes per second; undefined = unthrottled. */
  bytesPerSec?: number;
  /** Cut after this many bytes: `onCut` is called and nothing more passes. */
  cutAfter?: number;
  onCut?: () => void;
  onBytes?: (n: number) => void;
}

/** Delay that keeps `bytes` sent since `start` at or under `rate` bytes/s. */
function paceDelay(clock: Clock, start: number, bytes: number, rate: number | undefined): number {
  return rate ? start + (bytes * 1000) / rate - clock.now() : 0;
}

/** Resolves on the response's next 'drain' or 'close', removing both listeners. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Pieces of at most ~1/20 s of traffic, so pacing is smooth and happens before bytes leave. */
function* pieces(chunk: Buffer, rate: number | undefined): Generator<Buffer> {
  const size = rate ? Math.max(1, Math.floor(rate / 20)) : chunk.length || 1;
  for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
}

/** A pass-through Transform for request bodies (upload direction). */
export function meter(o: MeterOptions): Transform {
  const start = o.clock.now();
  let seen = 0;
  let cut = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (cut) return cb();
      let c = chunk;
      if (o.cutAfter !== undefined && seen + c.length >= o.cutAfter) {
        c = c.subarray(0, Math.max(0, o.cutAfter - seen));
        cut = true;
      }
      seen += c.length;
      o.onBytes?.(c.length);
      if (cut) {
        o.onCut?.();
        return cb(null, c);
      }
      const wait = paceDelay(o.clock, start, seen, o.bytesPerSec);
      if (wait > 0) o.clock.sleep(wait).then(() => cb(null, c), cb);
      else cb(null, c);
    },
  });
}

/**
 * Writes `source` to `res` (which must have its headers set) with backpressure, pacing and an optional cut:
 * on a cut the bytes before it are flushed and then the socket is destroyed. Resolves when done, cut, or
 * when the client went away (the source is destroyed then).
 */
export async function pump(source: Readable, res: ServerResponse, o: MeterOptions): Promise<void> {
  const start = o.clock.now();
  let sent = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      for (const piece of pieces(chunk, o.bytesPerSec)) {
        if (res.destroyed) return;
        let c = piece;
        const cutting = o.cutAfter !== undefined && sent + c.length >= o.cutAfter;
        if (cutting) c = c.subarray(0, Math.max(0, o.cutAfter! - sent));
        const wait = paceDelay(o.clock, start, sent + c.length, o.bytesPerSec);
        if (wait > 0) await o.clock.sleep(wait);
        sent += c.length;
        o.onBytes?.(c.length);
        if (cutting) {
          await new Promise<void>((resolve) => res.write(c, () => resolve()));
          o.onCut?.();
          res.destroy();
          return;
        }
        if (!res.write(c)) await drainOrClose(res);
      }
    }
    res.end();
  } finally {
    source.destroy();
  }
}
