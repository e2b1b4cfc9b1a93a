/**
 * The run's outputs: the markdown table (printed and in results.md), results.json (everything, machine-readable)
 * and ratios.svg (the chart of ours/rclone).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ratioChart } from './chart.ts';
import { CONDITIONS, MiB, type BenchSizes } from './config.ts';
import type { MachineInfo } from './machine.ts';
import type { ItemResult, Metric, RunStamp } from './types.ts';

export interface BenchReport {
  tool: 'fichier-dav bench';
  version: 1;
  mode: 'full' | 'quick';
  startedAt: string;
  elapsedMs: number;
  machine: MachineInfo;
  conditions: {
    apiLatencyMs: number;
    bandwidthBytesPerSec: { download: number; upload: number };
    politenessLimits: 'off';
    servers: string;
    loadGenerator: string | null;
  };
  sizes: BenchSizes;
  items: ItemResult[];
  /** This run's commit and load average at the start (absent in reports written before they were recorded). */
  stamp?: RunStamp;
}

const stampText = (s: RunStamp): string => `run of ${s.startedAt} on commit ${s.commit ?? 'unknown'} (load average ${Number.isFinite(s.loadAtStart) ? s.loadAtStart.toFixed(1) : "unknown"} at its start)`;

/** A number for the table: 3 significant digits at most, no exponent. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const ratioText = (m: Metric): string => (m.ratio === null ? 'n/a' : `${m.ratio >= 10 ? m.ratio.toFixed(1) : m.ratio === 0 ? '0' : m.ratio.toPrecision(3)}×`);

/** The results table in GitHub markdown. */
export function markdownTable(items: ItemResult[]): string {
  const lines = ['| Item | Metric | ours | rclone | reference | ours/rclone | target | result |', '|---|---|--:|--:|--:|--:|---|---|'];
  for (const it of items) {
    if (it.metrics.length === 0) lines.push(`| ${it.id} | ${it.title} | | | | | | ERROR |`);
    for (const m of it.metrics) {
      const ref = m.reference ? `${m.reference.label}: ${fmt(m.reference.value)}` : '';
      lines.push(`| ${it.id} | ${m.name} (${m.unit}) | ${fmt(m.ours)} | ${fmt(m.rclone)} | ${ref} | ${ratioText(m)} | ${m.target ?? ''} | ${m.verdict ?? ''} |`);
    }
  }
  return lines.join('\n');
}

function conditionsText(r: BenchReport): string {
  const bw = CONDITIONS.bandwidthBytesPerSec;
  return [
    `- Emulator: in the bench process on 127.0.0.1, ${r.conditions.apiLatencyMs} ms added to every API and upload-node call, ` +
      `bandwidth cap ${(bw / MiB).toFixed(0)} MiB/s (${(bw / 1e6).toFixed(1)} MB/s) on download and on upload bodies, politeness limits off.`,
    `- Servers: ${r.conditions.servers}.`,
    `- B6 load generator: ${r.conditions.loadGenerator ?? 'not run'}.`,
    `- Units: MB = 10^6 bytes, MB/s = 10^6 bytes per second; times in ms; RSS from /proc/PID/status.`,
  ].join('\n');
}

function machineText(m: MachineInfo): string {
  return [
    `- CPU: ${m.cpu}; nproc ${m.cores}`,
    `- Memory: ${m.memTotalMiB ?? '?'} MiB total, ${m.memAvailableMiB ?? '?'} MiB available at start (free -m)`,
    `- OS: ${m.os}, kernel ${m.kernel}`,
    `- Node ${m.node}; ${m.rclone}; ${m.curl}`,
  ].join('\n');
}

/** results.md: header, machine, conditions, the table, the notes per item and the chart. */
export function markdownReport(r: BenchReport): string {
  const passes = r.items.flatMap((i) => i.metrics).filter((m) => m.verdict !== undefined);
  const summary = `${passes.filter((m) => m.verdict === 'PASS').length} of ${passes.length} targets met`;
  const out = [
    '# fichier-dav vs `rclone serve webdav`: benchmark results',
    '',
    `Run of ${r.startedAt}, mode **${r.mode}**${r.mode === 'quick' ? ' (tiny sizes: a smoke test, the numbers mean nothing)' : ''}, ` +
      `${(r.elapsedMs / 60_000).toFixed(1)} min in total; ${summary}. How to read and reproduce: [README.md](README.md).` +
      (r.stamp ? ` Measured: ${stampText(r.stamp)}.` : '') +
      (r.items.some((i) => i.measuredIn) ? ` Items marked "from an earlier run" were merged in with --merge-from, each side by side in its own run.` : ''),
    '',
    '## Machine',
    '',
    machineText(r.machine),
    '',
    '## Conditions',
    '',
    conditionsText(r),
    '',
    '## Results',
    '',
    markdownTable(r.items),
    '',
    '![ratios ours/rclone](ratios.svg)',
    '',
    '## Notes per item',
    '',
  ];
  for (const it of r.items) {
    out.push(`### ${it.id}: ${it.title} (${(it.elapsedMs / 1000).toFixed(1)} s)`, '');
    if (it.measuredIn) out.push(`- from an earlier run: ${stampText(it.measuredIn)}`);
    if (it.error) out.push(`- **error**: ${it.error}`);
    for (const n of it.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

/** Writes results.json, results.md and ratios.svg into `dir`; returns the markdown table. */
export function writeReport(dir: string, r: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(join(dir, 'results.md'), markdownReport(r));
  const subtitle = `${r.mode} run of ${r.startedAt} on ${r.machine.cores} cores; ${r.conditions.apiLatencyMs} ms per API call, ${(CONDITIONS.bandwidthBytesPerSec / MiB).toFixed(0)} MiB/s cap`;
  writeFileSync(join(dir, 'ratios.svg'), ratioChart(r.items, subtitle));
  return markdownTable(r.items);
}
