/**
 * The gateway under the real service's rules (the emulator's realistic profile at the test time scale, the
 * gateway's timings scaled the same way), through WebDAV, counted at the emulator:
 * - a folder of 12,000 files (more than one listing answers) is shown whole, within the rules;
 * - a restart during a ban sends nothing before the ban ends (the ban is kept in the metadata store);
 * - a client reads its own writes although the service lists changes late, across a forced refresh;
 * - an upload whose answer is lost (reset after the body was stored, end.pl without links) stores exactly one
 *   file with the right bytes, and the client is told it succeeded.
 * Every test ends with no ban and no call refused by a rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Stack } from '../src/app/stack.ts';
import { gatewayTimings } from '../src/app/timings.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, TEST_TIME_SCALE, type TestEmulator } from './support/emulator.ts';
import { stackOver, type TestStackOptions } from './support/stack.ts';

const T = gatewayTimings(TEST_TIME_SCALE);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emu: TestEmulator | undefined;
let dir: string | undefined;
const stacks: Stack[] = [];

afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
  await emu?.stop();
  emu = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An emulator (realistic, test time scale, `config` over it) and a served stack on a store file; `open()` opens another stack on the same file (a restart). */
async function setup(config: Record<string, unknown> = {}, opts: TestStackOptions = {}) {
  emu = await startEmulator(Object.keys(config).length > 0 ? { config } : {});
  dir = mkdtempSync(join(tmpdir(), 'fdav-rules-'));
  const file = join(dir, 'meta.sqlite');
  const e = emu;
  const open = async (over: TestStackOptions = {}) => {
    const stack = await stackOver(e, { ...opts, ...over, store: { file }, server: { users: [] } });
    stacks.push(stack);
    const { url } = await stack.server!.listen('127.0.0.1', 0);
    const dav = async (method: string, p: string, headers: Record<string, string> = {}, body?: string | Buffer) => {
      const res = await request(`${url}${p.replace(/^\//, '')}`, { method: method as 'GET', headers, body });
      return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
    };
    return { stack, dav, url };
  };
  return { emu: e, open, ...(await open()) };
}

/** The hrefs of a PROPFIND Depth 1 answer, below the folder itself. */
function hrefs(xml: Buffer): string[] {
  return [...xml.toString('utf8').matchAll(/<D:href>([^<]*)<\/D:href>/gi)].map((m) => decodeURIComponent(m[1]!));
}

async function expectNoRuleBroken(e: TestEmulator): Promise<void> {
  const st = await e.stats();
  expect(st.bans).toBe(0);
  expect(st.refusedByRule).toEqual({});
}

describe('the gateway under the realistic rules', () => {
  it('shows all 12,000 files of a folder in one PROPFIND Depth 1, within the rules', async () => {
    const { emu: e, dav, stack } = await setup();
    expect((await dav('MKCOL', '/big/')).status).toBe(201);
    const folderId = Number((await stack.remote.stat('big')).id);
    await e.admin('seed/files', { folderId, count: 12_000 });
    stack.vfs.forget('big');
    const res = await dav('PROPFIND', '/big/', { Depth: '1' });
    expect(res.status).toBe(207);
    const names = new Set(hrefs(res.body).filter((h) => /seed-\d+\.txt$/.test(h)));
    expect(names.size).toBe(12_000);
    await expectNoRuleBroken(e);
  });

  it('a restart during a ban sends no call before the ban ends, and none is refused after it', async () => {
    const { emu: e, open, dav, stack } = await setup();
    expect((await dav('MKCOL', '/d/')).status).toBe(201);
    await e.admin('ban', { ms: 1000 });
    // The next call meets the ban: the gateway records it (its own cooldown, at least the server's).
    stack.vfs.forget('');
    const banned = dav('PROPFIND', '/d/', { Depth: '1' }).catch(() => undefined);
    await expect.poll(() => stack.pacer.stats().bans, { timeout: 5000 }).toBe(1);
    const until = stack.pacer.stats().cooldownUntil!;
    expect(until).toBeGreaterThan(Date.now());
    await stack.close();
    await banned;
    const restartedAt = Date.now();
    const again = await open();
    expect((await again.dav('PROPFIND', '/', { Depth: '1' })).status).toBe(207);
    const calls = await e.calls(restartedAt);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.t < until)).toEqual([]);
    expect(calls.filter((c) => c.rule !== undefined)).toEqual([]);
  });

  it('writes get 503 with Retry-After during a ban, cached listings still answer', async () => {
    const { emu: e, dav, stack } = await setup({}, { pacer: { banPolicy: 'fail' } });
    expect((await dav('MKCOL', '/d/')).status).toBe(201);
    expect((await dav('PROPFIND', '/d/', { Depth: '1' })).status).toBe(207);
    await e.admin('ban', { ms: 1000 });
    const first = await dav('MKCOL', '/d/x/');
    expect(first.status).toBe(503);
    const put = await dav('PUT', '/d/f.bin', {}, testBytes(100));
    expect(put.status).toBe(503);
    expect(Number(put.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(stack.pacer.stats().cooldownUntil).toBeDefined();
    const before = (await e.stats()).total;
    expect((await dav('PROPFIND', '/d/', { Depth: '1' })).status).toBe(207);
    expect((await e.stats()).total).toBe(before);
  });

  it('reads its own writes while the service lists changes late, across a forced refresh', async () => {
    // The service shows a new file 2 s late and keeps a deleted one 2 s: longer than the whole test step.
    const { emu: e, dav, stack, url } = await setup({ newFileListDelayMs: 2000, deletedFileListDelayMs: 2000 }, { vfs: { consistencyGraceMs: 10_000 } });
    expect((await dav('MKCOL', '/a/')).status).toBe(201);
    expect((await dav('MKCOL', '/b/')).status).toBe(201);
    expect((await dav('PUT', '/a/old.bin', {}, testBytes(10, 1))).status).toBe(201);
    await sleep(2100);
    const wroteAt = Date.now();
    expect((await dav('PUT', '/a/new.bin', {}, testBytes(10, 2))).status).toBe(201);
    expect((await dav('DELETE', '/a/old.bin')).status).toBe(204);
    expect((await dav('PUT', '/a/moving.bin', {}, testBytes(10, 3))).status).toBe(201);
    expect((await dav('MOVE', '/a/moving.bin', { Destination: `${url}b/moved.bin` })).status).toBe(201);
    const names = async (p: string) => hrefs((await dav('PROPFIND', p, { Depth: '1' })).body).map((h) => h.split('/').filter(Boolean).pop());
    expect(await names('/a/')).toEqual(expect.arrayContaining(['new.bin']));
    expect(await names('/a/')).not.toContain('old.bin');
    // A forced refresh once the folder may be listed again: the service's answer is stale, ours wins.
    await sleep(T.listFolderIntervalMs + 50);
    await stack.vfs.refresh('a');
    await stack.vfs.refresh('b');
    expect(Date.now() - wroteAt).toBeLessThan(2000);
    const a = await names('/a/');
    const b = await names('/b/');
    expect(a).toContain('new.bin');
    expect(a).not.toContain('old.bin');
    expect(a).not.toContain('moving.bin');
    expect(b).toContain('moved.bin');
    await expectNoRuleBroken(e);
  });

  for (const [label, faults] of [
    ['the connection is reset after the body was stored', { resetAfterUpload: { count: 1 } }],
    ['end.pl keeps answering without links', { endPlNoLinks: { count: 1000 } }],
  ] as const) {
    it(`an upload whose answer is lost (${label}) stores exactly one file with the right bytes`, async () => {
      const { emu: e, dav, stack } = await setup();
      expect((await dav('MKCOL', '/up/')).status).toBe(201);
      expect((await dav('PROPFIND', '/up/', { Depth: '1' })).status).toBe(207);
      await e.admin('faults', faults);
      const data = testBytes(70_000, 7);
      expect((await dav('PUT', '/up/file.bin', {}, data)).status).toBe(201);
      await e.admin('faults/clear', {});
      const got = await dav('GET', '/up/file.bin');
      expect(got.status).toBe(200);
      expect(got.body.equals(data)).toBe(true);
      // What the service holds, by the remote's own listing (through the budget, no read-your-writes over it).
      const listed = await stack.remote.list('up');
      expect(listed.filter((f) => f.name === 'file.bin')).toHaveLength(1);
      await expectNoRuleBroken(e);
    });
  }
});
