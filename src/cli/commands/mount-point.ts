/**
 * The mount point side of `fichier-dav mount`: the checks before mounting (rclone's rule: an existing, empty
 * directory), telling whether a FUSE file system is mounted there, waiting until it answers, and unmounting.
 *
 * "Mounted" is read from /proc/self/mountinfo on Linux (exact, and it does not touch the mount, so a hung FUSE
 * server cannot hang the check); elsewhere from st_dev differing from the parent directory's. "Answers" adds a
 * readdir through the mount, which goes all the way through rclone to the gateway.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError } from '../context.ts';

/** The command that unmounts a FUSE mount point on this platform, tried in order: normal, then lazy/forced. */
function unmountCommands(mountPoint: string, platform: NodeJS.Platform): [string, string[]][] {
  if (platform === 'linux') {
    return [
      ['fusermount3', ['-u', mountPoint]],
      ['fusermount', ['-u', mountPoint]],
      ['fusermount3', ['-uz', mountPoint]],
      ['fusermount', ['-uz', mountPoint]],
    ];
  }
  if (platform === 'darwin') return [['umount', [mountPoint]], ['diskutil', ['unmount', 'force', mountPoint]]];
  return [];
}

/** Decodes the octal escapes (\040 for a space...) of a /proc/self/mountinfo path field. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points listed in /proc/self/mountinfo (Linux); undefined when the file cannot be read. */
export function linuxMountPoints(text?: string): Set<string> | undefined {
  let content = text;
  if (content === undefined) {
    try {
      content = readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      return undefined;
    }
  }
  const points = new Set<string>();
  for (const line of content.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined) points.add(unescapeMountinfo(field));
  }
  return points;
}

/** True when a file system is mounted at `path` (absolute). Never throws; a path that cannot be stat'ed is not mounted. */
export async function isMounted(path: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform === 'linux') {
    const points = linuxMountPoints();
    if (points !== undefined) return points.has(path);
  }
  // WinFsp creates the drive letter or directory when it mounts, and removes it when it unmounts.
  if (platform === 'win32') return stat(path).then(() => true, () => false);
  try {
    const [self, parent] = await Promise.all([stat(path), stat(dirname(path))]);
    return self.dev !== parent.dev;
  } catch {
    return false;
  }
}

/**
 * Checks that `arg` (relative to `cwd`) can be mounted on and returns its absolute path: an existing directory,
 * not already a mount point, and empty unless `allowNonEmpty`. On Windows the mount point is a drive letter or a
 * path that must not exist yet (WinFsp creates it), so only that is checked.
 * Throws CliError with exit status 2 naming what is wrong.
 */
export async function checkMountPoint(arg: string, cwd: string, allowNonEmpty: boolean, platform: NodeJS.Platform = process.platform): Promise<string> {
  if (platform === 'win32' && /^[A-Za-z]:$/.test(arg)) arg = arg.toUpperCase();
  const path = platform === 'win32' && /^[A-Z]:$/.test(arg) ? arg : resolve(cwd, arg);
  if (platform === 'win32') {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new CliError(`mount point ${arg} already exists: on Windows give an unused drive letter (X:) or a path that does not exist yet`, 2);
    return path;
  }
  let entries: string[];
  try {
    if (!(await stat(path)).isDirectory()) throw new CliError(`mount point ${arg} is not a directory`, 2);
    entries = await readdir(path);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist (create it first: mkdir -p)' : `cannot be read (${code ?? 'error'})`;
    throw new CliError(`mount point ${arg} ${why}`, 2);
  }
  if (await isMounted(path, platform)) throw new CliError(`mount point ${arg} is already a mount point (unmount it first: fusermount3 -u ${arg})`, 2);
  if (entries.length > 0 && !allowNonEmpty) {
    throw new CliError(`mount point ${arg} is not empty (${entries.length} entries): mount on an empty directory, or pass --allow-non-empty to hide its files while mounted`, 2);
  }
  return path;
}

export interface WaitMountedOptions {
  timeoutMs: number;
  /** Polling interval, default 100 ms. */
  intervalMs?: number;
  /** Polled between checks: a reason to give up at once (the rclone child exited), or undefined to go on. */
  failed?: () => string | undefined;
  platform?: NodeJS.Platform;
}

/**
 * Resolves once `path` is a mount point whose directory can be read; rejects with Error when `failed()` gives a
 * reason or after `timeoutMs`.
 */
export async function waitMounted(path: string, opts: WaitMountedOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const failure = opts.failed?.();
    if (failure !== undefined) throw new Error(failure);
    if (await isMounted(path, opts.platform)) {
      const readable = await readdir(path).then(
        () => true,
        () => false,
      );
      if (readable) return;
    }
    if (Date.now() > deadline) throw new Error(`the mount did not answer within ${Math.round(opts.timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

function runQuiet(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout: 10_000 }, (err) => done(err === null));
  });
}

/**
 * Unmounts `path` if it is mounted: a normal unmount first, a lazy one (Linux `fusermount3 -uz`, macOS
 * `diskutil unmount force`) when the mount is busy. Resolves with whether nothing is mounted there any more;
 * never rejects. On Windows there is nothing to run: the mount ends with the rclone process.
 */
export async function unmount(path: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  for (const [cmd, args] of unmountCommands(path, platform)) {
    if (!(await isMounted(path, platform))) return true;
    await runQuiet(cmd, args);
  }
  return !(await isMounted(path, platform));
}

/** The lazy unmount, run synchronously from a process 'exit' handler (a crash must not leave a dead mount). */
export function unmountSyncArgs(path: string, platform: NodeJS.Platform = process.platform): [string, string[]] | undefined {
  if (platform === 'linux') return ['fusermount3', ['-uz', path]];
  if (platform === 'darwin') return ['umount', ['-f', path]];
  return undefined;
}
