/**
 * Download tokens of the fichier remote over the emulator: one get_token serves many ranged reads, in-flight
 * requests are shared, an expired token is replaced, and a token of a deleted file is not retried forever.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import { isFsError } from '../../core/errors.ts';
import { testBytes as bytes } from '../../../test/support/bytes.ts';
import { emulatedRemote, type EmulatedRemote } from '../../../test/support/fichier-remote.ts';

const GET_TOKEN = '/v1/download/get_token.cgi';

describe('download tokens', () => {
  let t: EmulatedRemote;
  afterEach(async () => t.stop());

  it('20 ranged reads of one file cost one get_token call, bytes identical', async () => {
    t = await emulatedRemote();
    const data = bytes(100_000, 3);
    const f = await t.put('f.bin', data);
    await t.mark();
    for (let i = 0; i < 20; i++) {
      const start = (i * 4999) % 90_000;
      const end = i % 4 === 0 ? undefined : start + 1 + i * 300;
      expect((await t.read(f, { start, end })).equals(data.subarray(start, end === undefined ? undefined : end + 1))).toBe(true);
    }
    expect(await t.since()).toEqual({ [GET_TOKEN]: 1, download: 20, total: 1 });
  });

  it('concurrent opens of one file share one in-flight get_token', async () => {
    t = await emulatedRemote();
    const data = bytes(20_000, 4);
    const f = await t.put('f.bin', data);
    await t.mark();
    const parts = await Promise.all(Array.from({ length: 20 }, (_, i) => t.read(f, { start: i * 1000, end: i * 1000 + 999 })));
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect((await t.since())[GET_TOKEN]).toBe(1);
  });

  it('a token the server expired is replaced transparently (one retry)', async () => {
    const serverClock = new FakeClock();
    t = await emulatedRemote({ emulator: { clock: serverClock } });
    const data = bytes(5000, 5);
    const f = await t.put('f.bin', data);
    expect((await t.read(f)).equals(data)).toBe(true);
    await serverClock.advance(301_000);
    await t.mark();
    expect((await t.read(f, { start: 10 })).equals(data.subarray(10))).toBe(true);
    expect(await t.since()).toEqual({ [GET_TOKEN]: 1, download: 2, total: 1 });
    await t.mark();
    expect((await t.read(f, { start: 20 })).equals(data.subarray(20))).toBe(true);
    expect(await t.since()).toEqual({ download: 1 });
  });

  it('after tokenTtlMs of our clock a new token is asked before any download', async () => {
    const clock = new FakeClock();
    t = await emulatedRemote({ remote: { clock, tokenTtlMs: 240_000 } });
    const f = await t.put('f.bin', bytes(1000));
    await t.read(f);
    await clock.advance(239_000);
    await t.mark();
    await t.read(f);
    expect(await t.since()).toEqual({ download: 1 });
    await clock.advance(2_000);
    await t.mark();
    await t.read(f);
    expect(await t.since()).toEqual({ [GET_TOKEN]: 1, download: 1, total: 1 });
  });

  it('a file deleted behind our back: the cached token is refused, the fresh get_token says ENOENT', async () => {
    t = await emulatedRemote();
    const f = await t.put('f.bin', bytes(1000));
    await t.read(f);
    await t.client.fileRm([f.id]);
    await t.mark();
    const err: unknown = await t.read(f).catch((e: unknown) => e);
    expect(isFsError(err, 'ENOENT')).toBe(true);
    expect(await t.since()).toEqual({ [GET_TOKEN]: 1, download: 1, total: 1 });
  });

  it("one caller's abort does not cancel the shared get_token of the others", async () => {
    t = await emulatedRemote();
    const data = bytes(3000, 6);
    const f = await t.put('f.bin', data);
    await t.emu.admin('faults', { endpointLatencyMs: { 'download/get_token.cgi': 150 } });
    const ac = new AbortController();
    const aborted = t.remote.openRead(f, undefined, ac.signal);
    const other = t.read(f);
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await expect(aborted).rejects.toThrow('stop');
    expect((await other).equals(data)).toBe(true);
  });
});
