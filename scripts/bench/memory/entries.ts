/**
 * What one cached listing entry costs, and which structure holds it. In this process (run with --expose-gc):
 * a metadata store on disk is filled with `--folders` x `--per-folder` file entries shaped like the fichier
 * remote's (file URL id, Whirlpool hex, MIME type), closed and reopened, then a VFS over it (a remote that
 * must never be called: every listing is fresh) reads the folders stage by stage. After each stage: two
 * full GCs, then heapUsed, external and VmRSS, and the delta per entry.
 *
 * `--memo-mib` sets the store memo's budget (default: large enough to hold every folder, so the cost per entry
 * is measured rather than the budget).
 *
 *   node --expose-gc --import tsx scripts/bench/memory/entries.ts [--folders 25] [--per-folder 4000] [--memo-mib 1024]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Remote, RemoteEntry } from '../../../src/remote/types.ts';
import { openMetaStore } from '../../../src/store/index.ts';
import { createVfs } from '../../../src/vfs/index.ts';

const { values } = parseArgs({ options: { folders: { type: 'string', default: '25' }, 'per-folder': { type: 'string', default: '4000' }, 'memo-mib': { type: 'string', default: '1024' } } });
const MEMO_BYTES = Number(values['memo-mib']) * 2 ** 20;
const FOLDERS = Number(values.folders);
const PER = Number(values['per-folder']);
const N = FOLDERS * PER;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const hex = (seed: number, len: number) => {
  let s = '';
  for (let x = seed >>> 0 || 1; s.length < len; ) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s += (x >>> 0).toString(16).padStart(8, '0');
  }
  return s.slice(0, len);
};
const folderPath = (f: number) => `bench/many/m-${pad(f, 3)}`;
function entry(f: number, i: number): RemoteEntry {
  const name = `n-${pad(i, 5)}.txt`;
  return {
    path: `${folderPath(f)}/${name}`,
    name,
    kind: 'file',
    size: 1024,
    modTime: 1_700_000_000_000 + i * 1000,
    id: `https://1fichier.com/?${hex(f * 1e6 + i, 20)}`,
    mimeType: 'text/plain',
    hashes: { whirlpool: hex(f * 7e6 + i, 128) },
  };
}

interface Mem {
  heapUsed: number;
  external: number;
  rss: number;
  anon: number;
}
function mem(): Mem {
  gc!();
  gc!();
  const mu = process.memoryUsage();
  const anon = Number(/^RssAnon:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
  return { heapUsed: mu.heapUsed, external: mu.external, rss: mu.rss, anon };
}
const rows: string[] = [];
let prev = mem();
function stage(label: string): void {
  const m = mem();
  const per = (k: keyof Mem) => ((m[k] - prev[k]) / N).toFixed(0);
  rows.push(`| ${label} | ${((m.heapUsed - prev.heapUsed) / 1e6).toFixed(1)} | ${per('heapUsed')} | ${((m.external - prev.external) / 1e6).toFixed(1)} | ${((m.rss - prev.rss) / 1e6).toFixed(1)} | ${per('rss')} |`);
  prev = m;
}

const dir = mkdtempSync(join(tmpdir(), 'fdav-entries-'));
const file = join(dir, 'meta.sqlite');
try {
  {
    const seed = openMetaStore({ file });
    const now = Date.now();
    seed.putListing('', [{ path: 'bench', name: 'bench', kind: 'dir', size: 0, modTime: 0, id: '1', hashes: {} }], now);
    seed.putListing('bench', [{ path: 'bench/many', name: 'many', kind: 'dir', size: 0, modTime: 0, id: '2', hashes: {} }], now);
    seed.putListing(
      'bench/many',
      Array.from({ length: FOLDERS }, (_, f) => ({ path: folderPath(f + 1), name: `m-${pad(f + 1, 3)}`, kind: 'dir' as const, size: 0, modTime: 0, id: String(10 + f), hashes: {} })),
      now,
    );
    for (let f = 1; f <= FOLDERS; f++) seed.putListing(folderPath(f), Array.from({ length: PER }, (_, i) => entry(f, i + 1)), now);
    seed.close();
  }
  prev = mem();
  const store = openMetaStore({ file, memoBytes: MEMO_BYTES });
  stage('store reopened (SQLite page cache empty)');
  const cacheSize = (store as unknown as { db?: unknown }).db;
  void cacheSize;
  const paths = Array.from({ length: FOLDERS }, (_, f) => folderPath(f + 1));
  for (const p of paths) store.getListing(p);
  stage('store.getListing of every folder (store memo: RemoteEntry objects; SQLite pages read)');
  const never = (): never => {
    throw new Error('the remote must not be called: every listing is fresh');
  };
  const remote = { list: never, stat: never, openRead: never, put: never, remove: never, mkdir: never, rmdir: never, features: {} } as unknown as Remote;
  const vfs = createVfs({ remote, store });
  for (const p of paths) await vfs.stat(p);
  stage('vfs.stat of every folder (views of the parent only)');
  const lists = [];
  for (const p of paths) lists.push(await vfs.readdir(p));
  stage('vfs.readdir of every folder, results held (folder views, VfsEntry objects)');
  lists.length = 0;
  stage('results dropped (what the caches keep)');
  for (const p of paths) await vfs.readdir(p);
  stage('vfs.readdir again (warm: nothing new should stay)');
  const propsOf = [];
  for (const p of paths) propsOf.push(vfs.propsOf((await vfs.readdir(p)).map((e) => e.id)));
  stage('propsOf of every folder (the dead-property query a PROPFIND allprop makes), held');
  console.log(`${N} entries (${FOLDERS} folders x ${PER}); MB = 10^6 bytes; bytes per entry = delta / ${N}; after two full GCs; node ${process.version}\n`);
  console.log('| stage | heapUsed delta (MB) | heap bytes/entry | external delta (MB) | VmRSS delta (MB) | RSS bytes/entry |\n|---|--:|--:|--:|--:|--:|');
  console.log(rows.join('\n'));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
