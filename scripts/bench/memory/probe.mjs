// A memory probe to preload into a server (`node --import scripts/bench/memory/probe.mjs ...`): every
// PROBE_EVERY_MS (default 500) ms it prints one line to stderr with VmRSS split into anonymous and file
// pages, process.memoryUsage() and the V8 heap spaces (committed/used), so that a run shows which of them
// moves. SIGUSR2 prints a line at once (after a full collection with PROBE_GC=1). Only for measurements; nothing in the product loads it.
import fs from 'node:fs';
import v8 from 'node:v8';

const mb = (n) => (n / 1e6).toFixed(1);
const dump = (tag) => {
  const mu = process.memoryUsage();
  const st = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? 0) * 1000;
  const spaces = v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_size > 0)
    .map((s) => `${s.space_name.replace(/_space$/, '')}=${mb(s.space_size)}/${mb(s.space_used_size)}`)
    .join(' ');
  process.stderr.write(
    `[probe ${tag}] rss=${mb(mu.rss)} anon=${mb(kb('RssAnon'))} file=${mb(kb('RssFile'))} heapTotal=${mb(mu.heapTotal)} ` +
      `heapUsed=${mb(mu.heapUsed)} external=${mb(mu.external)} arrayBuffers=${mb(mu.arrayBuffers)} malloced=${mb(v8.getHeapStatistics().malloced_memory)} | ${spaces}\n`,
  );
};
setInterval(() => dump('tick'), Number(process.env.PROBE_EVERY_MS || 500)).unref();
process.on('SIGUSR2', () => {
  // PROBE_GC=1: a full collection first (node runs with --expose-gc), so the line shows what is still reachable.
  if (process.env.PROBE_GC && typeof globalThis.gc === 'function') globalThis.gc();
  dump('usr2');
});
