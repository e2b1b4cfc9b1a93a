/**
 * Chunked reads (src/vfs/read.ts) through the fichier remote against the emulator: seeks reuse one download
 * token, an expired token, a connection reset mid-stream or a failed download are survived with identical
 * bytes, and an API call that keeps failing is retried by the pacer only (the reader does not multiply it).
 */
import { buffer as readAll } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { isFsError, type FsError } from '../src/core/errors.ts';
import { createFichierRemote } from '../src/remote/fichier/index.ts';
import type { Remote, RemoteEntry } from '../src/remote/types.ts';
import { systemClock } from '../src/util/clock.ts';
import { silentLogger } from '../src/util/log.ts';
import { chunkedRead, type ChunkedReadOptions } from '../src/vfs/read.ts';
import { seededRandom as prng } from '../src/util/random.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';

const MiB = 1024 * 1024;
const TOKEN_CALL = '/v1/download/get_token.cgi';

function* pieces(data: Buffer, size = MiB): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

let emu: TestEmulator;
let client: FichierClient;
let remote: Remote;
let data: Buffer;
let entry: RemoteEntry;

const opts = (extra: Partial<ChunkedReadOptions> = {}): ChunkedReadOptions => ({
  chunkSize: MiB,
  chunkSizeLimit: -1,
  retries: 5,
  clock: systemClock,
  logger: silentLogger,
  ...extra,
});

async function tokenCalls(): Promise<number> {
  return (await emu.stats()).calls[TOKEN_CALL] ?? 0;
}

beforeAll(async () => {
  emu = await startEmulator();
  client = emu.client();
  remote = createFichierRemote({ client });
  data = testBytes(50 * 1000 * 1000, 42);
  entry = await remote.put(await remote.stat(''), 'big.bin', Readable.from(pieces(data)), { size: data.length });
  expect(entry.size).toBe(data.length);
}, 120_000);

afterAll(async () => {
  await remote?.close?.();
  await emu?.stop();
});

describe('chunkedRead over the fichier remote (emulator)', () => {
  it('20 reads at random offsets cost at most one token call, every byte identical', async () => {
    const before = await tokenCalls();
    const rand = prng(7);
    for (let i = 0; i < 20; i++) {
      const len = 256 * 1024 + Math.floor(rand() * 1024);
      const start = Math.floor(rand() * (data.length - len));
      const got = await readAll(chunkedRead(remote, entry, { start: start, end: start + len - 1 }, opts()));
      expect(got.length).toBe(len);
      expect(got.equals(data.subarray(start, start + len))).toBe(true);
    }
    expect((await tokenCalls()) - before).toBeLessThanOrEqual(1);
  });

  it('survives a token that expires mid-stream', async () => {
    await emu.admin('config', { tokenTtlMs: 300 });
    await emu.admin('faults', { bandwidth: { downBytesPerSec: 8 * MiB } });
    try {
      // A fresh remote: its token is issued under the short TTL (the shared one may hold an older token).
      const fresh = createFichierRemote({ client });
      const before = await tokenCalls();
      const start = 3 * MiB + 123;
      const end = start + 6 * MiB - 1;
      const got = await readAll(chunkedRead(fresh, entry, { start: start, end: end }, opts({ chunkSize: 512 * 1024, chunkSizeLimit: 512 * 1024 })));
      expect(got.equals(data.subarray(start, end + 1))).toBe(true);
      // ~750 ms of transfer under a 300 ms TTL: the token was renewed at least once.
      expect((await tokenCalls()) - before).toBeGreaterThanOrEqual(2);
    } finally {
      await emu.admin('faults/clear', {});
      await emu.admin('config', { tokenTtlMs: 300_000 });
    }
  });

  it('survives a connection reset mid-stream', async () => {
    const downloadsBefore = (await emu.stats()).downloads;
    await emu.admin('faults', { resetMidBody: { target: 'download', count: 1, afterBytes: 700_000 } });
    try {
      const start = 10 * MiB + 5;
      const end = start + 4 * MiB - 1;
      const got = await readAll(chunkedRead(remote, entry, { start: start, end: end }, opts({ chunkSize: 0 })));
      expect(got.equals(data.subarray(start, end + 1))).toBe(true);
      const faults = await emu.admin<{ resetMidBody?: { count: number } }>('faults');
      expect(faults.resetMidBody?.count).toBe(0);
      // the single request for the span was reopened once after the cut
      expect((await emu.stats()).downloads - downloadsBefore).toBe(2);
    } finally {
      await emu.admin('faults/clear', {});
    }
  });

  it('a failed download is resumed by the reader; a reused token that got a 503 is replaced once, not per retry', async () => {
    const before = await emu.stats();
    await emu.admin('faults', { failNext: [{ endpoint: 'download', count: 2, status: 503 }] });
    try {
      const start = 2 * MiB;
      const end = start + MiB - 1;
      const got = await readAll(chunkedRead(remote, entry, { start, end }, opts({ chunkSize: 0 })));
      expect(got.equals(data.subarray(start, end + 1))).toBe(true);
      const after = await emu.stats();
      // A reused token's 503 takes a fresh one (the download host's answer to a stale token is not known), whose
      // own 503 the reader retries with it: at most one token call, however many retries.
      expect((after.calls[TOKEN_CALL] ?? 0) - (before.calls[TOKEN_CALL] ?? 0)).toBeLessThanOrEqual(1);
      expect((after.calls['download'] ?? 0) - (before.calls['download'] ?? 0)).toBeGreaterThanOrEqual(3);
    } finally {
      await emu.admin('faults/clear', {});
    }
  });

  it('get_token failing every time costs the pacer\'s attempts only, not reader retries x pacer attempts', async () => {
    const attempts = 3;
    const paced = emu.client({ pacer: { minIntervalMs: 1, maxAttempts: attempts, backoffBaseMs: 1, backoffMaxMs: 2 } });
    const fresh = createFichierRemote({ client: paced });
    await emu.admin('faults', { failNext: [{ endpoint: 'download/get_token.cgi', count: 100, status: 503 }] });
    try {
      const before = await tokenCalls();
      const err = await readAll(chunkedRead(fresh, entry, { start: 0, end: MiB - 1 }, opts({ retries: 10 }))).catch((e: unknown) => e);
      expect(isFsError(err, 'EAGAIN')).toBe(true);
      expect((err as FsError).final).toBe(true);
      expect((await tokenCalls()) - before).toBe(attempts);
    } finally {
      await emu.admin('faults/clear', {});
      await paced.close();
    }
  });
});
