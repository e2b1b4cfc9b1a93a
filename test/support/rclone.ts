import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestEmulator } from './emulator.ts';

export interface RcloneResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run Debian's rclone with its own fichier backend against the emulator in proxy mode: rclone talks
 * HTTPS to api.1fichier.com, the upload nodes and the download hosts through HTTPS_PROXY, trusting the
 * emulator's CA. Remote name `F:`. No config file of the user is read. `opts.env` adds variables (e.g.
 * RCLONE_CONFIG_F_SHARED_FOLDER).
 */
export function rclone(emu: TestEmulator, args: string[], opts: { timeoutMs?: number; stdout?: 'buffer'; env?: NodeJS.ProcessEnv } = {}): Promise<RcloneResult> {
  const home = join(emu.dir, 'home');
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    HTTPS_PROXY: `http://127.0.0.1:${emu.port}`,
    https_proxy: `http://127.0.0.1:${emu.port}`,
    RCLONE_CONFIG_F_TYPE: 'fichier',
    RCLONE_CONFIG_F_API_KEY: emu.key,
    ...opts.env,
  };
  const full = ['--config', join(home, 'rclone.conf'), '--ca-cert', emu.caFile, '--retries', '1', '--low-level-retries', '2', ...args];
  return new Promise((resolve) => {
    execFile('rclone', full, { env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: stdout.toString('latin1'), stderr: stderr.toString('utf8') });
    });
  });
}

/** Same, stdout as raw bytes (for `rclone cat`). */
export function rcloneBytes(emu: TestEmulator, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return rclone(emu, args, opts).then((r) => ({ code: r.code, stdout: Buffer.from(r.stdout, 'latin1'), stderr: r.stderr }));
}
