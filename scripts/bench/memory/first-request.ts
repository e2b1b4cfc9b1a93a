/**
 * What the first request costs a freshly started server: the bench emulator, our server with the memory probe
 * (probe.mjs) and node's heap-snapshot signal, then RSS and the probe's split at idle, after the first PROPFIND
 * of the PUT folder, after a second one, and optionally the peak of a PUT of `--mib` MiB measured from the idle
 * figure (as a fresh server's user sees it). `--snapshots DIR` writes a heap snapshot at idle and after the
 * first request (compare them in Chrome's DevTools, "Comparison" view).
 *
 *   node --import tsx scripts/bench/memory/first-request.ts --work /tmp/m2-work [--mib 1024] [--node-options "..."] [--env K=V ...]
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, MiB } from '../config.ts';
import { davUrl, propfind, putGenerated } from '../dav.ts';
import { startBenchEmulator } from '../emulator.ts';
import { prepareFixtures } from '../fixtures.ts';
import { killAllChildren, memoryOf } from '../procs.ts';
import { createLauncher } from '../servers.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '0' }, 'node-options': { type: 'string', default: '' }, work: { type: 'string' }, snapshots: { type: 'string' }, env: { type: 'string', multiple: true } } });
const workDir = resolve(values.work ?? join(import.meta.dirname, '..', '..', '..', 'bench', 'tmp', 'full'));
const probe = join(import.meta.dirname, 'probe.mjs');
const log = (m: string) => console.log(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => (n / 1e6).toFixed(1);

/** Resident kB per mapped file (anonymous mappings as "[anon]"), from /proc/PID/smaps. */
function residentByMapping(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || '[anon]';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out.set(name, (out.get(name) ?? 0) + Number(rss[1]));
  }
  return out;
}
let lastMaps = new Map<string, number>();

rmSync(join(workDir, 'logs'), { recursive: true, force: true });
const fixtures = await prepareFixtures(join(workDir, 'emulator-data'), FULL, log);
const emu = await startBenchEmulator(join(workDir, 'emulator-data'), workDir);
try {
  const snap = values.snapshots ? ` --heapsnapshot-signal=SIGUSR1 --diagnostic-dir=${resolve(values.snapshots)}` : '';
  const env = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const servers = createLauncher(emu, workDir, `${values['node-options']} --import ${probe}${snap}`.trim(), env);
  const srv = await servers.start('ours');
  const mark = async (tag: string) => {
    await sleep(1500);
    process.kill(srv.pid, 'SIGUSR2');
    if (values.snapshots) {
      process.kill(srv.pid, 'SIGUSR1');
      await sleep(4000);
    }
    const m = memoryOf(srv.pid);
    console.log(`${tag}: VmRSS ${mb(srv.rss.sample())} MB, VmHWM ${mb(m?.hwm ?? 0)} MB`);
    const maps = residentByMapping(srv.pid);
    const moved = [...maps].map(([k, v]) => [k, v - (lastMaps.get(k) ?? 0)] as const).filter(([, d]) => Math.abs(d) >= 200);
    console.log(`  resident kB by mapping, change: ${moved.map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${d}`).join('; ')}`);
    lastMaps = maps;
    return srv.rss.sample();
  };
  try {
    const idle = await mark('idle');
    srv.rss.resetPeak();
    const timer = setInterval(() => srv.rss.sample(), 50);
    await propfind(srv.url, fixtures.putDir, '1');
    console.log(`first PROPFIND: peak during it ${mb(srv.rss.peak())} MB`);
    await mark('after first PROPFIND');
    await propfind(srv.url, fixtures.putDir, '1');
    await mark('after second PROPFIND');
    if (Number(values.mib) > 0) {
      // With --snapshots, one more in the middle of the PUT: what the request holds while it streams.
      const mid = values.snapshots ? setTimeout(() => process.kill(srv.pid, 'SIGUSR1'), 8000) : undefined;
      const r = await putGenerated(davUrl(srv.url, `${fixtures.putDir}/probe.bin`), Number(values.mib) * MiB, 7);
      console.log(`PUT: HTTP ${r.status} in ${(r.ms / 1000).toFixed(1)} s; peak since idle ${mb(srv.rss.peak())} MB = idle + ${mb(srv.rss.peak() - idle)} MB`);
      clearTimeout(mid);
      await mark('after the PUT');
      await fetch(davUrl(srv.url, `${fixtures.putDir}/probe.bin`), { method: 'DELETE' });
    }
    clearInterval(timer);
  } finally {
    await srv.stop();
  }
  const lines = readFileSync(srv.logFile, 'utf8').split('\n').filter((l) => l.includes(process.env.FIRST_REQ_ALL ? '[probe' : '[probe usr2'));
  console.log(lines.join('\n'));
} finally {
  await killAllChildren();
  await emu.close();
}
