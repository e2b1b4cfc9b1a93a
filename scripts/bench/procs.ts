/**
 * Child processes of the bench (the two servers): spawned with their output in a log file, tracked so that
 * every one still alive is killed at the end (even on failure), and sampled for memory from
 * /proc/PID/status (VmRSS every 100 ms, VmHWM on demand).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

const live = new Set<ChildProcess>();

/** Memory of a process in bytes: `rss` = VmRSS now, `hwm` = VmHWM (peak over the process's life). */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples VmRSS every `periodMs`; `peak()` is the highest sample since the last `resetPeak()`. */
export class RssSampler {
  private max = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, periodMs: number) {
    this.timer = setInterval(() => this.sample(), periodMs);
    this.timer.unref();
    this.sample();
  }

  /** Takes one sample now and returns VmRSS in bytes (0 when the process is gone). */
  sample(): number {
    const rss = memoryOf(this.pid)?.rss ?? 0;
    if (rss > this.max) this.max = rss;
    return rss;
  }

  resetPeak(): void {
    this.max = 0;
    this.sample();
  }

  peak(): number {
    this.sample();
    return this.max;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Text written so far to stdout and stderr (the first 64 KiB, kept in memory); all of it goes to `logFile`. */
  output(): string;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `cmd args` with exactly `env`, stdout and stderr appended to `logFile`. Throws if it cannot start. */
export function startChild(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): Child {
  const proc = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`cannot start ${cmd}`);
  live.add(proc);
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  let out = '';
  const keep = (d: Buffer) => {
    if (out.length < 64 * 1024) out += d.toString();
    log.write(d);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  void exited.then(() => {
    live.delete(proc);
    log.end();
  });
  const pid = proc.pid;
  return {
    proc,
    pid,
    output: () => out,
    logFile: opts.logFile,
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills (SIGKILL, by pid) every child still running and waits for them. */
export async function killAllChildren(): Promise<void> {
  const procs = [...live];
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : once(p, 'exit'))));
}

/** Total size of the files under `dir` (a metadata store: the SQLite database with its -wal and -shm files). */
export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}
