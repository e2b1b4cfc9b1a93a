/** The shapes shared by the bench items, the orchestrator and the report. */
import type { BenchSizes } from './config.ts';
import type { BenchEmulator } from './emulator.ts';
import type { BenchFixtures } from './fixtures.ts';
import type { ServerKind, ServerLauncher } from './servers.ts';

export const KINDS: readonly ServerKind[] = ['ours', 'rclone'];

/** Which side of 1 a ratio ours/rclone should fall on. */
export type Better = 'lower' | 'higher';

export interface Metric {
  name: string;
  unit: string;
  better: Better;
  ours: number | null;
  rclone: number | null;
  /** A third column (curl on the emulator's download URL for B3). */
  reference?: { label: string; value: number };
  /** ours / rclone, null when either is missing or rclone is 0. */
  ratio: number | null;
  target?: string;
  verdict?: 'PASS' | 'FAIL';
}

export interface ItemResult {
  id: string;
  title: string;
  elapsedMs: number;
  metrics: Metric[];
  /** Facts found while measuring (counts, statuses, what a server did unexpectedly). */
  notes: string[];
  /** Set when the item could not finish; its metrics are then partial. */
  error?: string;
  /** Set when the item comes from an earlier run (--merge-from): that run's start, commit and load. */
  measuredIn?: RunStamp;
}

/** Which run measured something: when it started, on which commit, and the machine's load average then. */
export interface RunStamp {
  startedAt: string;
  commit: string | null;
  loadAtStart: number;
}

/** What an item needs to run. */
export interface BenchContext {
  sizes: BenchSizes;
  quick: boolean;
  emu: BenchEmulator;
  fixtures: BenchFixtures;
  servers: ServerLauncher;
  workDir: string;
  /** May the run install packages (wrk) with apt-get? */
  allowInstall: boolean;
  log(msg: string): void;
  /** Facts an item learns that the report's conditions show (B6 sets `loadGenerator`). */
  facts: Record<string, string>;
  /** B9 without rclone's `--vfs-cache-mode full` reference (quick mode, or --b9-no-reference). */
  b9NoReference: boolean;
}

/** One measurement item: fills `out.metrics` and `out.notes` (partial results survive a throw). */
export interface BenchItem {
  id: string;
  title: string;
  run(ctx: BenchContext, out: ItemResult): Promise<void>;
}

/** Builds a metric row; the verdict is set later by the report from `target`. */
export function metric(name: string, unit: string, better: Better, ours: number | null, rclone: number | null, extra: Partial<Metric> = {}): Metric {
  const ratio = ours !== null && rclone !== null && rclone !== 0 ? ours / rclone : null;
  return { name, unit, better, ours, rclone, ratio, ...extra };
}

/** Sets `target` text and PASS/FAIL on a metric (FAIL when the inputs are missing). */
export function judge(m: Metric, target: string, ok: (m: Metric) => boolean | null): Metric {
  m.target = target;
  const r = ok(m);
  m.verdict = r === true ? 'PASS' : 'FAIL';
  return m;
}
