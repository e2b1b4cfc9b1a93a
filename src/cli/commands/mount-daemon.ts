/**
 * `fichier-dav mount --daemon`: the command starts itself again as a detached child (same arguments, output to a
 * log file, an IPC channel back), and returns only when that child reports the mount answering; then it drops
 * the channel and leaves the child running. The pid file is how a background mount is found and stopped
 * (`kill $(cat PIDFILE)` unmounts cleanly), and what refuses a second mount of the same mount point.
 *
 * The child is told apart by an environment marker AND the presence of the IPC channel, so a stray variable in
 * a user's shell cannot turn a foreground mount into a silent one.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from '../context.ts';

const CHILD_MARKER = 'FICHIER_DAV_MOUNT_DAEMON_CHILD';
const READY_MESSAGE = 'fichier-dav:mounted';

/** True in the background child started by `startDaemon`. */
export function isDaemonChild(env: NodeJS.ProcessEnv): boolean {
  return env[CHILD_MARKER] === '1' && typeof process.send === 'function';
}

/** Tells the waiting parent that the mount answers, then closes the channel (the parent may exit). */
export function tellParentMounted(): void {
  process.send?.(READY_MESSAGE, () => process.disconnect?.());
}

function lastLines(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

export interface DaemonOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where the child's stdout and stderr go. */
  logFile: string;
  /** How long to wait for the child's report; it is killed after that. */
  timeoutMs: number;
}

/**
 * Starts the background child (this process's own launcher and arguments again: going to the background is
 * about the real process, so it reads process.argv) and resolves with its pid once it reports the mount answering. Rejects with a
 * CliError carrying the child's exit status and the end of its log when it exits first, or status 1 on timeout.
 */
export function startDaemon(opts: DaemonOptions): Promise<{ pid: number }> {
  const script = process.argv[1];
  if (script === undefined) return Promise.reject(new CliError('cannot find the fichier-dav launcher to start in the background', 1));
  mkdirSync(dirname(opts.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(opts.logFile, 'a', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    cwd: opts.cwd,
    env: { ...opts.env, [CHILD_MARKER]: '1' },
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new CliError(`the background mount did not report within ${Math.round(opts.timeoutMs / 1000)} s; see ${opts.logFile}`, 1));
    }, opts.timeoutMs);
    child.once('message', (msg) => {
      if (msg !== READY_MESSAGE) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      if (child.connected) child.disconnect();
      child.unref();
      resolve({ pid: child.pid ?? 0 });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const tail = lastLines(opts.logFile, 15);
      const status = code ?? 1;
      reject(new CliError(`the background mount exited (${code ?? signal}) before the mount answered${tail ? `:\n${tail}` : ''}\n(log: ${opts.logFile})`, status === 0 ? 1 : status));
    });
  });
}

/** The pid recorded in `file` when that process is alive; undefined otherwise. */
function livePid(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** Throws CliError (status 1) when `file` names a running process: that mount is already running. */
export function checkPidFile(file: string): void {
  const pid = livePid(file);
  if (pid !== undefined) throw new CliError(`a mount is already running with pid ${pid} (pid file ${file}); stop it first: kill ${pid}`, 1);
}

/** Writes this process's pid to `file` (parents created, mode 0600). */
export function writePidFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
}

/** Removes `file` if it still holds this process's pid. Never throws. */
export function removePidFile(file: string): void {
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
