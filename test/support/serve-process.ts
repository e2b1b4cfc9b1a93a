/**
 * `fichier-dav serve webdav` as a child process, exactly as scripts and users start it: spawn it with arguments
 * and a minimal environment, wait for the banner's `serving webdav on URL` (and the control port's URL with
 * --rc), stop it with SIGTERM. Every child spawned here is also killed by `killServes()` (call it in afterAll).
 * A child over a test emulator (FICHIER_API_URL set) gets the gateway's budget at TEST_TIME_SCALE through the
 * environment (testTimingEnv), since the test emulator plays the real rules at that scale: with the real budget
 * (3 s between listings, 30 s per folder) it would be slow, not wrong. Without FICHIER_API_URL the child speaks to
 * its embedded emulator, which plays the real rules at real timings, so it keeps the real budget.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testTimingEnv } from './timings.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'fichier-dav.js');
const START_MS = 30_000;

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnedServe {
  child: ChildProcess;
  exited: Promise<Exited>;
  /** stdout and stderr so far, for failure messages and log checks. */
  out(): string;
}

export interface RunningServe extends SpawnedServe {
  /** The WebDAV URL the banner announced (ending in '/'). */
  url: string;
  /** The control port's URL (ending in '/'), when started with --rc. */
  rcUrl: string | undefined;
}

const spawned = new Set<ChildProcess>();

/**
 * Spawns `fichier-dav serve webdav ARGS` with `env` added to PATH, HOME=`home` and, over a test emulator,
 * testTimingEnv() (nothing else is inherited; `env` wins).
 */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv, home: string): SpawnedServe {
  const budget = env.FICHIER_API_URL === undefined ? {} : testTimingEnv();
  const child = spawn(process.execPath, [BIN, 'serve', 'webdav', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, ...budget, ...env },
  });
  spawned.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exited>((resolve) =>
    child.on('exit', (code) => {
      spawned.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, exited, out: () => `stdout: ${stdout}\nstderr: ${stderr}` };
}

/** Spawns a server and resolves once its banner is out; rejects if it exits or stays silent for 30 s. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv, home: string): Promise<RunningServe> {
  const run = spawnServe(args, env, home);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not announce itself within ${START_MS} ms\n${run.out()}`)), START_MS);
    const onData = () => {
      const m = /serving webdav on (https?:\/\/\S+\/)/.exec(run.out());
      if (m) {
        clearTimeout(timer);
        run.child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    run.child.stdout!.on('data', onData);
    void run.exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${e.code} before announcing\n${run.out()}`));
    });
  });
  const rc = /Control port \(rc, metrics\): (http:\/\/\S+\/)/.exec(run.out());
  return { ...run, url, rcUrl: rc?.[1] };
}

/** SIGTERM, then the exit, bounded at 15 s. */
export async function terminate(run: SpawnedServe): Promise<Exited> {
  run.child.kill('SIGTERM');
  const timeout = new Promise<Exited>((_r, reject) => setTimeout(() => reject(new Error('no exit within 15 s of SIGTERM')), 15_000));
  return Promise.race([run.exited, timeout]);
}

/** Kills (SIGKILL) every server spawned here that is still running. */
export function killServes(): void {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
