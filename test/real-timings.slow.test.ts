/**
 * The real service's listing rules at real timings (the emulator's realistic profile at time scale 1) and the
 * gateway with its default settings, walked by rclone over WebDAV the way a user's first `rclone lsf -R` or
 * media scan does:
 * - the cold walk of a 15-folder tree breaks no rule, lists every file, lists each folder once, and takes at
 *   most 1.1 x (folders x 3 s) (one listing per 3 s is the rule);
 * - within the next 30 s a second walk, a MKCOL and a PUT into cached folders cost no listing at all.
 * About 50 s: the price of proving the defaults against the real figures rather than scaled ones.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createStack, type Stack } from '../src/app/stack.ts';
import { Secret } from '../src/util/secret.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';

/** The tree: the root and 14 folders below it, three levels deep; every folder holds FILES files. */
const FOLDERS = ['a', 'a/a1', 'a/a2', 'a/a2/x', 'b', 'b/b1', 'b/b2', 'c', 'c/c1', 'c/c1/y', 'c/c1/y/z', 'd', 'e', 'e/e1'];
const FILES = 3;
const LIST_INTERVAL_MS = 3000;
const LS = '/v1/folder/ls.cgi';

let emu: TestEmulator;
let stack: Stack;
let scratch: string;
let url: string;

function rclone(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(scratch, 'home'),
    RCLONE_CONFIG_D_TYPE: 'webdav',
    RCLONE_CONFIG_D_URL: url,
    RCLONE_CONFIG_D_VENDOR: 'other',
  };
  const full = ['--config', join(scratch, 'rclone.conf'), '--retries', '1', '--low-level-retries', '1', ...args];
  return new Promise((resolve) => {
    execFile('rclone', full, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'fdav-real-'));
  emu = await startEmulator({ timeScale: 1 });
  // The tree is made behind the gateway's back with calls that are not listings (no rule applies to them).
  const ids = new Map<string, number>([['', 0]]);
  for (const f of FOLDERS) {
    const parent = ids.get(f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '')!;
    const made = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { folder_id: parent, name: f.split('/').pop() });
    ids.set(f, made.folder_id);
  }
  for (const id of ids.values()) await emu.admin('seed/files', { folderId: id, count: FILES, prefix: `f${id}-` });
  // The gateway as `fichier-dav serve` runs it: default pacer, listing budget and timings.
  stack = await createStack({
    account: { apiBase: emu.apiBase, apiKey: new Secret(emu.key) },
    store: { file: join(scratch, 'meta.sqlite') },
    server: { users: [] },
  });
  url = (await stack.server!.listen('127.0.0.1', 0)).url;
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await emu?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('real timings, default settings', () => {
  it('a cold rclone lsf -R lists every file once per folder, within the rules, in about 3 s per folder', async () => {
    const folders = FOLDERS.length + 1;
    const started = Date.now();
    const walk = await rclone(['lsf', '-R', 'D:']);
    const took = Date.now() - started;
    expect(walk.code, walk.stderr).toBe(0);
    const files = walk.stdout.split('\n').filter((l) => l !== '' && !l.endsWith('/'));
    expect(files).toHaveLength(folders * FILES);
    const calls = (await emu.calls(started)).filter((c) => c.path === LS);
    expect(calls.map((c) => c.folder).sort()).toEqual([...new Set(calls.map((c) => c.folder))].sort());
    expect(calls).toHaveLength(folders);
    const st = await emu.stats();
    expect(st.bans).toBe(0);
    expect(st.refusedByRule).toEqual({});
    expect(took).toBeLessThanOrEqual(1.1 * folders * LIST_INTERVAL_MS);
    console.log(`cold walk of ${folders} folders: ${took} ms, ${calls.length} listings`);
  }, 120_000);

  it('within the next 30 s: a second walk, a MKCOL and a PUT into cached folders cost no listing', async () => {
    const before = (await emu.stats()).calls[LS] ?? 0;
    const walk = await rclone(['lsf', '-R', 'D:']);
    expect(walk.code, walk.stderr).toBe(0);
    expect((await request(`${url}a/a1/new/`, { method: 'MKCOL' })).statusCode).toBe(201);
    expect((await request(`${url}b/b2/put.bin`, { method: 'PUT', body: Buffer.alloc(1000, 1) })).statusCode).toBe(201);
    const st = await emu.stats();
    expect(st.calls[LS] ?? 0).toBe(before);
    expect(st.calls['/v1/file/ls.cgi'] ?? 0).toBe(0);
    expect(st.bans).toBe(0);
  }, 60_000);
});
