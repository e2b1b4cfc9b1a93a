/**
 * `fichier-dav mount` as users run it: the real command as a child process over the emulator (key and API base
 * from the environment), a real FUSE mount through Debian's rclone, driven with the file system: ls, cat, cp in,
 * mkdir, mv, rm, a read in the middle of a 50 MB file that must move only that range (plus a bounded read-ahead)
 * from 1fichier; then how it stops: SIGTERM, a killed rclone child, --daemon with its pid file; and the refusals
 * (a non-empty mount point, rclone missing). A folder of the account mounts as the root (`mount fichier:Media DIR`,
 * nothing outside it visible or reachable), and a remote with shared_folder mounts read-only. Needs /dev/fuse,
 * fusermount3 and rclone (.ci/run installs them): without them the tests fail, they never skip.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountStateDir } from '../src/cli/commands/mount.ts';
import { pendingUploads } from '../src/cli/commands/mount-rclone.ts';
import { uploadFiles } from './support/emulator-http.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { eventually } from './support/eventually.ts';
import { shareFolder } from './support/shared-folder.ts';
import { testTimingEnv } from './support/timings.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fichier-dav.js');
const MOUNT_WAIT_MS = 60_000;
const BIG_SIZE = 50 * 1024 * 1024;
const RANGE_READ = 64 * 1024;
/**
 * Bytes the emulator may serve for one 64 KiB read in the middle of the big file. Measured here: 2 MiB (rclone's
 * 1 MiB first chunk and 1 MiB read-ahead buffer); the bound leaves room for timing and stays far below the 25 MB
 * that the rest of the file would be.
 */
const RANGE_BUDGET = 4 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'fdav-mount-cmd-'));
let emu: TestEmulator;
const children: ChildProcess[] = [];
const big = randomBytes(BIG_SIZE);
const hello = Buffer.from('hello from the emulator\n');

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  exited: Promise<Exited>;
  stdout(): string;
  out(): string;
}

function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'buffer', maxBuffer: 128 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr: stderr.toString() });
    });
  });
}

/**
 * Spawns `fichier-dav mount ...` with the emulator's key and API base, a private HOME, and the gateway's budget at
 * the emulator's time scale (testTimingEnv).
 */
function spawnMount(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [BIN, 'mount', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: dir, ...testTimingEnv(), FICHIER_API_KEY: emu.key, FICHIER_API_URL: emu.apiBase, ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exited>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited, stdout: () => stdout, out: () => `stdout: ${stdout}\nstderr: ${stderr}` };
}

/** A fresh empty mount point and cache dir, and the common flags (fast pacing for the emulator). */
function mountPoint(name: string): { mnt: string; flags: string[] } {
  const mnt = join(dir, name);
  mkdirSync(mnt);
  return { mnt, flags: ['--cache-dir', join(dir, `cache-${name}`), '--pacer-min-interval', '10ms'] };
}

/** Starts a mount and resolves once it printed "mounted"; rejects if it exits first or stays silent. */
async function startMount(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const m = spawnMount(args, env);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "mounted" within ${MOUNT_WAIT_MS} ms\n${m.out()}`)), MOUNT_WAIT_MS);
    m.child.stdout!.on('data', () => {
      if (/^mounted /m.test(m.stdout())) {
        clearTimeout(timer);
        resolve();
      }
    });
    void m.exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`mount exited with ${e.code ?? e.signal} before "mounted"\n${m.out()}`));
    });
  });
  return m;
}

/** True when /proc/self/mountinfo lists `path` as a mount point. */
function listedInMountinfo(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

/** Pids of running rclone processes whose command line names `path`. */
function rclonePids(path: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (/rclone$/.test(argv[0] ?? '') && argv.includes(path)) pids.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Resolves with the exit, or rejects after `ms`. */
function exitWithin(m: Running, ms: number): Promise<Exited> {
  return Promise.race([m.exited, new Promise<Exited>((_r, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms\n${m.out()}`)), ms))]);
}

interface Listing {
  files: { filename: string; size: number; url: string }[];
  folders: { id: number; name: string }[];
}

/** What 1fichier (the emulator) holds in folder `id`, bypassing every cache of the gateway and rclone. */
async function listAt(id: number): Promise<Listing> {
  return emu.stored(id);
}

beforeAll(async () => {
  const missing: string[] = [];
  if (!existsSync('/dev/fuse')) missing.push('/dev/fuse');
  if ((await run('sh', ['-c', 'command -v fusermount3'])).code !== 0) missing.push('fusermount3 (apt-get install fuse3)');
  if ((await run('sh', ['-c', 'command -v rclone'])).code !== 0) missing.push('rclone (apt-get install rclone)');
  if (missing.length > 0) throw new Error(`the mount tests need ${missing.join(', ')}`);
  emu = await startEmulator();
  await uploadFiles(emu.url, emu.key, [
    { name: 'hello.txt', data: hello },
    { name: 'big.bin', data: big },
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (listedInMountinfo(p)) await run('fusermount3', ['-uz', p]);
  }
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fichier-dav mount fichier: DIR', () => {
  let m: Running;
  let mnt: string;

  beforeAll(async () => {
    const p = mountPoint('main');
    mnt = p.mnt;
    m = await startMount(['fichier:', mnt, ...p.flags]);
  }, MOUNT_WAIT_MS + 10_000);

  it('is a FUSE mount point listed in mountinfo, served by one rclone child', () => {
    expect(listedInMountinfo(mnt)).toBe(true);
    expect(rclonePids(mnt)).toHaveLength(1);
  });

  it('ls lists the account and cat reads a file byte-identical', async () => {
    const ls = await run('ls', ['-1', mnt]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.toString().split('\n').filter(Boolean).sort()).toEqual(['big.bin', 'hello.txt']);
    const cat = await run('cat', [join(mnt, 'hello.txt')]);
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout.equals(hello)).toBe(true);
    expect((await stat(join(mnt, 'big.bin'))).size).toBe(BIG_SIZE);
    const whole = await run('cat', [join(mnt, 'big.bin')], 60_000);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout.equals(big)).toBe(true);
  }, 90_000);

  it('cp in, mkdir, mv and rm reach 1fichier', async () => {
    const local = join(dir, 'local.bin');
    const data = randomBytes(700 * 1024 + 3);
    writeFileSync(local, data);
    await copyFile(local, join(mnt, 'copied.bin'));
    await mkdir(join(mnt, 'Made'));
    expect((await readFile(join(mnt, 'copied.bin'))).equals(data)).toBe(true);
    // rclone uploads a written file 5 s after it is closed (--vfs-write-back).
    const uploaded = await eventually(async () => {
      const f = (await listAt(0)).files.find((x) => x.filename === 'copied.bin');
      expect(f?.size).toBe(data.length);
      return f!;
    }, 20_000);
    const made = await eventually(async () => {
      const d = (await listAt(0)).folders.find((x) => x.name === 'Made');
      expect(d).toBeDefined();
      return d!;
    }, 20_000);

    // The emulator holds the file once upload.cgi has it, but rclone's upload ends only when end.pl has confirmed
    // it; a rename before that makes rclone upload the file again under its new name (a new URL).
    await eventually(async () => expect(await pendingUploads(join(mountStateDir(join(dir, 'cache-main'), mnt), 'rclone'))).toBe(0), 20_000);
    await rename(join(mnt, 'copied.bin'), join(mnt, 'Made', 'moved.bin'));
    expect(await readdir(join(mnt, 'Made'))).toEqual(['moved.bin']);
    await eventually(async () => {
      const inMade = await listAt(made.id);
      expect(inMade.files.map((f) => [f.filename, f.size, f.url])).toEqual([['moved.bin', data.length, uploaded.url]]);
      expect((await listAt(0)).files.map((f) => f.filename)).not.toContain('copied.bin');
    });
    expect((await readFile(join(mnt, 'Made', 'moved.bin'))).equals(data)).toBe(true);

    await rm(join(mnt, 'Made', 'moved.bin'));
    expect(await readdir(join(mnt, 'Made'))).toEqual([]);
    await eventually(async () => expect((await listAt(made.id)).files).toEqual([]));
  }, 60_000);

  it('a read in the middle of a 50 MB file moves only that range (plus a bounded read-ahead) from 1fichier', async () => {
    const position = Math.floor(BIG_SIZE / 2) + 12_345;
    const before = await emu.stats();
    const fh = await open(join(mnt, 'big.bin'), 'r');
    try {
      const buf = Buffer.alloc(RANGE_READ);
      const { bytesRead } = await fh.read(buf, 0, RANGE_READ, position);
      expect(bytesRead).toBe(RANGE_READ);
      expect(buf.equals(big.subarray(position, position + RANGE_READ))).toBe(true);
    } finally {
      await fh.close();
    }
    // The gateway's upstream request may still be draining when the file is closed: give it a moment to stop.
    await new Promise((r) => setTimeout(r, 500));
    const moved = (await emu.stats()).bytesOut - before.bytesOut;
    console.log(`range read: ${RANGE_READ} bytes read, ${moved} bytes served by the emulator`);
    expect(moved).toBeGreaterThanOrEqual(RANGE_READ);
    expect(moved, `bytes served for one ${RANGE_READ}-byte read of a ${BIG_SIZE}-byte file`).toBeLessThan(RANGE_BUDGET);
  }, 60_000);

  it('SIGTERM unmounts and exits 0, leaving nothing mounted or running', async () => {
    m.child.kill('SIGTERM');
    const end = await exitWithin(m, 60_000);
    expect(end.code, m.out()).toBe(0);
    expect(listedInMountinfo(mnt)).toBe(false);
    expect(rclonePids(mnt)).toEqual([]);
  }, 70_000);
});

describe('fichier-dav mount: how it ends and what it refuses', () => {
  it('a killed rclone child makes the command exit 3 and unmount', async () => {
    const { mnt, flags } = mountPoint('killed');
    const m = await startMount([mnt, ...flags]);
    const [pid] = rclonePids(mnt);
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const end = await exitWithin(m, 60_000);
    expect(end.code, m.out()).toBe(3);
    expect(end.stderr).toMatch(/rclone was killed by SIGKILL while mounted/);
    expect(listedInMountinfo(mnt)).toBe(false);
    expect(rclonePids(mnt)).toEqual([]);
  }, MOUNT_WAIT_MS + 70_000);

  it('an unmount from outside (fusermount3 -u) stops it with exit 0', async () => {
    const { mnt, flags } = mountPoint('external');
    const m = await startMount(['fichier:', mnt, ...flags, '--read-only']);
    const local = join(dir, 'small.txt');
    writeFileSync(local, 'a write the read-only mount refuses');
    await expect(copyFile(local, join(mnt, 'refused.txt'))).rejects.toMatchObject({ code: 'EROFS' });
    const u = await run('fusermount3', ['-u', mnt]);
    expect(u.code, u.stderr).toBe(0);
    const end = await exitWithin(m, 30_000);
    expect(end.code, m.out()).toBe(0);
    expect(end.stderr).toMatch(/was unmounted from outside/);
    expect(rclonePids(mnt)).toEqual([]);
  }, MOUNT_WAIT_MS + 40_000);

  it('refuses a mount point that is not an empty directory (exit 2), starting nothing', async () => {
    const { mnt, flags } = mountPoint('nonempty');
    writeFileSync(join(mnt, 'keep.txt'), 'mine');
    const m = spawnMount(['fichier:', mnt, ...flags]);
    const end = await exitWithin(m, 30_000);
    expect(end.code, m.out()).toBe(2);
    expect(end.stderr).toMatch(/is not empty.*--allow-non-empty/);
    expect(listedInMountinfo(mnt)).toBe(false);
    expect(rclonePids(mnt)).toEqual([]);
    const missing = spawnMount([join(dir, 'does-not-exist'), ...flags]);
    const gone = await exitWithin(missing, 30_000);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/does not exist/);
  }, 70_000);

  it('without rclone on PATH exits 69 and says how to install it', async () => {
    const { mnt, flags } = mountPoint('norclone');
    const emptyBin = join(dir, 'empty-bin');
    mkdirSync(emptyBin);
    const m = spawnMount([mnt, ...flags], { PATH: emptyBin });
    const end = await exitWithin(m, 30_000);
    expect(end.code, m.out()).toBe(69);
    expect(end.stderr).toMatch(/rclone is not installed.*apt install rclone fuse3/);
  }, 40_000);

  it('--daemon returns only once mounted, and its pid file stops it', async () => {
    const { mnt, flags } = mountPoint('daemon');
    const pidFile = join(dir, 'daemon.pid');
    const m = spawnMount(['fichier:', mnt, ...flags, '--daemon', '--pid-file', pidFile]);
    const end = await exitWithin(m, MOUNT_WAIT_MS + 40_000);
    expect(end.code, m.out()).toBe(0);
    expect(end.stdout).toMatch(/^mounted fichier: on .* in the background \(pid \d+/m);
    // Returned means mounted: no polling here.
    expect(listedInMountinfo(mnt)).toBe(true);
    expect((await readdir(mnt)).sort()).toEqual(expect.arrayContaining(['big.bin', 'hello.txt']));
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(end.stdout).toContain(`pid ${pid}`);
    process.kill(pid, 'SIGTERM');
    await eventually(() => {
      expect(() => process.kill(pid, 0)).toThrow();
      expect(listedInMountinfo(mnt)).toBe(false);
      expect(rclonePids(mnt)).toEqual([]);
      expect(existsSync(pidFile)).toBe(false);
    }, 40_000);
  }, MOUNT_WAIT_MS + 90_000);
});

describe('fichier-dav mount fichier:Media DIR (a folder as the root), and a shared folder', () => {
  const media = Buffer.from('in Media only\n');
  let mediaId: number;

  beforeAll(async () => {
    mediaId = (await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'Media', folder_id: 0 })).folder_id;
    await uploadFiles(emu.url, emu.key, [{ name: 'movie.txt', data: media }], mediaId);
  });

  it('shows only Media\'s entries, reads and writes there, reaches nothing outside, and SIGTERM unmounts', async () => {
    const { mnt, flags } = mountPoint('media');
    const m = await startMount(['fichier:Media', mnt, ...flags]);
    try {
      expect(m.stdout()).toMatch(/^mounted fichier:Media on /m);
      expect((await readdir(mnt)).sort()).toEqual(['movie.txt']);
      expect((await readFile(join(mnt, 'movie.txt'))).equals(media)).toBe(true);
      await expect(stat(join(mnt, '..', 'hello.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(join(mnt, 'hello.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
      const data = randomBytes(10_000);
      writeFileSync(join(mnt, 'added.bin'), data);
      await eventually(async () => {
        const f = (await listAt(mediaId)).files.find((x) => x.filename === 'added.bin');
        expect(f?.size).toBe(data.length);
      }, 20_000);
      expect((await listAt(0)).files.map((f) => f.filename)).not.toContain('added.bin');
    } finally {
      m.child.kill('SIGTERM');
    }
    const end = await exitWithin(m, 60_000);
    expect(end.code, m.out()).toBe(0);
    expect(listedInMountinfo(mnt)).toBe(false);
    expect(rclonePids(mnt)).toEqual([]);
  }, MOUNT_WAIT_MS + 90_000);

  it('mounts a remote with shared_folder read-only: ls and cat work, a write is EROFS', async () => {
    const id = await shareFolder(emu, 'Public', [{ name: 'shared.txt', data: 'shared through a page\n' }]);
    const { mnt, flags } = mountPoint('shared');
    const m = await startMount(['pub:', mnt, ...flags], { RCLONE_CONFIG_PUB_TYPE: 'fichier', RCLONE_CONFIG_PUB_SHARED_FOLDER: id });
    try {
      expect(m.stdout()).toMatch(/\(read-only\)/);
      expect(await readdir(mnt)).toEqual(['shared.txt']);
      expect(await readFile(join(mnt, 'shared.txt'), 'utf8')).toBe('shared through a page\n');
      await expect(copyFile(join(mnt, 'shared.txt'), join(mnt, 'copy.txt'))).rejects.toMatchObject({ code: 'EROFS' });
    } finally {
      m.child.kill('SIGTERM');
    }
    const end = await exitWithin(m, 60_000);
    expect(end.code, m.out()).toBe(0);
    expect(listedInMountinfo(mnt)).toBe(false);
  }, MOUNT_WAIT_MS + 90_000);
});
