/**
 * The `fichier-dav emulator` command exactly as scripts drive it: start in the foreground, print the
 * URL, serve the demo tree with the given key, write the CA, keep data across a restart, stop on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'fichier-dav.js');
const KEY = 'CliKey_0123456789abcdefghijklmnop';
const dir = mkdtempSync(join(tmpdir(), 'fdav-cli-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--addr', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out} ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${out} ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function api(url: string, path: string, body: unknown, key = KEY): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('fichier-dav emulator command', () => {
  it('serves the demo tree with the given key, writes the CA, and stops cleanly on SIGTERM', async () => {
    const data = join(dir, 'data');
    const ca = join(dir, 'ca.pem');
    const { child, url } = await start(['--key', KEY, '--data', data, '--ca-out', ca, '--demo', '--profile', 'lenient']);
    expect(readFileSync(ca, 'utf8')).toMatch(/-----BEGIN CERTIFICATE-----/);
    const ls = await api(url, 'folder/ls.cgi', { folder_id: 0, files: 1 });
    expect(ls.status).toBe(200);
    const names = ((ls.json.sub_folders as { name: string }[] | undefined) ?? []).map((f) => f.name);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect((await api(url, 'folder/ls.cgi', { folder_id: 0 }, 'wrong-key')).status).toBe(401);
    await api(url, 'folder/mkdir.cgi', { folder_id: 0, name: 'kept across restarts' });
    expect(await stop(child)).toBe(0);

    const again = await start(['--key', KEY, '--data', data, '--demo', '--profile', 'lenient']);
    const ls2 = await api(again.url, 'folder/ls.cgi', { folder_id: 0 });
    const names2 = ((ls2.json.sub_folders as { name: string }[] | undefined) ?? []).map((f) => f.name);
    expect(names2).toContain('kept across restarts');
    expect(names2.filter((n) => n === names[0])).toHaveLength(1);
    expect(await stop(again.child)).toBe(0);
  });

  it('generates and keeps a key in the data dir when none is given', async () => {
    const data = join(dir, 'data-nokey');
    const { child } = await start(['--data', data, '--profile', 'lenient']);
    expect(await stop(child)).toBe(0);
    const keyFile = join(data, 'api-key');
    expect(existsSync(keyFile)).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('plays by the realistic rules by default; --time-scale shrinks them; --profile lenient turns them off', async () => {
    const def = await start(['--key', KEY]);
    expect(await (await fetch(`${def.url}/_emulator/profile`)).json()).toEqual({ profile: 'realistic', timeScale: 1 });
    expect((await api(def.url, 'folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
    const second = await fetch(`${def.url}/v1/folder/ls.cgi`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ folder_id: 0 }),
    });
    expect(second.status).toBe(403);
    expect(await second.text()).toContain('Flood detected: IP Locked #374');
    expect(await stop(def.child)).toBe(0);

    const fast = await start(['--key', KEY, '--time-scale', '0.001']);
    expect(await (await fetch(`${fast.url}/_emulator/profile`)).json()).toEqual({ profile: 'realistic', timeScale: 0.001 });
    expect((await (await fetch(`${fast.url}/_emulator/limits`)).json()) as Record<string, number>).toMatchObject({ listIntervalMs: 3, listFolderIntervalMs: 30, banMs: 300 });
    expect(await stop(fast.child)).toBe(0);

    const lenient = await start(['--key', KEY, '--profile', 'lenient']);
    for (let i = 0; i < 3; i++) expect((await api(lenient.url, 'folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
    expect(await stop(lenient.child)).toBe(0);
  });

  it('refuses a bad --time-scale or --profile with a usage error', async () => {
    for (const args of [['--time-scale', '0'], ['--time-scale', 'fast'], ['--profile', 'strict']]) {
      const child = spawn(process.execPath, [BIN, 'emulator', '--addr', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code, args.join(' ')).not.toBe(0);
      expect(err, args.join(' ')).toMatch(args[0] === '--profile' ? /realistic, lenient/ : /invalid --time-scale/);
    }
  });

  it('refuses a malformed --addr with a usage error', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--addr', 'nonsense'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(err).toMatch(/invalid --addr/);
  });
});
