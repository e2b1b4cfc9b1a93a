/**
 * copy, copyto and moveto run in-process against the emulator: a local tree (nested folders, a 5 MB random
 * file, awkward names, a 0-byte file) goes up and comes back down byte-identical with its modification
 * times; a second copy transfers nothing; a download cut mid-body leaves a .partial that the next run
 * resumes with a ranged read; copyto/moveto in every direction; usage and runtime errors.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type CliResult } from './support/cli.ts';
import { startEmulator, type EmulatorStats, type TestEmulator } from './support/emulator.ts';

const BIG = randomBytes(5 * 1024 * 1024);
const TREE: Record<string, Buffer> = {
  'a.txt': Buffer.from('hello\n'),
  'big.bin': BIG,
  'empty.txt': Buffer.alloc(0),
  'dir with spaces/é accent €.txt': randomBytes(3000),
  'dir with spaces/sub/🎉 emoji.txt': Buffer.from('party\n'),
  ['q\'uote"s $HOME.txt']: randomBytes(100),
  'deep/er/est/leaf.bin': randomBytes(70_000),
};

let emu: TestEmulator;
let env: NodeJS.ProcessEnv;
let work: string;
const cli = (...argv: string[]): Promise<CliResult> => runCli(argv, { env, cwd: work });

function writeTree(root: string, tree: Record<string, Buffer>): void {
  for (const [rel, data] of Object.entries(tree)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
}

/** rel path -> [content, mtime ms (whole)] of every file below `root`. */
function readTree(root: string, rel = ''): Map<string, [Buffer, number]> {
  const out = new Map<string, [Buffer, number]>();
  for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) for (const [k, v] of readTree(root, r)) out.set(k, v);
    else out.set(r, [readFileSync(join(root, r)), Math.floor(statSync(join(root, r)).mtimeMs)]);
  }
  return out;
}

function expectSameTree(a: string, b: string): void {
  const ta = readTree(a);
  const tb = readTree(b);
  expect([...tb.keys()].sort()).toEqual([...ta.keys()].sort());
  for (const [rel, [data, mtime]] of ta) {
    const [other, otherMtime] = tb.get(rel)!;
    expect(other.equals(data), rel).toBe(true);
    expect(otherMtime, rel).toBe(mtime);
  }
}

const delta = (after: EmulatorStats, before: EmulatorStats, key: string): number => (after.calls[key] ?? 0) - (before.calls[key] ?? 0);
const UPLOADS = '/upload.cgi';

beforeAll(async () => {
  emu = await startEmulator();
  work = mkdtempSync(join(tmpdir(), 'fdav-copy-'));
  mkdirSync(join(work, 'home'));
  env = cliEnv(emu.apiBase, emu.key, { dir: join(work, 'home') });
  writeTree(join(work, 'src'), TREE);
});

afterAll(async () => {
  await emu.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('copy', () => {
  it('copies a tree up, then down, byte-identical with the modification times', async () => {
    const up = await cli('copy', 'src', 'fichier:up');
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const down = await runCli(['copy', 'fichier:up', 'down'], { env, cwd: work, tty: 100 });
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('\rTransferred: ');
    expect(down.stderr).toMatch(/Transferred: +7 files copied/);
    expectSameTree(join(work, 'src'), join(work, 'down'));
    expect(readdirSync(join(work, 'down')).some((n) => n.endsWith('.partial'))).toBe(false);
  });

  it('transfers nothing the second time, either way; a new mtime on identical bytes only moves the mtime', async () => {
    const touched = Date.UTC(2020, 0, 2, 3, 4, 5);
    utimesSync(join(work, 'src', 'a.txt'), touched / 1000, touched / 1000);
    const before = await emu.stats();
    const up = await cli('copy', '-v', 'src', 'fichier:up');
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/Transferred: +0 files copied/);
    expect(up.stderr).toMatch(/Skipped: +7 unchanged/);
    expect(up.stderr).toContain('Updated modification time in destination');
    const down = await cli('copy', 'fichier:up', 'down');
    expect(down.code).toBe(0);
    const after = await emu.stats();
    expect(delta(after, before, UPLOADS)).toBe(0);
    expect(after.downloads - before.downloads).toBe(0);
    expect(statSync(join(work, 'down', 'a.txt')).mtimeMs).toBe(touched);
  });

  it('copies a file into a folder, and prints only notices with --dry-run', async () => {
    const dry = await cli('copy', '--dry-run', 'src/a.txt', 'fichier:single');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/NOTICE: a\.txt: Skipped copy as --dry-run is set/);
    expect((await cli('lsjson', 'fichier:single')).code).toBe(1);
    const r = await cli('copy', 'src/a.txt', 'fichier:single');
    expect(r.code).toBe(0);
    const ls = JSON.parse((await cli('lsjson', 'fichier:single')).stdout) as { Name: string; Size: number }[];
    expect(ls.map((e) => [e.Name, e.Size])).toEqual([['a.txt', 6]]);
  });

  it('resumes a download cut mid-body from the .partial, with a ranged read', async () => {
    const dst = join(work, 'resume');
    // The first GET is throttled and cut after 2 MB; once it is under way, the next two GETs (the VFS's reopen on
    // the reused token, then on a fresh one) are refused with 401, which the VFS does not retry further: the run
    // fails with a .partial on disk.
    await emu.admin('faults', { resetMidBody: { target: 'download', count: 1, afterBytes: 2_000_000 }, bandwidth: { downBytesPerSec: 2_000_000 } });
    const downloadsBefore = (await emu.stats()).downloads;
    const running = cli('copy', 'fichier:up/big.bin', 'resume');
    while ((await emu.stats()).downloads === downloadsBefore) await new Promise((r) => setTimeout(r, 10));
    await emu.admin('faults', { failNext: [{ endpoint: 'download', count: 2, status: 401 }] });
    const cut = await running;
    await emu.admin('faults/clear', {});
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain('big.bin');
    expect(existsSync(join(dst, 'big.bin'))).toBe(false);
    const kept = statSync(join(dst, 'big.bin.partial')).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(BIG.length);
    const before = await emu.stats();
    const again = await cli('copy', '-v', 'fichier:up/big.bin', 'resume');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Resumed a partial download');
    const after = await emu.stats();
    expect(after.bytesOut - before.bytesOut).toBe(BIG.length - kept);
    expect(readFileSync(join(dst, 'big.bin')).equals(BIG)).toBe(true);
    expect(existsSync(join(dst, 'big.bin.partial'))).toBe(false);
  });

  it('fails with exit 1 for a missing source and 2 for two local paths', async () => {
    const missing = await cli('copy', 'fichier:no/such', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
    const missingLocal = await cli('copy', 'no-such-dir', 'fichier:x');
    expect(missingLocal.code).toBe(1);
    expect((await cli('copy', 'src', 'elsewhere')).code).toBe(2);
    expect((await cli('copyto', 'src/a.txt', 'b.txt')).code).toBe(2);
    expect(existsSync(join(work, 'elsewhere'))).toBe(false);
  });
});

describe('copyto and moveto', () => {
  it('copyto: local -> account, account -> account (server-side), account -> local, to exact names', async () => {
    expect((await cli('copyto', 'src/dir with spaces/é accent €.txt', 'fichier:ct/renamed.txt')).code).toBe(0);
    const before = await emu.stats();
    expect((await cli('copyto', 'fichier:ct/renamed.txt', 'fichier:ct/other/copy.txt')).code).toBe(0);
    const after = await emu.stats();
    expect(delta(after, before, UPLOADS)).toBe(0);
    expect(delta(after, before, '/v1/file/cp.cgi')).toBe(1);
    expect((await cli('copyto', 'fichier:ct/other/copy.txt', 'got/named.txt')).code).toBe(0);
    expect(readFileSync(join(work, 'got/named.txt')).equals(TREE['dir with spaces/é accent €.txt']!)).toBe(true);
  });

  it('moveto: local -> account removes the local file only once the copy is there', async () => {
    const data = randomBytes(50_000);
    writeFileSync(join(work, 'tomove.bin'), data);
    expect((await cli('moveto', 'tomove.bin', 'fichier:mv/moved.bin')).code).toBe(0);
    expect(existsSync(join(work, 'tomove.bin'))).toBe(false);
    expect((await cli('copyto', 'fichier:mv/moved.bin', 'check/moved.bin')).code).toBe(0);
    expect(readFileSync(join(work, 'check/moved.bin')).equals(data)).toBe(true);
  });

  it('moveto: account -> account is a server-side move, account -> local removes the account file', async () => {
    const before = await emu.stats();
    expect((await cli('moveto', 'fichier:mv/moved.bin', 'fichier:mv2/renamed.bin')).code).toBe(0);
    const after = await emu.stats();
    expect(delta(after, before, UPLOADS)).toBe(0);
    expect(after.downloads - before.downloads).toBe(0);
    expect((await cli('lsjson', 'fichier:mv/moved.bin')).code).toBe(1);
    expect((await cli('moveto', 'fichier:mv2/renamed.bin', 'back/home.bin')).code).toBe(0);
    expect(readFileSync(join(work, 'back/home.bin')).equals(readFileSync(join(work, 'check/moved.bin')))).toBe(true);
    expect((await cli('lsjson', 'fichier:mv2/renamed.bin')).code).toBe(1);
  });

  it('moveto of a folder within the account to a new name is a server-side folder move, no copy', async () => {
    const before = await emu.stats();
    expect((await cli('moveto', 'fichier:up/deep', 'fichier:moved-deep')).code).toBe(0);
    const after = await emu.stats();
    expect(delta(after, before, '/v1/folder/mv.cgi')).toBe(2); // the move, then the rename: one call may only rename
    const ls = JSON.parse((await cli('lsjson', '-R', 'fichier:moved-deep')).stdout) as { Path: string }[];
    expect(ls.map((e) => e.Path).sort()).toEqual(['er', 'er/est', 'er/est/leaf.bin']);
    expect((await cli('lsjson', 'fichier:up/deep')).code).toBe(1);
  });

  it('fails with exit 1 when the source is missing', async () => {
    expect((await cli('moveto', 'fichier:no/such.bin', 'x.bin')).code).toBe(1);
    expect((await cli('copyto', 'no-such.bin', 'fichier:x.bin')).code).toBe(1);
  });
});
