/**
 * Faults injected through the emulator's controls, seen through the whole stack over WebDAV.
 * Every WebDAV operation either succeeds (after retries) or fails with an honest status; afterwards the
 * listing (PROPFIND after dropping the VFS cache, so it reflects the account) and the bytes match what the
 * client was told.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultStack, type DavAnswer, type FaultStack } from './support/fault-stack.ts';

let st: FaultStack;

beforeEach(async () => {
  st = await startFaultStack();
});

afterEach(async () => {
  await st.stop();
});

const HONEST_FAILURES = [423, 502, 503, 507];

/** Names (decoded, no trailing '/') directly inside folder `dir`, from a Depth: 1 PROPFIND on the account's state. */
async function listing(dir: string): Promise<string[]> {
  st.vfs.forget('');
  const r = await st.dav('PROPFIND', dir === '' ? '' : `${dir}/`, { depth: '1' });
  expect(r.status).toBe(207);
  const hrefs = [...r.body.toString('utf8').matchAll(/<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/g)].map((m) => decodeURIComponent(m[1]!));
  const base = new URL(st.url).pathname + (dir === '' ? '' : `${dir}/`);
  return hrefs
    .filter((h) => h !== base)
    .map((h) => h.slice(base.length).replace(/\/$/, ''))
    .sort();
}

async function put(path: string, data: Buffer): Promise<DavAnswer> {
  return st.dav('PUT', path, { 'content-length': String(data.length) }, data);
}

async function expectContent(path: string, data: Buffer): Promise<void> {
  const r = await st.dav('GET', path);
  expect(r.status).toBe(200);
  expect(r.body.equals(data)).toBe(true);
}

const move = (from: string, to: string) => st.dav('MOVE', from, { destination: `${st.url}${to}`, overwrite: 'F' });

/** Emulator call count per route ("/v1/folder/ls.cgi", "/upload.cgi", "/end.pl", "download"). */
async function calls(): Promise<Record<string, number>> {
  return (await st.stats()).calls;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => Number(v) > 0));
}

/** Asserts an operation that did not succeed failed honestly (503 with Retry-After, or another honest 5xx/423). */
function expectHonestFailure(r: DavAnswer): void {
  expect(HONEST_FAILURES).toContain(r.status);
  if (r.status === 503) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
}

describe('503 bursts and slow calls', () => {
  it('every endpoint of MKCOL/PUT/PROPFIND/GET/MOVE/DELETE answering two 503s in a row: each operation succeeds', async () => {
    const data = randomBytes(50_000);
    const arm = (endpoints: string[]) => st.admin('faults', { failNext: endpoints.map((endpoint) => ({ endpoint, count: 2, status: 503 })) });
    const armed: string[] = [];
    const step = async (endpoints: string[], op: () => Promise<DavAnswer>, expected: number) => {
      armed.push(...endpoints);
      const before = await calls();
      await arm(endpoints);
      const r = await op();
      expect(r.status, `${endpoints.join(',')}`).toBe(expected);
      const left = await st.admin<{ failNext?: unknown[] }>('faults');
      expect(left.failNext ?? [], `bursts left after ${endpoints.join(',')}`).toEqual([]);
      const seen = diff(await calls(), before);
      for (const e of endpoints) {
        const route = e === 'end' ? '/end.pl' : e === 'download' ? 'download' : `/v1/${e}`;
        expect(seen[route] ?? 0, route).toBeGreaterThanOrEqual(3);
      }
      return seen;
    };
    const retriesBefore = st.pacer.stats().retries;
    st.vfs.forget('');
    await step(['folder/ls.cgi'], () => st.dav('PROPFIND', '', { depth: '1' }), 207);
    await step(['folder/mkdir.cgi'], () => st.dav('MKCOL', 'd/'), 201);
    await step(['upload/get_upload_server.cgi', 'end'], () => put('d/a.bin', data), 201);
    await step(['download/get_token.cgi', 'download'], () => st.dav('GET', 'd/a.bin'), 200);
    await step(['file/rename.cgi'], () => move('d/a.bin', 'd/b.bin'), 201);
    await st.dav('MKCOL', 'e/');
    await step(['file/mv.cgi'], () => move('d/b.bin', 'e/b.bin'), 201);
    await step(['folder/mv.cgi'], () => move('e/', 'd/e/'), 201);
    await step(['file/rm.cgi'], () => st.dav('DELETE', 'd/e/b.bin'), 204);
    await step(['folder/rm.cgi'], () => st.dav('DELETE', 'd/e/'), 204);
    // Every burst was retried through the pacer, except the download body's, which the VFS reader re-opens, and
    // folder/mkdir's first 503: a 5xx does not say whether the folder was made, so it is looked for before the
    // call is sent again (a blind retry could make two).
    const viaPacer = armed.filter((e) => e !== 'download').length;
    expect(st.pacer.stats().retries - retriesBefore).toBeGreaterThanOrEqual(2 * viaPacer - 1);
    console.log(`503 bursts: ${armed.length} endpoints, pacer retries ${st.pacer.stats().retries - retriesBefore}`);
    expect(await listing('')).toEqual(['d']);
    expect(await listing('d')).toEqual([]);
  });

  it('a 503 on upload.cgi (never retried: a replayed POST could duplicate) is an honest 503 and stores nothing', async () => {
    await st.admin('faults', { failNext: [{ endpoint: 'upload', count: 1, status: 503 }] });
    const r = await put('u.bin', randomBytes(20_000));
    expectHonestFailure(r);
    console.log(`upload.cgi 503: PUT answered ${r.status} (Retry-After ${String(r.headers['retry-after'])})`);
    expect((await calls())['/upload.cgi']).toBe(1);
    expect(await listing('')).toEqual([]);
    const again = randomBytes(20_000);
    expect((await put('u.bin', again)).status).toBe(201);
    await expectContent('u.bin', again);
  });

  // Real time on purpose: what is tested is that real sockets, undici's timers and our server wait for an
  // answer that really takes 5 s, without a retry or an abort. That the emulator applied the latency is read
  // from its clock, not from the wall clock.
  it('5 s latency on folder/ls and on the upload node: PROPFIND and PUT still succeed', async () => {
    const data = randomBytes(10_000);
    await st.admin('faults', { endpointLatencyMs: { 'folder/ls.cgi': 5000 } });
    st.vfs.forget('');
    st.emuClock.sleeps.length = 0;
    expect((await st.dav('PROPFIND', '', { depth: '1' })).status).toBe(207);
    expect(st.emuClock.sleeps.filter((ms) => ms === 5000)).toHaveLength(1);
    await st.admin('faults/clear', {});
    await st.admin('faults', { endpointLatencyMs: { upload: 5000 } });
    st.emuClock.sleeps.length = 0;
    expect((await put('slow.bin', data)).status).toBe(201);
    expect(st.emuClock.sleeps.filter((ms) => ms === 5000)).toHaveLength(1);
    await st.admin('faults/clear', {});
    expect(await listing('')).toEqual(['slow.bin']);
    await expectContent('slow.bin', data);
  }, 20_000);
});

describe('flood bans in the middle of a workload', () => {
  it.each([374, 412] as const)('#%i: concurrent PUT/GET/PROPFIND/MKCOL/MOVE all succeed after the cooldown', async (code) => {
    const old = randomBytes(30_000);
    expect((await put('old.bin', old)).status).toBe(201);
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(40_000 + i) }));
    const bansBefore = st.pacer.stats().bans;
    st.vfs.forget('');
    const work = Promise.all([
      ...files.map((f) => put(f.name, f.data)),
      st.dav('GET', 'old.bin'),
      st.dav('PROPFIND', '', { depth: '1' }),
      st.dav('MKCOL', 'dir/'),
      move('old.bin', 'moved.bin'),
    ]);
    await st.admin('ban', { ms: 900, code });
    const answers = await work;
    const stats = await st.stats();
    expect(stats.rejected).toBeGreaterThan(0);
    expect(st.pacer.stats().bans - bansBefore).toBeGreaterThanOrEqual(1);
    console.log(`ban #${code}: ${stats.rejected} calls refused, ${st.pacer.stats().bans - bansBefore} pacer cooldown(s)`);
    answers.forEach((r) => {
      if (r.status >= 300) expectHonestFailure(r);
    });
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 200, 207, 201, 201]);
    expect(answers[5]!.body.equals(old)).toBe(true);
    expect(await listing('')).toEqual(['dir', ...files.map((f) => f.name), 'moved.bin'].sort());
    for (const f of files) await expectContent(f.name, f.data);
    await expectContent('moved.bin', old);
  });
});

describe('auth failure', () => {
  it('a revoked key (#247) is 403 at once, never retried', async () => {
    const data = randomBytes(10_000);
    expect((await put('kept.bin', data)).status).toBe(201);
    await st.kill();
    await st.start('ReplacedKey_0000000000000000000000');
    const retriesBefore = st.pacer.stats().retries;
    st.vfs.forget('');
    const perOp: Record<string, number>[] = [];
    const op = async (run: () => Promise<DavAnswer>) => {
      const before = await calls();
      const r = await run();
      perOp.push(diff(await calls(), before));
      return r.status;
    };
    expect(await op(() => st.dav('PROPFIND', '', { depth: '1' }))).toBe(403);
    expect(await op(() => st.dav('GET', 'kept.bin'))).toBe(403);
    expect(await op(() => put('new.bin', randomBytes(10_000)))).toBe(403);
    console.log(`revoked key: emulator calls per operation ${JSON.stringify(perOp)}`);
    // One refused call per operation (its first lookup), nothing retried.
    for (const seen of perOp) expect(Object.values(seen).reduce((a, b) => a + b, 0)).toBe(1);
    expect(st.pacer.stats().retries).toBe(retriesBefore);
    await st.kill();
    await st.start();
    expect(await listing('')).toEqual(['kept.bin']);
    await expectContent('kept.bin', data);
  });
});

describe('connection resets and token expiry', () => {
  it('a download cut mid-stream resumes by Range: the GET is byte-identical', async () => {
    const data = randomBytes(2_000_000);
    expect((await put('big.bin', data)).status).toBe(201);
    const before = (await st.stats()).downloads;
    await st.admin('faults', { resetMidBody: { target: 'download', count: 2, afterBytes: 300_000 } });
    await expectContent('big.bin', data);
    expect((await st.admin<{ resetMidBody?: { count: number } }>('faults')).resetMidBody?.count).toBe(0);
    expect((await st.stats()).downloads - before).toBe(3);
  });

  it('a token that expires mid-stream: the GET is byte-identical', async () => {
    const data = randomBytes(3_000_000);
    expect((await put('exp.bin', data)).status).toBe(201);
    await st.admin('config', { tokenTtlMs: 250 });
    // One open-ended GET outlives its token (served at 4 MB/s); cut after 1.5 MB, the resume needs a new token.
    await st.admin('faults', { bandwidth: { downBytesPerSec: 4_000_000 }, resetMidBody: { target: 'download', count: 1, afterBytes: 1_500_000 } });
    const before = await calls();
    await expectContent('exp.bin', data);
    const seen = diff(await calls(), before);
    expect(seen['/v1/download/get_token.cgi']).toBeGreaterThanOrEqual(2);
    expect(seen['download']).toBeGreaterThanOrEqual(2);
  });

  it('an overwrite cut mid-upload is an honest 5xx; the previous version stays, listed once', async () => {
    const v1 = randomBytes(200_000);
    expect((await put('doc.bin', v1)).status).toBe(201);
    await st.admin('faults', { resetMidBody: { target: 'upload', count: 1, afterBytes: 50_000 } });
    const r = await put('doc.bin', randomBytes(200_000));
    expectHonestFailure(r);
    expect((await calls())['/upload.cgi']).toBe(2);
    console.log(`upload cut mid-body: PUT answered ${r.status} (Retry-After ${String(r.headers['retry-after'])})`);
    await st.admin('faults/clear', {});
    await expectContent('doc.bin', v1);
    expect(await listing('')).toEqual(['doc.bin']);
  });

  it('end.pl answering "please wait" HTML for 4 polls, then JSON: the PUT succeeds', async () => {
    const data = randomBytes(30_000);
    await st.admin('faults', { endPlHtml: { count: 4 } });
    const before = await calls();
    expect((await put('wait.bin', data)).status).toBe(201);
    expect(diff(await calls(), before)['/end.pl']).toBe(5);
    expect(await listing('')).toEqual(['wait.bin']);
    await expectContent('wait.bin', data);
  });
});

describe('emulator killed and restarted mid-workload', () => {
  it('operations in flight or sent while it is down succeed after retries or fail honestly; the listing matches', async () => {
    const olds = Array.from({ length: 4 }, (_, i) => ({ name: `m${i}.bin`, data: randomBytes(20_000 + i) }));
    for (const o of olds) expect((await put(o.name, o.data)).status).toBe(201);
    const read = randomBytes(1_000_000);
    expect((await put('read.bin', read)).status).toBe(201);
    const news = Array.from({ length: 3 }, (_, i) => ({ name: `n${i}.bin`, data: randomBytes(300_000 + i) }));
    // Slow enough that the kill lands mid-upload, mid-download and mid-rename.
    await st.admin('faults', { bandwidth: { upBytesPerSec: 1_000_000, downBytesPerSec: 2_000_000 }, endpointLatencyMs: { 'file/rename.cgi': 400 } });
    st.vfs.forget('');
    const retriesBefore = st.pacer.stats().retries;
    const inFlight = Promise.all([
      Promise.all(news.map((n) => put(n.name, n.data))),
      move('m0.bin', 'moved0.bin'),
      st.dav('GET', 'read.bin'),
    ]);
    await new Promise((r) => setTimeout(r, 150));
    await st.kill();
    const whileDown = Promise.all([
      Promise.all(olds.slice(1).map((o, i) => move(o.name, `moved${i + 1}.bin`))),
      st.dav('MKCOL', 'newdir/'),
      put('late.bin', Buffer.from('late')),
    ]);
    await new Promise((r) => setTimeout(r, 400));
    await st.start();
    const [[puts, move0, get], [movesLater, mkcol, late]] = await Promise.all([inFlight, whileDown]);
    const moves = [move0, ...movesLater];
    const all = [...puts, ...moves, get, mkcol, late];
    for (const r of all) if (r.status >= 300) expectHonestFailure(r);
    if (get.status === 200) expect(get.body.equals(read)).toBe(true);

    const names = await listing('');
    const written = [...news, { name: 'late.bin', data: Buffer.from('late') }];
    const putAnswers = [...puts, late];
    for (const [i, n] of written.entries()) {
      if (putAnswers[i]!.status === 201) expect(names).toContain(n.name);
      if (names.includes(n.name)) await expectContent(n.name, n.data);
    }
    for (const [i, o] of olds.entries()) {
      const at = [o.name, `moved${i}.bin`].filter((x) => names.includes(x));
      expect(at, `move of ${o.name} answered ${moves[i]!.status}`).toHaveLength(1);
      if (moves[i]!.status === 201) expect(at).toEqual([`moved${i}.bin`]);
      await expectContent(at[0]!, o.data);
    }
    if (mkcol.status === 201) expect(names).toContain('newdir');
    expect(names.filter((n) => !/^(n\d\.bin|m\d\.bin|moved\d\.bin|read\.bin|late\.bin|newdir)$/.test(n))).toEqual([]);
    const retries = st.pacer.stats().retries - retriesBefore;
    expect(retries).toBeGreaterThan(0);
    console.log(`restart mid-workload: statuses ${JSON.stringify(all.map((r) => r.status))}, pacer retries ${retries}`);
  }, 30_000);
});
