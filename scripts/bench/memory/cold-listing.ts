/**
 * Our server alone through B7's walk (every many-entries folder, one PROPFIND Depth 1 each, cold) or B8's cold
 * PROPFIND (a 5,000-entry folder, with the million-entry store template), over the bench emulator of a work dir
 * that `npm run bench -- --only B7,B8 --work DIR` seeded. Prints VmRSS split into anonymous and file pages at
 * idle and 1 s after, as the bench samples it, `--reps` times.
 *
 * --unpaced: our listing budget off (a mount.json with the list intervals and the call spacing at 0), so a run
 * takes seconds instead of the paced minutes; the memory after differs (the paced run leaves V8 idle time to
 * collect), so quote the bench, not this, for figures. --alloc-profile: preloads alloc-probe.mjs and prints the
 * sites that allocated what reached the old generation during the walk or the PROPFIND (top `--top`).
 *
 *   node --import tsx scripts/bench/memory/cold-listing.ts b7|b8 [--work DIR] [--reps N] [--unpaced] [--alloc-profile] [--top 25]
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { storePathFor } from '../../../src/store/location.ts';
import { FULL } from '../config.ts';
import { propfind, walk } from '../dav.ts';
import { startBenchEmulator } from '../emulator.ts';
import { prepareFixtures } from '../fixtures.ts';
import { killAllChildren } from '../procs.ts';
import { createLauncher } from '../servers.ts';
import { prepareStoreFixtures } from '../store-fixtures.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    work: { type: 'string', default: join(import.meta.dirname, '..', '..', '..', 'bench', 'tmp', 'full') },
    reps: { type: 'string', default: '1' },
    unpaced: { type: 'boolean', default: false },
    'alloc-profile': { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
  },
});
const mode = positionals[0];
if (mode !== 'b7' && mode !== 'b8') throw new Error('usage: cold-listing.ts b7|b8 [options]');
const workDir = values.work;
const dataDir = join(workDir, 'emulator-data');
const scratch = mkdtempSync(join(tmpdir(), 'fdav-cold-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const status = (pid: number): string => {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (k: string) => (Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) / 1000).toFixed(1);
  return `VmRSS ${mb('VmRSS')} MB (anon ${mb('RssAnon')}, file ${mb('RssFile')}; peak ${mb('VmHWM')})`;
};

interface Frame {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Frame[];
}

/** The allocation sites of a .heapprofile by self size, largest first. */
function topSites(file: string, top: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: Frame };
  const bySite = new Map<string, number>();
  let total = 0;
  const visit = (n: Frame): void => {
    const f = n.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    total += n.selfSize;
    if (n.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
    for (const c of n.children) visit(c);
  };
  visit(profile.head);
  const rows = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`reached the old generation: ${(total / 1e6).toFixed(1)} MB in all`, ...rows.map(([site, bytes]) => `${(bytes / 1e6).toFixed(2).padStart(7)} MB  ${site}`)];
}

const fixtures = await prepareFixtures(dataDir, FULL, console.log);
const store = mode === 'b8' ? await prepareStoreFixtures(dataDir, workDir, FULL, console.log) : undefined;
const emu = await startBenchEmulator(dataDir, workDir);
const probe = join(import.meta.dirname, 'alloc-probe.mjs');
/** The server's working directory (servers.ts), where the probe writes its profiles. */
const profiles = join(workDir, 'home-ours');
const launcher = createLauncher(emu, workDir, values['alloc-profile'] ? `--import ${probe}` : '');
const args: string[] = [];
if (values.unpaced) {
  const config = join(scratch, 'mount.json');
  writeFileSync(config, JSON.stringify({ pacer: { minIntervalMs: 0, listIntervalMs: 0, listFolderIntervalMs: 0 } }));
  args.push('--mount-config', config);
}
try {
  for (let rep = 0; rep < Number(values.reps); rep++) {
    let cacheDir: string | undefined;
    if (store) {
      cacheDir = join(scratch, `cache-${rep}`);
      const file = storePathFor({ cacheDir, apiBase: emu.apiBase, apiKey: emu.key });
      mkdirSync(dirname(file), { recursive: true });
      copyFileSync(store.template, file);
    }
    const srv = await launcher.start('ours', { ...(cacheDir ? { cacheDir } : {}), args });
    try {
      await sleep(1000);
      console.log(`idle:  ${status(srv.pid)}`);
      // The start-up's samples go to a first profile: the second holds the listing's only.
      if (values['alloc-profile']) process.kill(srv.pid, 'SIGUSR2');
      if (store) {
        const p = await propfind(srv.url, store.coldFolder.path, '1');
        console.log(`PROPFIND ${store.coldFolder.path}: HTTP ${p.status}, ${p.children.length} entries in ${p.ms.toFixed(0)} ms`);
      } else {
        const w = await walk(srv.url, fixtures.many.path);
        console.log(`walk: ${w.requests} PROPFINDs, ${w.files} files in ${w.folders} folders, ${(w.ms / 1000).toFixed(1)} s`);
      }
      await sleep(1000);
      console.log(`after: ${status(srv.pid)}`);
      if (values['alloc-profile']) {
        process.kill(srv.pid, 'SIGUSR2');
        let second: string | undefined;
        for (let i = 0; i < 100 && !second; i++) {
          await sleep(100);
          second = readdirSync(profiles).find((f) => f === `alloc-${srv.pid}-2.heapprofile`);
        }
        if (second) console.log(topSites(join(profiles, second), Number(values.top)).join('\n'));
        else console.log('no allocation profile written');
      }
    } finally {
      await srv.stop();
    }
  }
} finally {
  await killAllChildren();
  await emu.close();
}
