/**
 * A real FUSE mount: Debian's `rclone mount` of our WebDAV server (vendor owncloud, no VFS cache) over the
 * emulator, driven through the filesystem: copy a folder in, read it back, rename, delete, list; then a media
 * probe (head, tail, middle of a 20 MB file) that must fetch only the ranges it reads from 1fichier.
 * Needs /dev/fuse and fusermount3 (Debian package fuse3); without them the test fails, it never skips.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDavStack, type DavStack } from './support/stack.ts';
import { eventually } from './support/eventually.ts';

const MOUNT_WAIT_MS = 30_000;
const PROBE_SIZE = 20 * 1024 * 1024;
const PROBE_READ = 64 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'fdav-mount-'));
const mnt = join(dir, 'mnt');
const home = join(dir, 'home');
let stack: DavStack | undefined;
let rcloneChild: ChildProcess | undefined;
let rcloneLog = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded); never rejects. */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The first of fusermount3 / fusermount on PATH, or undefined. */
async function fusermount(): Promise<string | undefined> {
  for (const cmd of ['fusermount3', 'fusermount']) if ((await run('sh', ['-c', `command -v ${cmd}`])).code === 0) return cmd;
  return undefined;
}

const isMounted = async () => (await run('mountpoint', ['-q', mnt], undefined, 5_000)).code === 0;

/** Throws a message that says exactly what is missing when FUSE can't work here. */
async function requireFuse(): Promise<void> {
  const missing: string[] = [];
  if (!existsSync('/dev/fuse')) missing.push('/dev/fuse is absent (container without the fuse device)');
  if ((await fusermount()) === undefined) missing.push('neither fusermount3 nor fusermount is on PATH (apt-get install fuse3)');
  if ((await run('sh', ['-c', 'command -v rclone'])).code !== 0) missing.push('rclone is not on PATH (apt-get install rclone)');
  if (missing.length > 0) throw new Error(`FUSE mount test cannot run: ${missing.join('; ')}`);
}

/** Starts `rclone mount D: mnt` in the foreground as a child and resolves once the mount is live. */
async function mountServer(s: DavStack): Promise<void> {
  mkdirSync(mnt, { recursive: true });
  mkdirSync(home, { recursive: true });
  const config = join(dir, 'rclone.conf');
  writeFileSync(config, '');
  const obscured = await run('rclone', ['obscure', s.pass, '--config', config], { PATH: process.env.PATH, HOME: home });
  if (obscured.code !== 0) throw new Error(`rclone obscure failed: ${obscured.stderr}`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    RCLONE_CONFIG_D_TYPE: 'webdav',
    RCLONE_CONFIG_D_URL: s.url,
    RCLONE_CONFIG_D_VENDOR: 'owncloud',
    RCLONE_CONFIG_D_USER: s.user,
    RCLONE_CONFIG_D_PASS: obscured.stdout.trim(),
  };
  const args = [
    'mount', 'D:', mnt, '--config', config, '--daemon=false',
    '--vfs-cache-mode', 'off', '--dir-cache-time', '1s',
    // A media probe, not a copy: small first chunk, little doubling, no read-ahead buffer.
    '--vfs-read-chunk-size', '256k', '--vfs-read-chunk-size-limit', '1M', '--buffer-size', '0',
    '--retries', '1', '--low-level-retries', '2',
  ];
  const child = spawn('rclone', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  rcloneChild = child;
  child.stdout!.on('data', (d: Buffer) => (rcloneLog += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (rcloneLog += d.toString()));
  const deadline = Date.now() + MOUNT_WAIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`rclone mount exited (${child.exitCode ?? child.signalCode}) before the mount was live:\n${rcloneLog}`);
    }
    if (await isMounted()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`rclone mount not live after ${MOUNT_WAIT_MS} ms:\n${rcloneLog}`);
}

/** Unmounts (lazily if busy) and ends rclone, bounded; safe to call when nothing was mounted. */
async function unmount(): Promise<void> {
  const fm = await fusermount();
  if (fm !== undefined && (await isMounted())) {
    if ((await run(fm, ['-u', mnt])).code !== 0) await run(fm, ['-uz', mnt]);
  }
  const child = rcloneChild;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Names in a folder of the server, via PROPFIND Depth 1 (independent of the mount's caches). */
async function serverNames(s: DavStack, folder: string): Promise<string[]> {
  const auth = `Basic ${Buffer.from(`${s.user}:${s.pass}`).toString('base64')}`;
  const res = await fetch(new URL(`${encodeURIComponent(folder)}/`, s.url), { method: 'PROPFIND', headers: { depth: '1', authorization: auth } });
  expect(res.status).toBe(207);
  const hrefs = [...(await res.text()).matchAll(/<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/g)].map((m) => decodeURIComponent(m[1]!));
  return hrefs.map((h) => h.replace(/\/$/, '').split('/').pop()!).filter((n) => n !== folder).sort();
}

beforeAll(async () => {
  await requireFuse();
  stack = await startDavStack({ users: true });
  await mountServer(stack);
}, 60_000);

afterAll(async () => {
  try {
    await unmount();
  } finally {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

describe('rclone mount of the server (FUSE, vfs-cache-mode off)', () => {
  it('copies a folder in, reads it back byte-identical, renames, deletes, and the listing follows', async () => {
    const s = stack!;
    const src = join(dir, 'src');
    mkdirSync(src);
    const files: Record<string, Buffer> = {
      'small.txt': Buffer.from('a small text file\n'),
      'médias é.bin': randomBytes(100 * 1024),
      'big.bin': randomBytes(1024 * 1024 + 17),
    };
    for (const [name, data] of Object.entries(files)) writeFileSync(join(src, name), data);

    const folder = join(mnt, 'copied');
    await cp(src, folder, { recursive: true });
    for (const [name, data] of Object.entries(files)) {
      const back = await readFile(join(folder, name));
      expect(back.length, name).toBe(data.length);
      expect(back.equals(data), name).toBe(true);
    }
    await eventually(async () => expect(await serverNames(s, 'copied')).toEqual(Object.keys(files).sort()));

    await rename(join(folder, 'small.txt'), join(folder, 'renamed.txt'));
    await rm(join(folder, 'big.bin'));
    const expected = ['médias é.bin', 'renamed.txt'];
    const ls = await run('ls', ['-1', folder]);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n').filter((l) => l !== '').sort()).toEqual(expected);
    expect((await readdir(folder)).sort()).toEqual(expected);
    expect((await readFile(join(folder, 'renamed.txt'))).equals(files['small.txt']!)).toBe(true);
    await eventually(async () => expect(await serverNames(s, 'copied')).toEqual(expected));
  });

  it('a media probe (head, tail, middle of 20 MB) fetches only the ranges it reads', async () => {
    const s = stack!;
    const data = randomBytes(PROBE_SIZE);
    const auth = `Basic ${Buffer.from(`${s.user}:${s.pass}`).toString('base64')}`;
    const put = await fetch(new URL('probe.mkv', s.url), { method: 'PUT', headers: { authorization: auth }, body: data });
    await put.arrayBuffer();
    expect(put.status).toBe(201);
    const path = join(mnt, 'probe.mkv');
    await eventually(async () => expect((await stat(path)).size).toBe(PROBE_SIZE));

    const before = await s.emu.stats();
    const fh = await open(path, 'r');
    try {
      for (const position of [0, PROBE_SIZE - PROBE_READ, Math.floor(PROBE_SIZE / 2) + 12_345]) {
        const buf = Buffer.alloc(PROBE_READ);
        const { bytesRead } = await fh.read(buf, 0, PROBE_READ, position);
        expect(bytesRead, `read at ${position}`).toBe(PROBE_READ);
        expect(buf.equals(data.subarray(position, position + PROBE_READ)), `bytes at ${position}`).toBe(true);
      }
    } finally {
      await fh.close();
    }
    const after = await s.emu.stats();
    const fetched = after.bytesOut - before.bytesOut;
    expect(fetched).toBeGreaterThanOrEqual(3 * PROBE_READ);
    expect(fetched, `bytes served by 1fichier for a 3 × 64 KB probe of ${PROBE_SIZE} bytes`).toBeLessThan(PROBE_SIZE / 4);
  });
});
