/**
 * VFS behaviour over the fichier remote and the emulator: a file written, renamed and moved keeps its
 * modtime and MD5/SHA-1 (also after a restart over the same store file); 0-byte and junk files never reach
 * 1fichier; an overwrite whose upload is cut mid-way leaves the previous version readable and nothing
 * partial listed.
 */
import { buffer } from 'node:stream/consumers';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFsError } from '../src/core/errors.ts';
import type { Vfs, VfsOptions } from '../src/vfs/types.ts';
import { createPacer } from '../src/api/pacer.ts';
import { startEmulator, testPacer, type TestEmulator } from './support/emulator.ts';
import { stackSet } from './support/stack.ts';

let emu: TestEmulator;
let dir: string;
// One pacer for the stacks and the checks below: the checks' listings share the stacks' listing budget.
const pacer = createPacer(testPacer({ maxAttempts: 1 }));
const stack = stackSet(() => emu, { pacer });
const openVfs = (file: string, opts: Partial<VfsOptions> = {}): Promise<Vfs> => stack.openVfs(file, { spoolDir: dir, ...opts });
async function readAll(vfs: Vfs, path: string): Promise<Buffer> {
  return buffer(await vfs.openRead(path));
}

/** Names of every file 1fichier itself holds (folder/ls of the root and `folderId`s). */
async function remoteFileNames(): Promise<string[]> {
  const res = await emu.client({ pacer }).fileLs(-1);
  return (res.items ?? []).map((f) => f.filename).sort();
}

const hex = (algo: string, data: Buffer) => createHash(algo).update(data).digest('hex');

beforeAll(async () => {
  // The checks read every file of the account (file/ls -1) several times; the service allows that once an hour,
  // and the gateway never asks it. Every other rule stays on.
  emu = await startEmulator({ limits: { fileLsAllIntervalMs: 0 } });
  dir = mkdtempSync(join(tmpdir(), 'fdav-behaviour-'));
});

afterAll(async () => {
  await stack.closeAll();
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('VFS over the emulator', () => {
  it('a file written, renamed and moved keeps its modtime, MD5 and SHA-1', async () => {
    const file = join(dir, 'meta.sqlite');
    const vfs = await openVfs(file);
    const data = randomBytes(200_000);
    const modTime = Date.UTC(2020, 0, 2, 3, 4, 5);
    await vfs.mkdir('src');
    await vfs.mkdir('dst');
    const written = await vfs.writeFile('src/report.pdf', Readable.from([data]), { modTime });
    const want = { md5: hex('md5', data), sha1: hex('sha1', data) };
    expect(written.hashes).toMatchObject(want);
    expect(written.modTime).toBe(modTime);
    await vfs.rename('src/report.pdf', 'src/renamed.pdf');
    const moved = await vfs.rename('src/renamed.pdf', 'dst/final.pdf');
    expect(moved).toMatchObject({ id: written.id, modTime, hashes: want });
    expect(moved.hashes.whirlpool).toMatch(/^[0-9a-f]{128}$/);
    expect((await readAll(vfs, 'dst/final.pdf')).equals(data)).toBe(true);
    await vfs.close();

    const restarted = await openVfs(file);
    const before = (await emu.stats()).total;
    expect(await restarted.stat('dst/final.pdf')).toMatchObject({ modTime, hashes: want, size: data.length });
    expect((await emu.stats()).total).toBe(before);
  });

  it('keeps 0-byte and junk files out of 1fichier and uploads a 0-byte file once it has content', async () => {
    const vfs = await openVfs(join(dir, 'local.sqlite'));
    await vfs.mkdir('loc');
    await vfs.writeFile('loc/.DS_Store', Buffer.from('finder junk'));
    await vfs.writeFile('loc/empty.txt', Buffer.alloc(0));
    expect((await vfs.readdir('loc')).map((e) => [e.name, e.local])).toEqual([
      ['.DS_Store', true],
      ['empty.txt', true],
    ]);
    expect(await remoteFileNames()).not.toContain('empty.txt');
    expect(await remoteFileNames()).not.toContain('.DS_Store');
    await vfs.writeFile('loc/empty.txt', Buffer.from('now with content'));
    expect((await vfs.stat('loc/empty.txt')).local).toBe(false);
    expect(await remoteFileNames()).toContain('empty.txt');
    expect((await readAll(vfs, 'loc/empty.txt')).toString()).toBe('now with content');
  });

  it('an overwrite cut mid-upload leaves the previous version readable and nothing partial listed', async () => {
    const vfs = await openVfs(join(dir, 'cut.sqlite'));
    const v1 = randomBytes(100_000);
    await vfs.writeFile('doc.bin', v1);
    await emu.admin('faults', { resetMidBody: { target: 'upload', count: 1, afterBytes: 30_000 } });
    const err = await vfs.writeFile('doc.bin', randomBytes(100_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await emu.admin('faults/clear', {});
    expect(isFsError(err)).toBe(true);
    expect((await readAll(vfs, 'doc.bin')).equals(v1)).toBe(true);
    await vfs.refresh('');
    expect((await vfs.readdir('')).filter((e) => e.name.startsWith('doc')).map((e) => e.name)).toEqual(['doc.bin']);
    expect((await remoteFileNames()).filter((n) => n === 'doc.bin')).toHaveLength(1);
  });

  it('20 seeks through vfs.openRead cost at most one token call and return exact bytes', async () => {
    const vfs = await openVfs(join(dir, 'seek.sqlite'), { readChunkSize: 256 * 1024 });
    const data = randomBytes(8 * 1024 * 1024);
    await vfs.writeFile('seek.bin', data, { size: data.length });
    const tokenCalls = async () => (await emu.stats()).calls['/v1/download/get_token.cgi'] ?? 0;
    const before = await tokenCalls();
    for (let i = 0; i < 20; i++) {
      const start = (i * 397_331) % (data.length - 100_000);
      const end = start + 10_000 + ((i * 7919) % 90_000);
      const chunks: Buffer[] = [];
      for await (const c of await vfs.openRead('seek.bin', { start, end })) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(data.subarray(start, end + 1))).toBe(true);
    }
    expect((await tokenCalls()) - before).toBeLessThanOrEqual(1);
  });
});
