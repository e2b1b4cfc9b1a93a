/**
 * Whirlpool (1fichier's checksum) of local files, streamed in O(1) memory.
 */
import { createReadStream } from 'node:fs';
import { createWhirlpoolHasher, type WhirlpoolHasher } from '../../util/whirlpool.ts';

/** Feeds bytes [0, end) of the file at `path` (the whole file when `end` is undefined) into `hasher`. Throws fs errors. */
export async function hashFileInto(hasher: WhirlpoolHasher, path: string, end?: number, signal?: AbortSignal): Promise<void> {
  if (end === 0) return;
  const stream = createReadStream(path, { ...(end !== undefined ? { end: end - 1 } : {}), ...(signal ? { signal } : {}) });
  for await (const chunk of stream as AsyncIterable<Buffer>) hasher.update(chunk);
}

/** The whirlpool of the whole file at `path`, 128 lower-case hex characters. Throws fs errors. */
export async function whirlpoolOfFile(path: string, signal?: AbortSignal): Promise<string> {
  const hasher = await createWhirlpoolHasher();
  await hashFileInto(hasher, path, undefined, signal);
  return hasher.digestHex();
}
