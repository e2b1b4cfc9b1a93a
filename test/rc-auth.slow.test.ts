/**
 * The control port of the real `serve webdav --rc` process, with `--rc-user` and the password from
 * FICHIER_DAV_RC_PASS, driven by Debian's `rclone rc` (rclone's own client: Basic auth, JSON body), then by
 * requests a web page could make. The password appears in no log line (-vv) and not in `config show`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { killServes, spawnServe, startServe, terminate, type RunningServe } from './support/serve-process.ts';

const run = promisify(execFile);
const USER = 'rcadmin';
const PASS = 'Rc-Pa55:w+rd/Xq';

let emu: TestEmulator;
let serve: RunningServe;
let rcUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'fdav-rc-auth-'));

const env = (): NodeJS.ProcessEnv => ({ FICHIER_API_KEY: emu.key, FICHIER_API_URL: emu.apiBase, FICHIER_DAV_RC_PASS: PASS });

beforeAll(async () => {
  emu = await startEmulator();
  serve = await startServe(['--addr', '127.0.0.1:0', '--rc', '--rc-addr', '127.0.0.1:0', '--rc-user', USER, '-vv', '--cache-dir', join(dir, 'cache')], env(), dir);
  if (serve.rcUrl === undefined) throw new Error(`no control port in the banner\n${serve.out()}`);
  rcUrl = serve.rcUrl;
});

afterAll(async () => {
  killServes();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `rclone rc --url RC ARGS`: exit code, stdout, stderr (never throws). */
async function rcloneRc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('rclone', ['rc', '--url', rcUrl, ...args], { timeout: 30_000, env: { PATH: process.env.PATH, HOME: dir } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const basic = (p: string) => `Basic ${Buffer.from(`${USER}:${p}`).toString('base64')}`;

describe('the control port with --rc-user and FICHIER_DAV_RC_PASS', () => {
  it('works with rclone rc --user --pass: vfs/refresh recursive=true walks the account', async () => {
    const before = (await emu.stats()).calls['/v1/folder/ls.cgi'] ?? 0;
    const r = await rcloneRc(['--user', USER, '--pass', PASS, 'vfs/refresh', 'recursive=true']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ result: { '': 'OK' } });
    expect((await emu.stats()).calls['/v1/folder/ls.cgi'] ?? 0).toBeGreaterThan(before);
    const noop = await rcloneRc(['--user', USER, '--pass', PASS, 'rc/noop', 'a=1']);
    expect(JSON.parse(noop.stdout)).toEqual({ a: '1' });
  });

  it('refuses rclone rc with a wrong password or none: 401, and nothing runs', async () => {
    const before = (await emu.stats()).total;
    for (const creds of [['--user', USER, '--pass', 'wrong'], ['--user', 'other', '--pass', PASS], []]) {
      const r = await rcloneRc([...creds, 'vfs/refresh', 'recursive=true']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/401 Unauthorized/);
    }
    expect((await emu.stats()).total).toBe(before);
  });

  it('refuses a form post (415) and a cross-site request (403) even with the right password', async () => {
    const before = (await emu.stats()).total;
    const form = await fetch(`${rcUrl}vfs/refresh`, { method: 'POST', headers: { authorization: basic(PASS), 'content-type': 'application/x-www-form-urlencoded' }, body: 'recursive=true' });
    expect(form.status).toBe(415);
    const cross = await fetch(`${rcUrl}vfs/refresh`, { method: 'POST', headers: { authorization: basic(PASS), 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
    expect(cross.status).toBe(403);
    // undici's request, not fetch: fetch never lets a caller set Host.
    const rebound = await request(`${rcUrl}vfs/refresh`, { method: 'POST', headers: { authorization: basic(PASS), host: 'evil.test' } });
    await rebound.body.text();
    expect(rebound.statusCode).toBe(421);
    expect((await emu.stats()).total).toBe(before);
  });

  it('never writes the password in a log line (-vv), and config show masks it', async () => {
    expect(serve.out()).toMatch(/DEBUG rc /);
    expect(serve.out()).not.toContain(PASS);
    const shown = await runCli(['config', 'show'], { env: { HOME: dir, PATH: process.env.PATH, FICHIER_DAV_RC_PASS: PASS, FICHIER_DAV_RC_USER: USER }, cwd: dir });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`rcPass\\s+<set, ${PASS.length} chars>\\s+env:FICHIER_DAV_RC_PASS`));
    expect(shown.stdout).toMatch(/rcUser\s+rcadmin\s+env:FICHIER_DAV_RC_USER/);
    expect(shown.stdout + shown.stderr).not.toContain(PASS);
  });

  it('refuses --rc-user without a password (exit 2), before listening', async () => {
    const r = spawnServe(['--addr', '127.0.0.1:0', '--rc', '--rc-addr', '127.0.0.1:0', '--rc-user', USER, '--cache-dir', join(dir, 'cache2')], { FICHIER_API_KEY: emu.key, FICHIER_API_URL: emu.apiBase }, dir);
    const end = await r.exited;
    expect(end.code).toBe(2);
    expect(end.stderr).toMatch(/--rc-user and --rc-pass/);
    expect(end.stdout).not.toMatch(/serving webdav/);
  });

  it('stops on SIGTERM with exit 0', async () => {
    const end = await terminate(serve);
    expect(end.code, end.stderr).toBe(0);
    expect(end.stdout + end.stderr).not.toContain(PASS);
  });
});
