/**
 * A young-generation collection after every few MiB of streamed bytes, when node runs with `--expose-gc` (the
 * launcher's shebang, `npm start` and the service units pass it); a no-op otherwise.
 *
 * Why: each socket read of a request body is a fresh 64 KiB Buffer whose memory lives outside the JS heap
 * (malloc), while its JS wrapper is a few dozen bytes of young generation. A streamed upload therefore makes
 * megabytes of dead buffers per kilobyte of young-generation garbage, and V8, which schedules a scavenge when
 * the young generation fills, lets 20–30 MB of them pile up between two scavenges (glibc then keeps that peak
 * as resident memory). A scavenge every STREAM_GC_EVERY bytes frees them in step with the stream: the PUT of a
 * 1 GiB file then peaks ~7 MB above idle instead of ~24 (bench/memory.md). A scavenge of a young generation of
 * a few MB costs well under a millisecond; at one per 4 MiB it is invisible in the throughput.
 *
 * The count is shared by every stream of the process: parallel uploads scavenge as often as one upload of
 * their combined bytes, which is what the dead buffers' total follows.
 */

/** Bytes streamed between two scavenges. */
export const STREAM_GC_EVERY = 4 * 1024 * 1024;

/**
 * Scavenges between two full collections. Each scavenge promotes what is in flight at that moment (the chunks
 * being hashed and sent, their promises) to the old generation, where it dies at once but stays until a full
 * collection, which V8 does not schedule before the old generation has grown by several MB: a 1 GiB PUT grew it
 * from 14 to 21 MB. A full collection of a heap this size takes a few ms; one per 64 MiB keeps the old
 * generation flat for well under 1 % of the transfer time.
 */
export const MAJOR_GC_EVERY = 16;

/**
 * node's `gc` with `--expose-gc`: with `{ type: 'minor' }` a scavenge of the young generation, run at once;
 * without an argument a full collection. (`{ type: 'major' }` is not the same thing: on node 20 it left the
 * old generation as it was, measured.)
 */
export type GcFn = (options?: { type: 'minor' }) => void;

/**
 * A counter of streamed bytes that runs `gc({ type: 'minor' })` each time it passes `every` bytes, and a full
 * collection (`gc()`) instead every `majorEvery`-th time; a no-op when `gc` is undefined (node without `--expose-gc`).
 */
export function createStreamGc(gc: GcFn | undefined, every = STREAM_GC_EVERY, majorEvery = MAJOR_GC_EVERY): (bytes: number) => void {
  if (gc === undefined) return () => undefined;
  let pending = 0;
  let runs = 0;
  return (bytes) => {
    pending += bytes;
    if (pending < every) return;
    pending %= every;
    runs = (runs + 1) % majorEvery;
    if (runs === 0) gc();
    else gc({ type: 'minor' });
  };
}

/** The process-wide counter: call with the size of each chunk received from a streamed body. */
export const streamedBytes = createStreamGc((globalThis as { gc?: GcFn }).gc);
