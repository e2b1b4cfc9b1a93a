/**
 * Load: 32 concurrent WebDAV clients run a mixed workload (PROPFIND listings, Depth 0 stats,
 * Range GETs, small PUTs, MOVE renames, DELETEs) against the full stack over an emulator whose flood limit is
 * ON, for ~30 s (SOAK=1: 10 minutes). Each client owns a folder and its own files in a shared folder, so
 * everything it owns is predictable: it keeps a model of what the account holds, updated only on 2xx answers.
 *
 * Asserted: 0 errors (every answer is the expected 2xx; the only tolerated non-2xx is 404 on a Range GET of
 * ANOTHER client's shared file, which that client may have moved or deleted since the listing), 0 bans,
 * never more than `rps` API calls in any 1 s window at the emulator, heap flat after warm-up, and a final
 * state that a fresh store (no cache) lists exactly as the clients' models say: names, sizes and Whirlpool
 * digests of every file, bytes of a sample.
 */
import { seededRandom } from '../src/util/random.ts';
import { createHash, randomBytes } from 'node:crypto';
import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whirlpoolHex } from '../src/util/whirlpool.ts';
import { busiestSecond, type CallRecord } from './support/emulator.ts';
import { startLoadStack, type LoadStack } from './support/load-stack.ts';

const SOAK = process.env.SOAK === '1';
const CLIENTS = 32;
const RPS = 20;
const DURATION_MS = SOAK ? 600_000 : 30_000;
const WARMUP_MS = SOAK ? 60_000 : 5_000;
/** Files a client keeps at most per folder (bytes stay in memory for Range checks). */
const MAX_FILES = 8;
const HEAP_BOUND = 50 * 1024 * 1024;
/** RSS also counts buffers, the allocator's slack and code: a looser bound. */
const RSS_BOUND = 100 * 1024 * 1024;
const SHARED = 'shared';

type Op = 'list' | 'stat' | 'get' | 'put' | 'move' | 'delete';

interface ModelFile {
  bytes: Buffer;
  sha256: string;
}

interface Failure {
  client: number;
  op: Op;
  path: string;
  status: number;
  detail: string;
}

interface Figures {
  count: Record<Op, number>;
  latency: Record<Op, number[]>;
  tolerated404: number;
  failures: Failure[];
}


let stack: LoadStack;

beforeAll(async () => {
  stack = await startLoadStack({ rps: RPS });
});
afterAll(async () => {
  await stack?.stop();
});

/** A deterministic PRNG so a failing run can be replayed with its seed. */
const prng = seededRandom;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** href (decoded, relative to the server root, no trailing '/') -> getcontentlength, from a multistatus body. */
function parseMultistatus(xml: string, base: string): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const m of xml.matchAll(/<(?:[\w-]+:)?response\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?response>/g)) {
    const body = m[1]!;
    const href = /<(?:[\w-]+:)?href>([^<]*)</.exec(body)?.[1];
    if (href === undefined) continue;
    const path = decodeURIComponent(new URL(href, base).pathname).replace(/^\/+|\/+$/g, '');
    const len = /<(?:[\w-]+:)?getcontentlength>(\d+)</.exec(body)?.[1];
    out.set(path, len === undefined ? undefined : Number(len));
  }
  return out;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** One WebDAV client with its own connection, its folder, its share of the shared folder, and its model. */
class LoadClient {
  readonly own = new Map<string, ModelFile>();
  readonly shared = new Map<string, ModelFile>();
  /** Other clients' shared files seen in the last shared listing. */
  private others: string[] = [];
  private seq = 0;
  private readonly http: Client;
  private readonly rnd: () => number;
  private readonly basePath: string;

  constructor(
    readonly id: number,
    private readonly figures: Figures,
    seed: number,
  ) {
    this.http = new Client(new URL(stack.url).origin, { headersTimeout: 60_000, bodyTimeout: 60_000 });
    this.rnd = prng(seed + id);
    this.basePath = new URL(stack.url).pathname;
  }

  get folder(): string {
    return `c${this.id}`;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  async mkcol(): Promise<void> {
    const r = await this.send('MKCOL', this.folder);
    if (r.status !== 201) throw new Error(`MKCOL ${this.folder}: ${r.status}`);
  }

  async run(deadline: number): Promise<void> {
    while (Date.now() < deadline) await this.step();
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(this.rnd() * xs.length)];
  }

  private url(path: string): string {
    return `${this.basePath}${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  private async send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
    const res = await this.http.request({
      path: this.url(path),
      method: method as 'GET',
      headers: { authorization: stack.auth, ...headers },
      body,
    });
    const buf = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, body: buf, headers: res.headers };
  }

  /** Runs `fn` as one operation of type `op`: timed, counted, and its failure recorded. */
  private async op(op: Op, path: string, fn: () => Promise<{ status: number; ok: boolean; tolerated?: boolean; detail?: string }>): Promise<void> {
    const t0 = performance.now();
    let status = 0;
    let ok = false;
    let detail = '';
    try {
      const r = await fn();
      status = r.status;
      ok = r.ok;
      detail = r.detail ?? '';
      if (r.tolerated) {
        this.figures.tolerated404++;
        ok = true;
      }
    } catch (err) {
      detail = String(err);
    }
    this.figures.count[op]++;
    this.figures.latency[op].push(performance.now() - t0);
    if (!ok) this.figures.failures.push({ client: this.id, op, path, status, detail });
  }

  private folderOf(inShared: boolean): { dir: string; model: Map<string, ModelFile> } {
    return inShared ? { dir: SHARED, model: this.shared } : { dir: this.folder, model: this.own };
  }

  private newName(): string {
    return `c${this.id}-${this.seq++}.bin`;
  }

  private async step(): Promise<void> {
    const r = this.rnd();
    const inShared = this.rnd() < 0.3;
    const { dir, model } = this.folderOf(inShared);
    const names = [...model.keys()];
    if (r < 0.18) return this.list(dir, model);
    if (r < 0.32) return names.length ? this.stat(dir, model, this.pick(names)!) : this.list(dir, model);
    if (r < 0.52) {
      if (inShared && this.others.length && this.rnd() < 0.5) return this.getOther(this.pick(this.others)!);
      return names.length ? this.get(dir, model, this.pick(names)!) : this.put(dir, model);
    }
    if (r < 0.74 || names.length === 0) return this.put(dir, model);
    if (r < 0.88) return this.move(dir, model, this.pick(names)!);
    return this.remove(dir, model, this.pick(names)!);
  }

  private list(dir: string, model: Map<string, ModelFile>): Promise<void> {
    return this.op('list', dir, async () => {
      const r = await this.send('PROPFIND', `${dir}/`, { depth: '1' });
      if (r.status !== 207) return { status: r.status, ok: false };
      const entries = parseMultistatus(r.body.toString('utf8'), stack.url);
      entries.delete(dir);
      const mine = [...entries].filter(([p]) => p.startsWith(`${dir}/c${this.id}-`) || dir !== SHARED);
      if (dir === SHARED) this.others = [...entries.keys()].filter((p) => !p.startsWith(`${dir}/c${this.id}-`)).map((p) => p.slice(dir.length + 1));
      const seen = mine.map(([p, len]) => `${p.slice(dir.length + 1)}:${len}`).sort();
      const want = [...model].map(([n, f]) => `${n}:${f.bytes.length}`).sort();
      const same = seen.length === want.length && seen.every((s, i) => s === want[i]);
      return { status: r.status, ok: same, detail: same ? '' : `listed ${seen.join(',')} model ${want.join(',')}` };
    });
  }

  private stat(dir: string, model: Map<string, ModelFile>, name: string): Promise<void> {
    return this.op('stat', `${dir}/${name}`, async () => {
      const r = await this.send('PROPFIND', `${dir}/${name}`, { depth: '0' });
      const len = r.status === 207 ? parseMultistatus(r.body.toString('utf8'), stack.url).get(`${dir}/${name}`) : undefined;
      const want = model.get(name)!.bytes.length;
      return { status: r.status, ok: len === want, detail: `size ${len} want ${want}` };
    });
  }

  private get(dir: string, model: Map<string, ModelFile>, name: string): Promise<void> {
    const f = model.get(name)!;
    const start = Math.floor(this.rnd() * f.bytes.length);
    const end = Math.min(f.bytes.length - 1, start + Math.floor(this.rnd() * 16_384));
    return this.op('get', `${dir}/${name}`, async () => {
      const r = await this.send('GET', `${dir}/${name}`, { range: `bytes=${start}-${end}` });
      const ok = r.status === 206 && r.body.equals(f.bytes.subarray(start, end + 1)) && r.headers['content-range'] === `bytes ${start}-${end}/${f.bytes.length}`;
      return { status: r.status, ok, detail: ok ? '' : `range ${start}-${end} got ${r.body.length} bytes, ${String(r.headers['content-range'])}` };
    });
  }

  /** A Range GET of another client's shared file: 206, or 404 when its owner moved or deleted it meanwhile. */
  private getOther(name: string): Promise<void> {
    return this.op('get', `${SHARED}/${name}`, async () => {
      const r = await this.send('GET', `${SHARED}/${name}`, { range: 'bytes=0-1023' });
      if (r.status === 404) {
        this.others = this.others.filter((n) => n !== name);
        return { status: 404, ok: false, tolerated: true };
      }
      return { status: r.status, ok: r.status === 206 && r.body.length > 0 && r.body.length <= 1024 };
    });
  }

  private put(dir: string, model: Map<string, ModelFile>): Promise<void> {
    const overwrite = model.size >= MAX_FILES || (model.size > 0 && this.rnd() < 0.2);
    const name = overwrite ? this.pick([...model.keys()])! : this.newName();
    const bytes = randomBytes(1024 + Math.floor(this.rnd() * 63 * 1024));
    return this.op('put', `${dir}/${name}`, async () => {
      const r = await this.send('PUT', `${dir}/${name}`, { 'content-type': 'application/octet-stream' }, bytes);
      const want = overwrite ? 204 : 201;
      if (r.status === want) model.set(name, { bytes, sha256: sha(bytes) });
      return { status: r.status, ok: r.status === want };
    });
  }

  private move(dir: string, model: Map<string, ModelFile>, name: string): Promise<void> {
    const across = this.rnd() < 0.3;
    const to = across ? this.folderOf(dir !== SHARED) : { dir, model };
    const newName = this.newName();
    return this.op('move', `${dir}/${name}`, async () => {
      const dest = new URL(this.url(`${to.dir}/${newName}`), stack.url).href;
      const r = await this.send('MOVE', `${dir}/${name}`, { destination: dest, overwrite: 'F' });
      if (r.status === 201) {
        to.model.set(newName, model.get(name)!);
        model.delete(name);
      }
      return { status: r.status, ok: r.status === 201 };
    });
  }

  private remove(dir: string, model: Map<string, ModelFile>, name: string): Promise<void> {
    return this.op('delete', `${dir}/${name}`, async () => {
      const r = await this.send('DELETE', `${dir}/${name}`);
      if (r.status === 204) model.delete(name);
      return { status: r.status, ok: r.status === 204 };
    });
  }
}

/**
 * Collects the emulator's call records in closed windows [from, cut) (its ring is bounded; a soak run outgrows
 * it). Polls run one after the other; a failed poll leaves its window to the next one.
 */
function callCollector(t0: number): { poll(final?: boolean): Promise<void>; records: CallRecord[] } {
  const records: CallRecord[] = [];
  let from = t0;
  let queue = Promise.resolve();
  const once = async (final: boolean): Promise<void> => {
    const cut = final ? Number.POSITIVE_INFINITY : Date.now() - 2_000;
    records.push(...(await stack.emu.calls(from)).filter((c) => c.t < cut));
    from = cut;
  };
  return {
    records,
    poll(final = false) {
      const run = queue.then(() => once(final));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

describe('load: 32 WebDAV clients against a rate-limited emulator', () => {
  it(
    `mixed workload for ${DURATION_MS / 1000} s: no errors, no bans, <= ${RPS} calls/s, flat heap, consistent state`,
    async () => {
      const seed = Number(process.env.LOAD_SEED ?? Date.now() % 1_000_000);
      const ops: Op[] = ['list', 'stat', 'get', 'put', 'move', 'delete'];
      const figures: Figures = {
        count: Object.fromEntries(ops.map((o) => [o, 0])) as Record<Op, number>,
        latency: Object.fromEntries(ops.map((o) => [o, []])) as unknown as Record<Op, number[]>,
        tolerated404: 0,
        failures: [],
      };
      const clients = Array.from({ length: CLIENTS }, (_, i) => new LoadClient(i, figures, seed));
      const t0 = Date.now();
      const calls = callCollector(t0);
      try {
        const setup = await fetch(`${stack.url}${SHARED}`, { method: 'MKCOL', headers: { authorization: stack.auth } });
        expect(setup.status).toBe(201);
        await Promise.all(clients.map((c) => c.mkcol()));

        const heap: { t: number; heap: number; rss: number }[] = [];
        const start = Date.now();
        const sampler = setInterval(() => {
          const m = process.memoryUsage();
          heap.push({ t: Date.now() - start, heap: m.heapUsed, rss: m.rss });
        }, 1_000);
        const poller = setInterval(() => void calls.poll().catch(() => undefined), 20_000);
        try {
          await Promise.all(clients.map((c) => c.run(start + DURATION_MS)));
        } finally {
          clearInterval(sampler);
          clearInterval(poller);
        }
        const elapsed = (Date.now() - start) / 1000;

        // Final state, listed by a fresh store (no cache) over the same account.
        const fresh = await stack.freshVfs();
        const root = (await fresh.readdir('')).map((e) => e.name).sort();
        expect(root).toEqual([SHARED, ...clients.map((c) => c.folder)].sort());
        const mismatches: string[] = [];
        const sharedWant = new Map<string, ModelFile>();
        for (const c of clients) for (const [n, f] of c.shared) sharedWant.set(n, f);
        const folders: [string, Map<string, ModelFile>][] = [...clients.map((c) => [c.folder, c.own] as [string, Map<string, ModelFile>]), [SHARED, sharedWant]];
        let files = 0;
        for (const [dir, model] of folders) {
          const listed = await fresh.readdir(dir);
          const got = listed.map((e) => e.name).sort();
          const want = [...model.keys()].sort();
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${dir}: listed [${got.join(',')}] model [${want.join(',')}]`);
          for (const e of listed) {
            const f = model.get(e.name);
            if (!f) continue;
            files++;
            if (e.size !== f.bytes.length) mismatches.push(`${dir}/${e.name}: size ${e.size} want ${f.bytes.length}`);
            const wp = await whirlpoolHex(f.bytes);
            if (e.hashes.whirlpool !== wp) mismatches.push(`${dir}/${e.name}: whirlpool differs`);
          }
        }
        // Bytes of a sample, read back through the fresh stack.
        const sample = clients.filter((c) => c.own.size > 0).slice(0, 8);
        for (const c of sample) {
          const [name, f] = [...c.own][0]!;
          const chunks: Buffer[] = [];
          for await (const ch of await fresh.openRead(`${c.folder}/${name}`)) chunks.push(ch as Buffer);
          if (sha(Buffer.concat(chunks)) !== f.sha256) mismatches.push(`${c.folder}/${name}: bytes differ`);
        }

        await calls.poll(true);
        const api = calls.records.filter((c) => c.path.startsWith('/v1/'));
        const stats = await stack.emu.stats();
        const maxRate = busiestSecond(api.map((c) => c.t));
        const after = heap.filter((h) => h.t >= WARMUP_MS);
        const third = Math.max(1, Math.floor(after.length / 3));
        const heapFirst = mean(after.slice(0, third).map((h) => h.heap));
        const heapLast = mean(after.slice(-third).map((h) => h.heap));
        const rssFirst = mean(after.slice(0, third).map((h) => h.rss));
        const rssLast = mean(after.slice(-third).map((h) => h.rss));
        const total = ops.reduce((a, o) => a + figures.count[o], 0);
        const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
        const byEndpoint = new Map<string, number>();
        for (const c of calls.records) byEndpoint.set(c.path, (byEndpoint.get(c.path) ?? 0) + 1);
        console.log(
          [
            `load: seed ${seed}, ${CLIENTS} clients, ${elapsed.toFixed(1)} s, ${total} ops (${(total / elapsed).toFixed(1)} ops/s), ${figures.failures.length} errors, ${figures.tolerated404} tolerated 404`,
            ...ops.map((o) => `  ${o.padEnd(6)} ${String(figures.count[o]).padStart(6)} ops  p50 ${quantile(figures.latency[o], 0.5).toFixed(0)} ms  p95 ${quantile(figures.latency[o], 0.95).toFixed(0)} ms`),
            `  API calls ${api.length} (${(api.length / elapsed).toFixed(1)}/s, ${api.filter((c) => c.status !== 200).length} not 200), max ${maxRate} in any 1 s (limit ${RPS}, pacer ${stack.intervalMs} ms), bans ${stats.bans}, rejected ${stats.rejected}`,
            `  by endpoint: ${[...byEndpoint].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}`,
            `  heap ${mb(heapFirst)} -> ${mb(heapLast)}, rss ${mb(rssFirst)} -> ${mb(rssLast)} (after ${WARMUP_MS / 1000} s warm-up)`,
            `  final state: ${folders.length} folders, ${files} files checked, ${sample.length} read back, ${mismatches.length} mismatches`,
            ...figures.failures.slice(0, 10).map((f) => `  ERROR c${f.client} ${f.op} ${f.path} -> ${f.status} ${f.detail}`),
            ...mismatches.slice(0, 10).map((m) => `  MISMATCH ${m}`),
          ].join('\n'),
        );

        expect(figures.failures).toEqual([]);
        expect(stats.bans).toBe(0);
        expect(stats.rejected).toBe(0);
        // The only API refusal allowed: a download token for another client's file deleted since the listing.
        const refused = api.filter((c) => c.status !== 200);
        expect(refused.filter((c) => c.status !== 404 || c.path !== '/v1/download/get_token.cgi')).toEqual([]);
        expect(refused.length).toBeLessThanOrEqual(figures.tolerated404);
        expect(maxRate).toBeLessThanOrEqual(RPS);
        expect(after.length).toBeGreaterThanOrEqual(6);
        expect(heapLast - heapFirst).toBeLessThanOrEqual(HEAP_BOUND);
        expect(rssLast - rssFirst).toBeLessThanOrEqual(RSS_BOUND);
        expect(mismatches).toEqual([]);
        for (const o of ops) expect(figures.count[o]).toBeGreaterThan(0);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    },
    DURATION_MS + 60_000,
  );

  it('a GET racing a DELETE of its file answers 404, not a cut connection', async () => {
    const h = { authorization: stack.auth };
    const body = randomBytes(5_000);
    for (const name of ['race-a.bin', 'race-b.bin']) {
      expect((await request(`${stack.url}${name}`, { method: 'PUT', headers: h, body })).statusCode).toBe(201);
    }
    // The GET's stat succeeds from the cache; its download token is asked for only after the DELETE went through.
    await stack.emu.admin('faults', { endpointLatencyMs: { 'download/get_token.cgi': 800 } });
    try {
      const answer = async (name: string, range?: string) => {
        const res = await request(`${stack.url}${name}`, { headers: range ? { ...h, range } : h });
        await res.body.arrayBuffer();
        return res.statusCode;
      };
      const gets = [answer('race-a.bin', 'bytes=0-99'), answer('race-b.bin')];
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const name of ['race-a.bin', 'race-b.bin']) {
        expect((await request(`${stack.url}${name}`, { method: 'DELETE', headers: h })).statusCode).toBe(204);
      }
      expect(await Promise.all(gets)).toEqual([404, 404]);
    } finally {
      await stack.emu.admin('faults/clear', {});
    }
  });
});
