/**
 * Smoke test of `npm run bench`: the whole run in --quick mode (tiny sizes, every item, both servers, wrk never
 * installed) finishes, and results.json holds every item with numbers for both servers. Verdicts are not
 * asserted: quick-mode numbers are not meaningful.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../scripts/bench/report.ts';

const RUN = join(import.meta.dirname, '..', 'scripts', 'bench', 'run.ts');
const dir = mkdtempSync(join(tmpdir(), 'fdav-bench-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runQuick(): Promise<{ code: number; output: string }> {
  const args = ['--import', 'tsx', RUN, '--quick', '--no-install', '--out', join(dir, 'results'), '--work', join(dir, 'work')];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 330_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

describe('npm run bench -- --quick', () => {
  it('measures every item on both servers and writes the results', { timeout: 340_000 }, async () => {
    const { code, output } = await runQuick();
    expect(code, output).toBe(0);
    for (const f of ['results.json', 'results.md', 'ratios.svg']) expect(existsSync(join(dir, 'results', f)), f).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'results', 'results.json'), 'utf8')) as BenchReport;
    expect(report.mode).toBe('quick');
    expect(report.items.map((i) => i.id)).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9']);
    for (const item of report.items) {
      expect(item.error, `${item.id}: ${item.error}`).toBeUndefined();
      expect(item.metrics.length, item.id).toBeGreaterThan(0);
      for (const m of item.metrics) expect(isNumber(m.ours), `${item.id} ${m.name} ours`).toBe(true);
      expect(item.metrics.some((m) => isNumber(m.ours) && isNumber(m.rclone) && isNumber(m.ratio)), `${item.id} has a metric for both servers`).toBe(true);
    }
    const b3 = report.items.find((i) => i.id === 'B3')!.metrics[0]!;
    expect(isNumber(b3.reference?.value)).toBe(true);
    expect(readFileSync(join(dir, 'results', 'ratios.svg'), 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
});
