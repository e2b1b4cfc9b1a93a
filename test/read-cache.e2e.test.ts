/**
 * The persistent read cache over the fichier remote, counted at the emulator: the first read of a file's head
 * or tail downloads that edge once; reading those bytes again, also from a new stack on the same store file (a
 * restart), costs no API call and no download; a read across the file downloads only the middle; a file
 * replaced by other content is never answered with the old bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vfs } from '../src/vfs/types.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { stackSet } from './support/stack.ts';

const HEAD = 64 * 1024;
const TAIL = 128 * 1024;
const SIZE = 1_000_000;

let emu: TestEmulator;
let dir: string;
const stacks = stackSet(() => emu, { readCache: { maxBytes: -1, headBytes: HEAD, tailBytes: TAIL } });

async function text(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The bytes `start`..`end` of `path` and what reading them cost: API calls and downloads at the emulator. */
async function read(vfs: Vfs, path: string, start: number, end: number): Promise<{ bytes: Buffer; calls: number; downloads: number }> {
  const counter = emu.counter();
  await counter.mark();
  const bytes = await text(await vfs.openRead(path, { start, end }));
  const counts = await counter.since();
  const downloads = counts.download ?? 0;
  const calls = Object.entries(counts).filter(([k]) => k.startsWith('/v1/')).reduce((n, [, v]) => n + v, 0);
  return { bytes, calls, downloads };
}

beforeAll(async () => {
  emu = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), 'fdav-readcache-'));
});

afterAll(async () => {
  await stacks.closeAll();
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('read cache of file edges', () => {
  it('serves a rescan and a rescan after a restart with no API call and no download', async () => {
    const content = testBytes(SIZE, 7);
    const store = join(dir, 'meta.sqlite');
    const vfs = await stacks.openVfs(store);
    await vfs.writeFile('film.mp4', content);

    const probe = async (v: Vfs) => [await read(v, 'film.mp4', 0, 32_767), await read(v, 'film.mp4', SIZE - 20_000, SIZE - 1)];
    const first = await probe(vfs);
    expect(first.map((r) => r.bytes)).toEqual([content.subarray(0, 32_768), content.subarray(SIZE - 20_000)]);
    expect(first.reduce((n, r) => n + r.downloads, 0)).toBe(2);

    const again = await probe(vfs);
    expect(again.map((r) => [r.calls, r.downloads])).toEqual([[0, 0], [0, 0]]);

    const restarted = await stacks.openVfs(store);
    const afterRestart = await probe(restarted);
    expect(afterRestart.map((r) => r.bytes)).toEqual([content.subarray(0, 32_768), content.subarray(SIZE - 20_000)]);
    expect(afterRestart.map((r) => [r.calls, r.downloads])).toEqual([[0, 0], [0, 0]]);

    const whole = await read(restarted, 'film.mp4', 0, SIZE - 1);
    expect(whole.bytes.equals(content)).toBe(true);
    expect(whole.downloads).toBe(1);
  });

  it('never answers with the bytes of the file a path held before', async () => {
    const store = join(dir, 'meta-replace.sqlite');
    const vfs = await stacks.openVfs(store);
    await vfs.writeFile('clip.mkv', testBytes(300_000, 1));
    expect((await read(vfs, 'clip.mkv', 0, 999)).bytes).toEqual(testBytes(300_000, 1).subarray(0, 1_000));
    await vfs.writeFile('clip.mkv', testBytes(300_000, 2));
    const after = await read(vfs, 'clip.mkv', 0, 999);
    expect(after.bytes).toEqual(testBytes(300_000, 2).subarray(0, 1_000));
    expect(after.downloads).toBe(1);
  });
});
