/**
 * API economy of the VFS over the fichier remote, counted at the emulator (stats().total): a cold walk costs
 * at most one call per folder (+1 for the root), the same walk warm costs 0, a new Vfs (new client, new
 * remote) over the same store file costs 0 while the listings are fresh, and 50 concurrent stats of files
 * in one cold folder cost one listing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { createPacer } from '../src/api/pacer.ts';
import { joinPath } from '../src/core/path.ts';
import type { Vfs } from '../src/vfs/types.ts';
import { startEmulator, testPacer, type TestEmulator } from './support/emulator.ts';
import { stackSet } from './support/stack.ts';

/** The tree: 8 folders on 3 levels, 2 files in each (and the root), one empty folder, and 50 files in `many`. */
const FOLDERS = ['alpha', 'alpha/beta', 'alpha/gamma', 'alpha/beta/delta', 'epsilon', 'epsilon/zeta', 'epsilon/empty', 'many'];
/** Folders that get no files of their own (an empty folder must cost one call too). */
const NO_FILES = new Set(['many', 'epsilon/empty']);
const MANY = 50;

let emu: TestEmulator;
let dir: string;
// One pacer for every stack of the file: they stand for one gateway (restarted), so they share one listing budget
// (different store files would not share the persisted one).
const stack = stackSet(() => emu, { pacer: createPacer(testPacer()) });
const openVfs = (file: string): Promise<Vfs> => stack.openVfs(file);
async function upload(client: FichierClient, folderId: number, name: string): Promise<void> {
  const body = Buffer.from(`content of ${name}`);
  await client.upload(Readable.from([body]), { filename: name, size: body.length, folderId });
}

/** Every path below `path`, depth first (readdir of each folder once). */
async function walk(vfs: Vfs, path = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await vfs.readdir(path)) {
    out.push(e.path);
    if (e.kind === 'dir') out.push(...(await walk(vfs, e.path)));
  }
  return out;
}

async function cost<T>(fn: () => Promise<T>): Promise<{ calls: number; value: T }> {
  const before = (await emu.stats()).total;
  const value = await fn();
  return { calls: (await emu.stats()).total - before, value };
}

beforeAll(async () => {
  emu = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), 'fdav-economy-'));
  const client = emu.client();
  const ids = new Map<string, number>([['', 0]]);
  for (const f of FOLDERS) {
    const parent = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '';
    const res = await client.folderMkdir(ids.get(parent)!, f.slice(f.lastIndexOf('/') + 1));
    ids.set(f, res.folder_id);
  }
  for (const [path, id] of ids) {
    if (NO_FILES.has(path)) continue;
    await upload(client, id, `${path.replace(/\//g, '-') || 'root'}-1.txt`);
    await upload(client, id, `${path.replace(/\//g, '-') || 'root'}-2.bin`);
  }
  for (let i = 0; i < MANY; i++) await upload(client, ids.get('many')!, `m${i}.txt`);
});

afterAll(async () => {
  await stack.closeAll();
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('VFS API economy (counted at the emulator)', () => {
  it('cold walk: at most one call per folder plus the root; warm: 0; restarted on the same store: 0', async () => {
    const file = join(dir, 'walk.sqlite');
    const vfs = await openVfs(file);
    const cold = await cost(() => walk(vfs));
    expect(cold.value).toHaveLength(FOLDERS.length + 2 * (FOLDERS.length + 1 - NO_FILES.size) + MANY);
    expect(cold.calls).toBeLessThanOrEqual(FOLDERS.length + 1);

    const warm = await cost(() => walk(vfs));
    expect(warm.value).toEqual(cold.value);
    expect(warm.calls).toBe(0);
    await vfs.close();

    const restarted = await openVfs(file);
    const again = await cost(() => walk(restarted));
    expect(again.value).toEqual(cold.value);
    expect(again.calls).toBe(0);
    const deep = await cost(() => restarted.stat(joinPath('alpha/beta/delta', 'alpha-beta-delta-1.txt')));
    expect(deep.value.size).toBe('content of alpha-beta-delta-1.txt'.length);
    expect(deep.calls).toBe(0);
  });

  it('50 concurrent stats of files in one cold folder cost one listing', async () => {
    const vfs = await openVfs(join(dir, 'stats.sqlite'));
    await vfs.readdir('');
    const res = await cost(() => Promise.all(Array.from({ length: MANY }, (_, i) => vfs.stat(`many/m${i}.txt`))));
    expect(res.value.map((e) => e.name)).toEqual(Array.from({ length: MANY }, (_, i) => `m${i}.txt`));
    expect(res.calls).toBe(1);
  });
});
