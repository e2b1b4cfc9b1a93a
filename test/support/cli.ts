/**
 * Running `fichier-dav` commands in-process for tests: `runCli(argv)` captures stdout/stderr and the exit
 * status; `cliEnv()` points a command at a test emulator with a private cache dir and a fast pacer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo, CliStream } from '../../src/cli/context.ts';
import { run } from '../../src/cli/main.ts';
import { testTimingSettings } from './timings.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pretend stdout/stderr are terminals of this width. */
  tty?: number;
}

/** Runs one command line in-process and returns its exit status and output. Never rejects. */
export async function runCli(argv: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stream = (append: (s: string) => void): CliStream => ({
    write: (s: string) => append(s),
    ...(opts.tty !== undefined ? { isTTY: true, columns: opts.tty } : {}),
  });
  const io: CliIo = {
    stdout: stream((s) => (stdout += s)),
    stderr: stream((s) => (stderr += s)),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/**
 * An environment for commands against an emulator at `apiBase` with key `key`: a private HOME and cache dir
 * (so no user config is read), and a mount.json of testTimingSettings (`minIntervalMs` default 5 ms).
 */
export function cliEnv(apiBase: string, key: string, opts: { minIntervalMs?: number; dir?: string } = {}): NodeJS.ProcessEnv {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fdav-cli-'));
  const mountConfig = join(dir, 'mount.json');
  writeFileSync(mountConfig, JSON.stringify({ cacheDir: join(dir, 'cache'), ...testTimingSettings(opts.minIntervalMs ?? 5) }));
  return {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache-home'),
    PATH: process.env.PATH,
    FICHIER_API_KEY: key,
    FICHIER_API_URL: apiBase,
    FICHIER_DAV_CONFIG: mountConfig,
  };
}
