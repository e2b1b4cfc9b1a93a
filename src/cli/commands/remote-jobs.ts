/**
 * Remote-upload jobs for the `remote-upload` command: waiting for a job (polls through the account operations,
 * which go through the pacer, bounded by a total timeout, on an injected clock) and printing jobs as text or
 * JSON. What a job is and when it is done: src/account/remote-jobs.ts.
 */
import type { AccountOps, JobView, RemoteUploadSummary } from '../../account/index.ts';
import { formatDuration } from '../../config/units.ts';
import type { Clock } from '../../util/clock.ts';
import { CliError } from '../context.ts';

export interface WaitOptions {
  clock: Clock;
  /** Longest total wait, ms. */
  timeoutMs: number;
  /** Pause between two polls, ms (the pacer may space them further). */
  intervalMs: number;
  signal?: AbortSignal;
  /** Called with every answer that is not final yet. */
  onPending?: (job: JobView) => void;
}

/**
 * Polls job `id` until it is done and returns its final state. Throws CliError (exit 1) when it is still
 * running after `timeoutMs`, what remoteJob throws (ENOENT for an unknown id), and the signal's reason on
 * abort.
 */
export async function waitForJob(account: Pick<AccountOps, 'remoteJob'>, id: number, opts: WaitOptions): Promise<JobView> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  for (;;) {
    const job = await account.remoteJob(id, opts.signal);
    if (job.done) return job;
    opts.onPending?.(job);
    const left = deadline - opts.clock.now();
    if (left <= 0) {
      throw new CliError(`remote upload job ${id} is still running after ${formatDuration(opts.timeoutMs)}; check later with: fichier-dav remote-upload status ${id}`);
    }
    await opts.clock.sleep(Math.min(opts.intervalMs, left), opts.signal);
  }
}

/** The number of URLs of a job that failed. */
export function failedCount(job: JobView): number {
  return job.results.filter((r) => r.status === 'KO').length;
}

/** A job as text: a header line, then one `STATUS  url  -> link | message` line per URL. */
export function formatJob(job: JobView): string {
  const ok = job.results.filter((r) => r.status === 'OK').length;
  const state = job.done ? `finished ${job.executed ?? ''}`.trimEnd() : 'running';
  const lines = [`job ${job.id}: requested ${job.requested}, ${state}; ${ok} of ${job.results.length} URLs fetched`];
  for (const r of job.results) {
    const detail = r.status === 'OK' ? `-> ${r.link ?? ''}` : r.message;
    lines.push(`${r.status.padEnd(8)}${r.url}${detail ? `  ${detail}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** The account's jobs as a table: ID, request date, execution date (or "running"). */
export function formatJobList(jobs: readonly RemoteUploadSummary[]): string {
  if (jobs.length === 0) return 'no remote upload jobs\n';
  const width = Math.max(2, ...jobs.map((j) => String(j.id).length));
  const rows = [`${'ID'.padEnd(width)}  ${'REQUESTED'.padEnd(19)}  EXECUTED`];
  for (const j of jobs) rows.push(`${String(j.id).padEnd(width)}  ${j.requested.padEnd(19)}  ${j.executed ?? 'running'}`);
  return rows.join('\n') + '\n';
}
