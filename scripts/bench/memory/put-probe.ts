/**
 * Where the memory of a big PUT goes: the bench emulator (same conditions as the bench), our server started
 * with the given NODE_OPTIONS and a probe (--import probe.mjs) that prints process.memoryUsage() and the V8
 * heap spaces every 500 ms to its log, one PUT of `--mib` MiB, then the VmRSS samples and the probe lines.
 * Only our server; for experiments with V8 flags and for phase-2 changes of the upload path.
 *
 *   node --import tsx scripts/bench/memory/put-probe.ts [--mib 1024] [--node-options "--max-semi-space-size=1"]
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, MiB } from '../config.ts';
import { davUrl, propfind, putGenerated } from '../dav.ts';
import { startBenchEmulator } from '../emulator.ts';
import { prepareFixtures } from '../fixtures.ts';
import { killAllChildren } from '../procs.ts';
import { createLauncher } from '../servers.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, 'node-options': { type: 'string', default: '' }, work: { type: 'string' } } });
const workDir = resolve(values.work ?? join(import.meta.dirname, '..', '..', '..', 'bench', 'tmp', 'full'));
const probe = join(import.meta.dirname, 'probe.mjs');
const log = (m: string) => console.log(m);

// Server logs are appended per start number: start from an empty log dir so only this run's probe lines show.
rmSync(join(workDir, 'logs'), { recursive: true, force: true });
const fixtures = await prepareFixtures(join(workDir, 'emulator-data'), FULL, log);
const emu = await startBenchEmulator(join(workDir, 'emulator-data'), workDir);
try {
  const servers = createLauncher(emu, workDir, `${values['node-options']} --import ${probe}`.trim());
  const srv = await servers.start('ours');
  try {
    await propfind(srv.url, fixtures.putDir, '1');
    await new Promise((r) => setTimeout(r, 1500));
    const idle = srv.rss.sample();
    srv.rss.resetPeak();
    const samples: number[] = [];
    const timer = setInterval(() => samples.push(srv.rss.sample()), 250);
    const r = await putGenerated(davUrl(srv.url, `${fixtures.putDir}/probe.bin`), Number(values.mib) * MiB, 7);
    clearInterval(timer);
    const peak = srv.rss.peak();
    console.log(`node options: ${values['node-options'] || '(none)'}; HTTP ${r.status} in ${(r.ms / 1000).toFixed(1)} s (${((Number(values.mib) * MiB) / 1e6 / (r.ms / 1000)).toFixed(1)} MB/s)`);
    console.log(`idle ${(idle / 1e6).toFixed(1)} MB, peak ${(peak / 1e6).toFixed(1)} MB, peak - idle ${((peak - idle) / 1e6).toFixed(1)} MB`);
    console.log(`VmRSS every 250 ms (MB): ${samples.map((s) => (s / 1e6).toFixed(0)).join(' ')}`);
    await fetch(davUrl(srv.url, `${fixtures.putDir}/probe.bin`), { method: 'DELETE' });
  } finally {
    await srv.stop();
  }
  const lines = readFileSync(srv.logFile, 'utf8').split('\n').filter((l) => l.includes('[probe') || l.includes('spaces('));
  console.log(lines.join('\n'));
} finally {
  await killAllChildren();
  await emu.close();
}
