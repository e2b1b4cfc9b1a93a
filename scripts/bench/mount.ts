/**
 * `rclone mount` (FUSE) of a WebDAV server, as a media server host would mount it: rclone's webdav backend
 * (`:webdav:` with --webdav-url and a vendor), mount defaults otherwise (--vfs-cache-mode off: every read
 * goes to the server). The mount is a child process; it is ready when the mount point shows in
 * /proc/self/mountinfo. Callers must touch the mount only with asynchronous calls: the emulator the server
 * reaches runs in this process's event loop. Every mount point made here is unmounted (fusermount3 -u, then -uz) by `unmount`
 * and by `unmountAll` (the run's shutdown), so a killed rclone never leaves a dead mount behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, type Child } from './procs.ts';

export interface Mount {
  dir: string;
  child: Child;
  unmount(): Promise<void>;
}

const mounted = new Set<string>();

function isMounted(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
}

function fusermount(dir: string, lazy: boolean): void {
  try {
    execFileSync('fusermount3', lazy ? ['-uz', dir] : ['-u', dir], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    // not mounted, or busy (the lazy pass follows)
  }
}

/** Unmounts `dir` (gently, then lazily) and stops the rclone process. */
async function release(dir: string, child: Child | undefined): Promise<void> {
  fusermount(dir, false);
  if (isMounted(dir)) fusermount(dir, true);
  await child?.stop(5000);
  mounted.delete(dir);
}

/** Mounts `url` at `<workDir>/mnt-<label>`. Rejects when the mount does not appear within 30 s. */
export async function mountWebdav(workDir: string, label: string, url: string, vendor: string): Promise<Mount> {
  const dir = join(workDir, `mnt-${label}`);
  mkdirSync(dir, { recursive: true });
  if (isMounted(dir)) fusermount(dir, true);
  const home = join(workDir, 'home-mount');
  mkdirSync(home, { recursive: true });
  const args = ['mount', ':webdav:', dir, '--webdav-url', url, '--webdav-vendor', vendor, '--config', join(home, 'rclone.conf'), '--cache-dir', join(workDir, `mount-cache-${label}`)];
  const child = startChild('rclone', args, { env: { PATH: process.env.PATH, HOME: home, TMPDIR: home }, cwd: home, logFile: join(workDir, 'logs', `mount-${label}.log`) });
  mounted.add(dir);
  const deadline = performance.now() + 30_000;
  while (!isMounted(dir)) {
    if (child.proc.exitCode !== null || performance.now() > deadline) {
      await release(dir, child);
      throw new Error(`rclone mount of ${url} did not come up (see ${child.logFile})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { dir, child, unmount: () => release(dir, child) };
}

/** Lazily unmounts every mount point below `dir` (left by an earlier run that was killed), so no rm goes into one. */
export function unmountBelow(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${dir}/`));
  for (const p of points) fusermount(p, true);
}

/** Unmounts every mount point this process made (the children are killed by procs.killAllChildren). */
export async function unmountAll(): Promise<void> {
  for (const dir of [...mounted]) await release(dir, undefined);
}
