/**
 * `fichier-dav serve webdav` exactly as scripts drive it: a child process over an in-process emulator (key and API
 * base from the environment), the `serving webdav on URL` line, Basic auth, a PUT that lands at 1fichier, SIGTERM
 * => exit 0; and the refusals (no key, anonymous on a non-loopback address => exit 1) and --read-only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { killServes, spawnServe as spawnIn, startServe as startIn, terminate, type RunningServe, type SpawnedServe } from './support/serve-process.ts';

const USER = 'u';
const PASS = 'p:a+/ss';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;

let emu: TestEmulator;
const dir = mkdtempSync(join(tmpdir(), 'fdav-cli-serve-'));

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  killServes();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Spawns `fichier-dav serve webdav ...` with `env` added to a minimal environment (no key unless given). */
const spawnServe = (args: string[], env: NodeJS.ProcessEnv): SpawnedServe => spawnIn(args, env, dir);

const keyEnv = (): NodeJS.ProcessEnv => ({ FICHIER_API_KEY: emu.key, FICHIER_API_URL: emu.apiBase });

/** Starts a server with Basic auth and a private cache, and resolves with its announced URL. */
function startServe(extra: string[] = []): Promise<RunningServe> {
  const cacheDir = mkdtempSync(join(dir, 'cache-'));
  return startIn(['--addr', '127.0.0.1:0', '--user', USER, '--pass', PASS, '--cache-dir', cacheDir, ...extra], keyEnv(), dir);
}

/** Every file name in the account's root folder at the emulator, as stored. */
async function rootFileNames(): Promise<string[]> {
  return (await emu.stored(0)).files.map((f) => f.filename);
}

describe('fichier-dav serve webdav', () => {
  it('announces its URL, serves with Basic auth, uploads to 1fichier, and exits 0 on SIGTERM', async () => {
    const run = await startServe();
    const { url } = run;
    expect(url.endsWith('/')).toBe(true);

    const listing = await fetch(url, { method: 'PROPFIND', headers: { depth: '1', authorization: AUTH } });
    expect(listing.status).toBe(207);
    expect(await listing.text()).toMatch(/multistatus/);

    const anonymous = await fetch(url, { method: 'PROPFIND', headers: { depth: '1' } });
    await anonymous.arrayBuffer();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);

    const body = Buffer.from('uploaded through the serve command\n');
    const put = await fetch(new URL('cli-upload.txt', url), { method: 'PUT', headers: { authorization: AUTH }, body });
    await put.arrayBuffer();
    expect(put.status).toBe(201);
    expect(await rootFileNames()).toContain('cli-upload.txt');

    const get = await fetch(new URL('cli-upload.txt', url), { headers: { authorization: AUTH } });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);

    const end = await terminate(run);
    expect(end.code, end.stderr).toBe(0);
  }, 60_000);

  it('--read-only refuses a PUT with 403 and still lists', async () => {
    const run = await startServe(['--read-only']);
    const { url } = run;
    const put = await fetch(new URL('refused.txt', url), { method: 'PUT', headers: { authorization: AUTH }, body: 'x' });
    await put.arrayBuffer();
    expect(put.status).toBe(403);
    const listing = await fetch(url, { method: 'PROPFIND', headers: { depth: '1', authorization: AUTH } });
    await listing.arrayBuffer();
    expect(listing.status).toBe(207);
    expect(await rootFileNames()).not.toContain('refused.txt');
    const end = await terminate(run);
    expect(end.code, end.stderr).toBe(0);
  }, 60_000);

  it('without an API key exits 1 naming FICHIER_API_KEY and RCLONE_FICHIER_API_KEY', async () => {
    const run = spawnServe(['--addr', '127.0.0.1:0', '--cache-dir', mkdtempSync(join(dir, 'cache-'))], { FICHIER_API_URL: emu.apiBase });
    const end = await run.exited;
    expect(end.code).toBe(1);
    expect(end.stderr).toMatch(/FICHIER_API_KEY/);
    expect(end.stderr).toMatch(/RCLONE_FICHIER_API_KEY/);
    expect(end.stdout).not.toMatch(/serving webdav/);
  }, 30_000);

  it('refuses anonymous access on a non-loopback address (exit 1) before listening', async () => {
    const run = spawnServe(['--addr', '0.0.0.0:0', '--cache-dir', mkdtempSync(join(dir, 'cache-'))], keyEnv());
    const end = await run.exited;
    expect(end.code).toBe(1);
    expect(end.stderr).toMatch(/anonymous/);
    expect(end.stdout).not.toMatch(/serving webdav/);
  }, 30_000);
});
