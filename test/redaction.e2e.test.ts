/**
 * The API key never leaves the process: with a recognisable key, every command's stdout and stderr at -vv
 * (so every debug log line), `config show`, the rc answers and the Prometheus page of a running server, and
 * the error output of a refused key are searched for it. Each command runs as a child process, so the key
 * is only ever known to the code paths that really read it (env, rclone.conf, mount.json key file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { testTimingSettings } from './support/timings.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fichier-dav.js');
const KEY = 'RedactMe_Key_0123456789abcdefXYZ';
const WRONG_KEY = 'WrongKey_RedactMe_9876543210_QRS';

let emu: TestEmulator;
let files: Server;
let filesUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'fdav-redact-'));
const children: ChildProcess[] = [];
const seen: { what: string; text: string }[] = [];

interface Ran {
  code: number | null;
  out: string;
}

function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const mountConfig = join(dir, 'mount.json');
  return { PATH: process.env.PATH, HOME: join(dir, 'home'), FICHIER_API_URL: emu.apiBase, FICHIER_DAV_CONFIG: mountConfig, ...extra };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<Ran>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<Ran>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return { child, exited, output: () => out };
}

async function cli(args: string[], env: NodeJS.ProcessEnv = baseEnv({ FICHIER_API_KEY: KEY })): Promise<Ran> {
  const ran = await spawnCli([...args, '-vv'], env).exited;
  seen.push({ what: args.join(' '), text: ran.out });
  return ran;
}

beforeAll(async () => {
  emu = await startEmulator({ apiKey: KEY });
  mkdirSync(join(dir, 'home'), { recursive: true });
  writeFileSync(join(dir, 'mount.json'), JSON.stringify({ cacheDir: join(dir, 'cache'), ...testTimingSettings(5) }));
  mkdirSync(join(dir, 'up', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'up', 'one.txt'), 'one\n');
  writeFileSync(join(dir, 'up', 'sub', 'two.txt'), 'two two\n');
  files = createServer((_req, res) => res.end('pulled by remote upload\n'));
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/pulled.txt`;
}, 30_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await new Promise((r) => files.close(r));
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the API key never appears in output, logs, rc answers or metrics', () => {
  it('every command at -vv, with the key from the environment', { timeout: 180_000 }, async () => {
    const runs: [string[], number][] = [
      [['config', 'show'], 0],
      [['config', 'show', '--json'], 0],
      [['about'], 0],
      [['about', '--json'], 0],
      [['mkdir', 'fichier:red/a'], 0],
      [['copyto', join(dir, 'up', 'one.txt'), 'fichier:red/a/one.txt'], 0],
      [['copy', join(dir, 'up'), 'fichier:red/b'], 0],
      [['ls', 'fichier:red'], 0],
      [['lsd', 'fichier:red'], 0],
      [['lsjson', '-R', '--hash', 'fichier:red'], 0],
      [['link', 'fichier:red/a/one.txt'], 0],
      [['link', '-R', 'fichier:red'], 0],
      [['copyto', 'fichier:red/a/one.txt', 'fichier:red/a/copy.txt'], 0],
      [['moveto', 'fichier:red/a/copy.txt', 'fichier:red/moved.txt'], 0],
      [['copy', 'fichier:red/b', join(dir, 'down')], 0],
      [['remote-upload', filesUrl, '--to', 'fichier:red', '--wait'], 0],
      [['remote-upload', 'status'], 0],
      [['delete', 'fichier:red/b'], 0],
      [['rmdir', 'fichier:red/b/sub'], 0],
      [['rmdir', 'fichier:red/missing'], 1],
    ];
    for (const [args, code] of runs) {
      const ran = await cli(args);
      expect({ args, code: ran.code }, ran.out).toEqual({ args, code });
    }
    expect(readFileSync(join(dir, 'down', 'sub', 'two.txt'), 'utf8')).toBe('two two\n');
    const all = seen.map((s) => s.text).join('\n');
    expect(all).toMatch(/DEBUG/);
    for (const s of seen) expect(s.text, s.what).not.toContain(KEY);
  });

  it('a refused key, a key from rclone.conf and a key from a mount.json key file', { timeout: 60_000 }, async () => {
    const refused = await cli(['about'], baseEnv({ FICHIER_API_KEY: WRONG_KEY }));
    expect(refused.code).toBe(1);
    expect(refused.out).not.toContain(WRONG_KEY);

    const conf = join(dir, 'rclone.conf');
    writeFileSync(conf, `[fich]\ntype = fichier\napi_key = ${KEY}\n`, { mode: 0o600 });
    const fromConf = await cli(['about', 'fich:', '--config', conf], baseEnv());
    expect(fromConf.code, fromConf.out).toBe(0);
    const shown = await cli(['config', 'show', 'fich:', '--config', conf], baseEnv());
    expect(shown.out).toMatch(/rclone/);

    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, KEY + '\n', { mode: 0o600 });
    const mountWithKey = join(dir, 'mount-key.json');
    writeFileSync(mountWithKey, JSON.stringify({ cacheDir: join(dir, 'cache'), ...testTimingSettings(5), apiKeyFrom: `file:${keyFile}` }));
    const fromFile = await cli(['ls', 'fichier:', '--mount-config', mountWithKey], baseEnv());
    expect(fromFile.code, fromFile.out).toBe(0);

    for (const s of [refused, fromConf, shown, fromFile]) expect(s.out).not.toContain(KEY);
  });

  it('a running server at -vv: access log, rc answers and the metrics page', { timeout: 60_000 }, async () => {
    const run = spawnCli(['serve', 'webdav', '--addr', '127.0.0.1:0', '--rc', '--rc-addr', '127.0.0.1:0', '-vv'], baseEnv({ FICHIER_API_KEY: KEY }));
    const urls = await new Promise<{ dav: string; rc: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner\n${run.output()}`)), 30_000);
      run.child.stdout!.on('data', () => {
        const dav = /serving webdav on (\S+)/.exec(run.output());
        const rc = /Control port \(rc, metrics\): (\S+)/.exec(run.output());
        if (dav && rc) {
          clearTimeout(timer);
          resolve({ dav: dav[1]!, rc: rc[1]!.replace(/\/?$/, '/') });
        }
      });
      void run.exited.then(() => reject(new Error(`serve exited\n${run.output()}`)));
    });
    const answers: string[] = [];
    const dav = async (method: string, path: string, init: RequestInit = {}): Promise<number> => {
      const res = await fetch(urls.dav + path, { method, ...init });
      answers.push(JSON.stringify([...res.headers]) + (await res.text()));
      return res.status;
    };
    expect(await dav('PROPFIND', '', { headers: { Depth: '1' } })).toBe(207);
    expect(await dav('PUT', 'served.txt', { body: 'served\n' })).toBe(201);
    expect(await dav('GET', 'served.txt')).toBe(200);
    expect(await dav('GET', 'no-such-file')).toBe(404);
    for (const path of ['vfs/stats', 'core/stats', 'vfs/refresh', 'vfs/forget', 'rc/noop', 'core/version']) {
      const res = await fetch(urls.rc + path, { method: 'POST' });
      expect(res.status, path).toBe(200);
      answers.push(await res.text());
    }
    const metrics = await (await fetch(urls.rc + 'metrics')).text();
    expect(metrics).toMatch(/fichierdav_api_calls_total/);
    answers.push(metrics);
    run.child.kill('SIGTERM');
    const ended = await run.exited;
    expect(ended.code).toBe(0);
    expect(ended.out).toMatch(/PROPFIND/);
    expect(ended.out).not.toContain(KEY);
    for (const a of answers) expect(a).not.toContain(KEY);
  });
});
