/**
 * `fichier-dav serve webdav` as a child process, started exactly as a user or a script starts it (the launcher,
 * bin/fichier-dav.js), resolved once it announces its URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'fichier-dav.js');

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ServeProcess {
  child: ChildProcess;
  exited: Promise<Exited>;
  /** Everything printed so far, for failure messages. */
  out(): string;
}

/** Spawns `fichier-dav serve webdav ...args` with `env` added to a minimal environment (PATH only). */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv): ServeProcess {
  const child = spawn(process.execPath, [BIN, 'serve', 'webdav', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exited>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, exited, out: () => `stdout: ${stdout}\nstderr: ${stderr}` };
}

/** Resolves with the URL the server announces (`serving webdav on URL`); rejects if it exits first or stays silent for `ms`. */
export function announcedUrl(run: ServeProcess, ms = 30_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not announce itself within ${ms} ms\n${run.out()}`)), ms);
    const onData = () => {
      const m = /serving webdav on (https?:\/\/\S+)/.exec(run.out());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    run.child.stdout!.on('data', onData);
    void run.exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${e.code} before announcing\n${run.out()}`));
    });
  });
}

/** SIGTERM, and the exit, bounded. */
export async function terminate(run: ServeProcess, ms = 15_000): Promise<Exited> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return run.exited;
  run.child.kill('SIGTERM');
  const timeout = new Promise<Exited>((_r, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms of SIGTERM`)), ms));
  return Promise.race([run.exited, timeout]);
}
