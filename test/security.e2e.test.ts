/**
 * Security over the full stack (emulator -> client -> VFS -> WebDAV server, users configured, base URL /dav):
 * - every method without, with wrong and with malformed credentials is 401 with a Basic challenge (OPTIONS
 *   excepted, as documented in src/webdav/server.ts), and costs no API call and changes nothing;
 * - nothing outside the served root is reachable: targets outside /dav, `..`, `%2e%2e` and encoded slashes;
 * - a Destination on another server is 502, outside the base URL 403, and nothing moves;
 * - repeated failures from one address are slowed down (delays read on the server's injected clock); the right
 *   password still gets in afterwards;
 * - the API key is in no log line (client, VFS, server at trace), response, error page, metrics page or report
 *   of an internal error;
 * - a config file holding the key that other users can read is warned about by the CLI.
 *
 * Failed logins come from distinct loopback source addresses (127.0.0.x) so the per-address throttle only
 * engages where it is measured.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, cliEnv } from './support/cli.ts';
import { testTimingSettings } from './support/timings.ts';
import { createMetrics, type Metrics } from '../src/observe/metrics.ts';
import { FakeClock } from '../src/util/clock.ts';
import { createLogger } from '../src/util/log.ts';
import type { Handler } from '../src/webdav/context.ts';
import { startDavStack, type DavStack } from './support/stack.ts';
import type { EmulatorStats } from './support/emulator.ts';
import { rawExchange, statusOf } from './support/raw-http.ts';

const logLines: string[] = [];
const answers: string[] = [];
const agents = new Map<string, Agent>();
let stack: DavStack;
/** The WebDAV server's clock: login delays wait on it, so the tests read them without waiting. */
const serverClock = new FakeClock();
let metrics: Metrics;
let origin: string;
let port: number;
let nextAddr = 10;

/** An agent whose connections come from `addr` (any 127.0.0.0/8 address works on loopback). */
function agentFrom(addr: string): Agent {
  let a = agents.get(addr);
  if (!a) {
    a = new Agent({ localAddress: addr });
    agents.set(addr, a);
  }
  return a;
}

/** A loopback source address no other request of this file used. */
const freshAddr = () => `127.0.0.${nextAddr++}`;

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends a request to `path` (absolute, e.g. '/dav/x'), records headers and body for the key grep. */
async function send(method: string, path: string, opts: { headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Answer> {
  const res = await request(origin + path, {
    method: method as 'GET',
    headers: opts.headers ?? {},
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    dispatcher: agentFrom(opts.from ?? '127.0.0.1'),
  });
  const text = await res.body.text();
  answers.push(`${method} ${path} ${res.statusCode} ${JSON.stringify(res.headers)}\n${text}`);
  return { status: res.statusCode, headers: res.headers, text };
}

const auth = () => ({ authorization: basic(stack.user, stack.pass) });

/** Sends raw bytes (so `..` and odd targets reach the server as written); resolves with the status code. */
async function raw(head: string): Promise<number> {
  const answer = await rawExchange(port, head);
  answers.push(answer);
  return statusOf(answer);
}

/** The account as 1fichier holds it: every path (folders end in '/') with its size, from a listing over the VFS. */
async function account(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await stack.vfs.readdir(dir)) {
      const p = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.kind === 'dir') {
        out.push(p + '/');
        await walk(p);
      } else out.push(`${p} ${e.size}`);
    }
  };
  await walk('');
  return out.sort();
}

/** API calls made so far, by endpoint (admin calls are not counted by the emulator). */
const calls = async (): Promise<EmulatorStats['calls']> => (await stack.emu.stats()).calls;

/** A handler that fails the way a bug would: an error whose message, stack and cause carry the API key. */
const crashing: Handler = () => {
  const key = stack.emu.key;
  return Promise.reject(new TypeError(`cannot read property of undefined (key=${key})`, { cause: new Error(`upstream ${key}`) }));
};

beforeAll(async () => {
  const logger = createLogger({ level: 'trace', format: 'json', destination: { write: (l: string) => logLines.push(l) } });
  metrics = createMetrics({ defaultMetrics: false });
  stack = await startDavStack({ logger, metrics, server: { baseUrl: '/dav', handlers: { SEARCH: crashing }, clock: serverClock } });
  const u = new URL(stack.url);
  origin = u.origin;
  port = Number(u.port);
  expect(u.pathname).toBe('/dav/');
  expect((await send('MKCOL', '/dav/keep/', { headers: auth() })).status).toBe(201);
  expect((await send('PUT', '/dav/keep/f.txt', { headers: auth(), body: 'precious\n' })).status).toBe(201);
}, 30_000);

afterAll(async () => {
  for (const a of agents.values()) await a.close();
  await stack?.stop();
});

const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PATCH', 'REPORT'];

/** A request of `method` on an existing file that would change the account if it were authorised. */
function harmful(method: string): { path: string; headers: Record<string, string>; body?: string } {
  const dest = { destination: `${origin}/dav/stolen.txt`, overwrite: 'T' };
  switch (method) {
    case 'PUT':
      return { path: '/dav/keep/f.txt', headers: {}, body: 'overwritten' };
    case 'MKCOL':
      return { path: '/dav/newdir/', headers: {} };
    case 'COPY':
    case 'MOVE':
      return { path: '/dav/keep/f.txt', headers: dest };
    case 'PROPPATCH':
      return {
        path: '/dav/keep/f.txt',
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>',
      };
    case 'LOCK':
      return {
        path: '/dav/keep/f.txt',
        headers: { 'content-type': 'application/xml', timeout: 'Second-60' },
        body: '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
      };
    case 'UNLOCK':
      return { path: '/dav/keep/f.txt', headers: { 'lock-token': '<urn:uuid:00000000-0000-0000-0000-000000000000>' } };
    case 'PROPFIND':
      return { path: '/dav/keep/', headers: { depth: 'infinity' } };
    default:
      return { path: '/dav/keep/f.txt', headers: {} };
  }
}

describe('authentication on every method', () => {
  it('is 401 with a Basic challenge without, with wrong and with malformed credentials, and changes nothing', { timeout: 30_000 }, async () => {
    const before = await account();
    const callsBefore = await calls();
    const variants: [string, Record<string, string>][] = [
      ['none', {}],
      ['wrong password', { authorization: basic(stack.user, 'not the password') }],
      ['unknown user', { authorization: basic('mallory', stack.pass) }],
      ['API key as password', { authorization: basic(stack.user, stack.emu.key) }],
      ['not base64', { authorization: 'Basic ***' }],
      ['no colon', { authorization: `Basic ${Buffer.from('davuser').toString('base64')}` }],
      ['other scheme', { authorization: 'Bearer abc.def' }],
      ['empty', { authorization: '' }],
    ];
    const seen: string[] = [];
    for (const method of METHODS) {
      for (const [name, headers] of variants) {
        const h = harmful(method);
        const r = await send(method, h.path, { headers: { ...h.headers, ...headers }, ...(h.body !== undefined ? { body: h.body } : {}), from: freshAddr() });
        seen.push(`${method} ${name} ${r.status} ${String(r.headers['www-authenticate'])}`);
        expect({ method, name, status: r.status }).toEqual({ method, name, status: 401 });
        expect(String(r.headers['www-authenticate'])).toMatch(/^Basic realm="[^"]*"/);
        if (method !== 'HEAD') expect(r.text).not.toContain('precious');
      }
    }
    expect(seen).toHaveLength(METHODS.length * variants.length);
    expect(await calls()).toEqual(callsBefore);
    expect(await account()).toEqual(before);
    expect((await send('GET', '/dav/keep/f.txt', { headers: auth() })).text).toBe('precious\n');
  });

  it('answers OPTIONS without credentials (documented), revealing no path and making no API call', async () => {
    const callsBefore = await calls();
    const existing = await send('OPTIONS', '/dav/keep/f.txt', { from: freshAddr() });
    const missing = await send('OPTIONS', '/dav/nothing-here', { from: freshAddr() });
    const wrong = await send('OPTIONS', '/dav/keep/f.txt', { headers: { authorization: basic('x', 'y') }, from: freshAddr() });
    for (const r of [existing, missing, wrong]) {
      expect(r.status).toBe(200);
      expect(r.headers['www-authenticate']).toBeUndefined();
      expect(r.text).toBe('');
    }
    expect(existing.headers.allow).toBe(missing.headers.allow);
    expect(await calls()).toEqual(callsBefore);
  });
});

describe('nothing outside the served root', () => {
  it('refuses targets outside /dav, dot segments, %2e%2e and encoded slashes, with or without credentials', { timeout: 20_000 }, async () => {
    const before = await account();
    const refused = ['/', '/other', '/other/keep/f.txt', '/dav/../keep/f.txt', '/dav/%2e%2e/dav/keep/f.txt', '/dav/%2E%2E/x', '/dav/keep/..',
      '/dav/keep/%2e%2e/keep/f.txt', '/dav%2fkeep/f.txt', '/dav/keep%2ff.txt', '/dav/keep/%2f..%2f..%2fetc%2fpasswd', '/dav/.', '/./dav/keep/f.txt',
      '/%2e%2e/dav/keep/f.txt', '/dav/keep/f.txt%00.jpg', '/dav/%c0%ae%c0%ae/x', '/dav/..%5c..%5cx', '/davkeep/f.txt'];
    const statuses: string[] = [];
    for (const target of refused) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        for (const cred of [true, false]) {
          const status = await raw(
            `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${cred ? `Authorization: ${auth().authorization}\r\n` : ''}Content-Length: 1\r\nConnection: close\r\n\r\nx`,
          );
          statuses.push(`${method} ${target} ${cred} ${status}`);
          expect({ method, target, cred, ok: [400, 401, 403, 404].includes(status) }).toEqual({ method, target, cred, ok: true });
          if (cred) expect({ method, target, status }).not.toEqual({ method, target, status: 401 });
        }
      }
    }
    // webdav-server reads `%5c` as a separator and refuses `..` above its root with 403 before our code runs.
    expect(statuses).toContain('GET /dav/..%5c..%5cx true 403');
    expect(statuses.filter((s) => s.endsWith(' 404')).length).toBeGreaterThanOrEqual(18);
    expect(await account()).toEqual(before);
  });

  it('resolves an absolute-form target and repeated slashes inside the base', async () => {
    const host = new URL(origin).host;
    expect(await raw(`GET http://${host}/dav/keep/f.txt HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${auth().authorization}\r\nConnection: close\r\n\r\n`)).toBe(200);
    expect(await raw(`GET http://${host}/keep/f.txt HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${auth().authorization}\r\nConnection: close\r\n\r\n`)).toBe(404);
    // A host name that is not the server's is refused (DNS rebinding), in the target as in the Host header.
    expect(await raw(`GET http://elsewhere.example/dav/keep/f.txt HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${auth().authorization}\r\nConnection: close\r\n\r\n`)).toBe(421);
    expect(await raw(`GET /dav/keep/f.txt HTTP/1.1\r\nHost: elsewhere.example\r\nAuthorization: ${auth().authorization}\r\nConnection: close\r\n\r\n`)).toBe(421);
    expect((await send('GET', '//dav//keep//f.txt', { headers: auth() })).text).toBe('precious\n');
  });
});

describe('Destination', () => {
  it('on another server is 502, outside the base URL 403, malformed 400, and nothing moves', { timeout: 20_000 }, async () => {
    const before = await account();
    const cases: [string, number][] = [
      ['http://elsewhere.example/dav/g.txt', 502],
      [`http://127.0.0.1:${port === 65535 ? 1 : port + 1}/dav/g.txt`, 502],
      [`http://localhost:${port}/dav/g.txt`, 502],
      [`http://user@elsewhere.example:${port}/dav/g.txt`, 502],
      [`${origin}/other/g.txt`, 403],
      [`${origin}/g.txt`, 403],
      ['/other/g.txt', 403],
      ['/', 403],
      [`${origin}/dav/../g.txt`, 400],
      [`${origin}/dav/%2e%2e/g.txt`, 400],
      [`${origin}/dav%2fg.txt`, 400],
      ['/dav/keep/g.txt#frag', 400],
      ['g.txt', 400],
      ['//elsewhere.example/dav/g.txt', 403],
    ];
    for (const method of ['MOVE', 'COPY']) {
      for (const [destination, status] of cases) {
        const r = await send(method, '/dav/keep/f.txt', { headers: { ...auth(), destination, overwrite: 'T' } });
        expect({ method, destination, status: r.status }).toEqual({ method, destination, status });
      }
    }
    expect(await account()).toEqual(before);
  });

  it('compares host and port, not the scheme (a TLS proxy in front): https on this host:port stays inside /dav', async () => {
    const moved = await send('MOVE', '/dav/keep/f.txt', { headers: { ...auth(), destination: `https://127.0.0.1:${port}/dav/keep/g.txt` } });
    expect(moved.status).toBe(201);
    expect((await send('GET', '/dav/keep/g.txt', { headers: auth() })).text).toBe('precious\n');
    expect((await send('MOVE', '/dav/keep/g.txt', { headers: { ...auth(), destination: `${origin}/dav/keep/f.txt` } })).status).toBe(201);
    expect(await account()).toContain('keep/f.txt 9');
  });
});

describe('failure throttle', () => {
  const attempt = (pass: string, from: string) => send('PROPFIND', '/dav/', { headers: { authorization: basic(stack.user, pass), depth: '0' }, from });

  /** Starts `request`, checks the server parks it for exactly `ms` of its clock, then lets it through. */
  async function delayedBy<T>(ms: number, request: Promise<T>): Promise<T> {
    await vi.waitFor(() => expect(serverClock.pending).toBe(1));
    await serverClock.advance(ms - 1);
    expect(serverClock.pending).toBe(1);
    await serverClock.advance(1);
    return request;
  }

  it('slows an address down after repeated failures, not its neighbours, and lets the right password in', async () => {
    const attacker = freshAddr();
    // An attempt answered while the server's clock stands still was not delayed.
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`, attacker)).status).toBe(401);
    expect((await delayedBy(1000, attempt('guess-5', attacker))).status).toBe(401);
    expect((await attempt(stack.pass, freshAddr())).status).toBe(207);
    expect((await delayedBy(2000, attempt(stack.pass, attacker))).status).toBe(207);
    expect((await attempt(stack.pass, attacker)).status).toBe(207);
    expect(serverClock.pending).toBe(0);
  });

  it('lets one delayed attempt per address through at a time: parallel guesses get 429 with Retry-After at once', async () => {
    const attacker = freshAddr();
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`, attacker)).status).toBe(401);
    const burst = Array.from({ length: 20 }, (_, i) => attempt(i === 19 ? stack.pass : `parallel-${i}`, attacker));
    const settled: Answer[] = [];
    for (const p of burst) void p.then((a) => settled.push(a));
    // While one attempt waits on the clock, the 19 others are answered without it moving.
    await vi.waitFor(() => expect(settled).toHaveLength(19));
    expect(settled.every((b) => b.status === 429 && Number(b.headers['retry-after']) >= 1)).toBe(true);
    await delayedBy(1000, Promise.all(burst));
    const checked = (await Promise.all(burst)).filter((b) => b.status !== 429);
    expect(checked).toHaveLength(1);
  });
});

describe('the API key never leaves the process', () => {
  it('an internal error is a bare 500; its log line is redacted', async () => {
    const r = await send('SEARCH', '/dav/keep/f.txt', { headers: auth() });
    expect(r.status).toBe(500);
    expect(r.text).toBe('500 internal error\n');
    await new Promise((res) => setTimeout(res, 50));
    const errors = logLines.filter((l) => /"level":(50|"error")/.test(l) && l.includes('request failed'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('[redacted]');
  });

  it('is in no log line, response or metrics page of this file', async () => {
    const page = await metrics.text();
    expect(page).toMatch(/fichierdav_api_calls_total/);
    expect(page).toMatch(/fichierdav_webdav_requests_total/);
    await new Promise((res) => setTimeout(res, 50));
    expect(logLines.length).toBeGreaterThan(100);
    expect(logLines.some((l) => /"level":(10|"trace")/.test(l))).toBe(true);
    expect(answers.length).toBeGreaterThan(200);
    const key = stack.emu.key;
    expect(key.length).toBeGreaterThan(20);
    for (const l of logLines) expect(l).not.toContain(key);
    for (const a of answers) expect(a).not.toContain(key);
    expect(page).not.toContain(key);
  });
});

describe('a config file holding the key that others can read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-sec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is warned about by name at 0644, and not at 0600: rclone.conf and a mount.json apiKeyFrom file', { timeout: 30_000 }, async () => {
    const env = cliEnv(stack.emu.apiBase, stack.emu.key, { dir });
    delete env.FICHIER_API_KEY;
    const conf = join(dir, 'rclone.conf');
    writeFileSync(conf, `[fich]\ntype = fichier\napi_key = ${stack.emu.key}\n`, { mode: 0o600 });
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, stack.emu.key + '\n', { mode: 0o600 });
    const mount = join(dir, 'mount-key.json');
    writeFileSync(mount, JSON.stringify({ cacheDir: join(dir, 'cache'), ...testTimingSettings(5), apiKeyFrom: `file:${keyFile}` }));
    const viaConf = () => runCli(['lsd', 'fich:', '--config', conf], { env, cwd: dir });
    const viaMount = () => runCli(['lsd', 'fichier:', '--mount-config', mount], { env, cwd: dir });

    for (const [run, file] of [[viaConf, conf], [viaMount, keyFile]] as const) {
      chmodSync(file, 0o600);
      const quiet = await run();
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stdout).toContain('keep');
      expect(quiet.stderr).not.toMatch(/warning/i);
      chmodSync(file, 0o644);
      const warned = await run();
      expect(warned.code, warned.stderr).toBe(0);
      const lines = warned.stderr.split('\n').filter((l) => /warning/i.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toContain('0644');
      expect(lines[0]).toContain('chmod 600');
      for (const out of [quiet.stdout, quiet.stderr, warned.stdout, warned.stderr]) expect(out).not.toContain(stack.emu.key);
    }
  });
});
