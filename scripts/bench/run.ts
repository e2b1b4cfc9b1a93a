/**
 * `npm run bench`: fichier-dav's WebDAV server against `rclone serve webdav` over the same in-process 1fichier
 * emulator, item by item (B1..B9, described in bench/README.md), with a table, results.json, results.md and ratios.svg at the end.
 * Every server is a child process started and stopped per measurement; all of them and the emulator are
 * stopped at the end, on failure and on Ctrl-C too. Loopback only. See bench/README.md.
 *
 *   npm run bench [-- --only B1,B3] [--quick] [--out DIR] [--work DIR] [--no-install]
 *
 * --quick: tiny sizes and our listing budget at a tenth of the real rules (a smoke test; the numbers mean nothing). --out: where the results go (default bench/,
 * or <work>/results with --quick). --work: data and scratch dir (default bench/tmp/full or bench/tmp/quick;
 * the seeded emulator data is kept there between runs). --no-install: never apt-get install wrk (nor mediainfo).
 * --ours-node-options "FLAGS": NODE_OPTIONS for our server (experiments with V8 flags; the report names them).
 * --merge-from FILE: items of an earlier results.json that this run does not measure are copied into this
 * report, marked with the run that measured them (for items too long to repeat, such as B9's ~70 minutes).
 * --b9-no-reference: B9 without rclone's --vfs-cache-mode full configuration (a reference column, no target;
 * ~25 of B9's minutes). Always so in quick mode.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { B1, B2 } from './b1-b2-listing.ts';
import { B3, B4 } from './b3-b4-read.ts';
import { B5 } from './b5-put.ts';
import { B6, B7 } from './b6-b7.ts';
import { B8 } from './b8-store.ts';
import { B9 } from './b9-rescan.ts';
import { CONDITIONS, FULL, QUICK, QUICK_OURS_ENV } from './config.ts';
import { startBenchEmulator, type BenchEmulator } from './emulator.ts';
import { prepareFixtures } from './fixtures.ts';
import { prepareLibrary } from './library.ts';
import { unmountAll, unmountBelow } from './mount.ts';
import { machineInfo } from './machine.ts';
import { killAllChildren } from './procs.ts';
import { writeReport, type BenchReport } from './report.ts';
import { createLauncher } from './servers.ts';
import { prepareStoreFixtures } from './store-fixtures.ts';
import type { BenchContext, BenchItem, ItemResult, RunStamp } from './types.ts';

const ALL: BenchItem[] = [B1, B2, B3, B4, B5, B6, B7, B8, B9];
const BENCH_DIR = resolve(import.meta.dirname, '..', '..', 'bench');

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    work: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    'ours-node-options': { type: 'string', default: '' },
    'merge-from': { type: 'string' },
    'b9-no-reference': { type: 'boolean', default: false },
  },
});

const quick = values.quick ?? false;
const workDir = resolve(values.work ?? join(BENCH_DIR, 'tmp', quick ? 'quick' : 'full'));
const outDir = resolve(values.out ?? (quick ? join(workDir, 'results') : BENCH_DIR));
const wanted = values.only ? new Set(values.only.split(',').map((s) => s.trim().toUpperCase())) : undefined;
const items = ALL.filter((i) => !wanted || wanted.has(i.id));
if (wanted && items.length !== wanted.size) {
  console.error(`unknown item in --only ${values.only}; known: ${ALL.map((i) => i.id).join(',')}`);
  process.exit(2);
}

/** The commit the bench runs on (with "+changes" when the tree differs from it), null outside a git checkout. */
function commitOf(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: BENCH_DIR, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

/** The items of an earlier report that this run does not measure, each marked with that run's stamp. */
function mergedItems(file: string, measured: ItemResult[]): ItemResult[] {
  const earlier = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  const stamp: RunStamp = earlier.stamp ?? { startedAt: earlier.startedAt, commit: null, loadAtStart: Number.NaN };
  const have = new Set(measured.map((i) => i.id));
  return earlier.items.filter((i) => !have.has(i.id)).map((i) => ({ ...i, measuredIn: i.measuredIn ?? stamp }));
}

const t0 = performance.now();
const loadAtStart = loadavg()[0]!;
const stamp = (): string => `[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
const log = (msg: string): void => console.log(`${stamp()} ${msg}`);

/** What survives between runs: the seeded emulator data, B8's store template, B9's generated library, results. */
const KEEP = new Set(['emulator-data', 'b8-store', 'b9-library', 'results']);

/** Removes what the previous run left in the work dir (caches, spools, logs, mount points), keeping KEEP. */
function cleanWorkDir(): void {
  mkdirSync(workDir, { recursive: true });
  unmountBelow(workDir);
  for (const e of readdirSync(workDir)) if (!KEEP.has(e)) rmSync(join(workDir, e), { recursive: true, force: true });
}

let emu: BenchEmulator | undefined;
let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await unmountAll();
  await killAllChildren();
  await emu?.close();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping the servers and the emulator`);
    void shutdown().finally(() => process.exit(130));
  });
}

let failed = false;
try {
  const sizes = quick ? QUICK : FULL;
  const machine = machineInfo();
  log(`mode ${quick ? 'quick' : 'full'}, items ${items.map((i) => i.id).join(',')}; work dir ${workDir}; results to ${outDir}`);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memTotalMiB} MiB; node ${machine.node}; ${machine.rclone}`);
  cleanWorkDir();
  const dataDir = join(workDir, 'emulator-data');
  const fixtures = await prepareFixtures(dataDir, sizes, log);
  if (items.includes(B8)) fixtures.store = await prepareStoreFixtures(dataDir, workDir, sizes, log);
  if (items.includes(B9)) fixtures.library = await prepareLibrary(dataDir, workDir, sizes, log);
  emu = await startBenchEmulator(dataDir, workDir);
  log(`emulator on ${emu.url} (latency ${CONDITIONS.apiLatencyMs} ms per call, ${CONDITIONS.bandwidthBytesPerSec / 2 ** 20} MiB/s both ways, limits off)`);
  const facts: Record<string, string> = {};
  const oursEnv = quick ? QUICK_OURS_ENV : {};
  const ctx: BenchContext = { sizes, quick, emu, fixtures, servers: createLauncher(emu, workDir, values['ours-node-options'], oursEnv), workDir, allowInstall: !values['no-install'], log, facts, b9NoReference: quick || (values['b9-no-reference'] ?? false) };
  const results: ItemResult[] = [];
  for (const item of items) {
    const out: ItemResult = { id: item.id, title: item.title, elapsedMs: 0, metrics: [], notes: [] };
    const start = performance.now();
    log(`${item.id}: ${item.title}`);
    try {
      await item.run(ctx, out);
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
      failed = true;
      log(`${item.id}: ERROR ${out.error}`);
      await unmountAll();
      await killAllChildren();
    }
    out.elapsedMs = performance.now() - start;
    results.push(out);
    log(`${item.id}: done in ${(out.elapsedMs / 1000).toFixed(1)} s`);
  }
  const report: BenchReport = {
    tool: 'fichier-dav bench',
    version: 1,
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(),
    elapsedMs: performance.now() - t0,
    machine,
    conditions: {
      apiLatencyMs: CONDITIONS.apiLatencyMs,
      bandwidthBytesPerSec: { download: CONDITIONS.bandwidthBytesPerSec, upload: CONDITIONS.bandwidthBytesPerSec },
      politenessLimits: 'off',
      servers:
        'fichier-dav serve webdav (defaults, fresh --cache-dir per start unless restarted' +
        (values['ours-node-options'] ? `, NODE_OPTIONS="${values['ours-node-options']}"` : '') +
        Object.entries(oursEnv).map(([k, v]) => `, ${k}=${v}`).join('') +
        ') and rclone serve webdav F: (defaults, fichier backend via proxy mode)',
      loadGenerator: facts.loadGenerator ?? null,
    },
    sizes,
    items: values['merge-from'] ? [...results, ...mergedItems(values['merge-from'], results)].sort((a, b) => ALL.findIndex((i) => i.id === a.id) - ALL.findIndex((i) => i.id === b.id)) : results,
    stamp: { startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(), commit: commitOf(), loadAtStart },
  };
  const table = writeReport(outDir, report);
  console.log(`\n${table}\n`);
  if (quick) console.log('(quick mode: tiny sizes, the numbers are not meaningful)');
  log(`results written to ${outDir} (results.md, results.json, ratios.svg)`);
} catch (err) {
  failed = true;
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await shutdown();
}
process.exit(failed ? 1 : 0);
