/**
 * Remote upload jobs for the `remote-upload` command: waiting for a job (polls of the remote's job status,
 * paced below, bounded by a total timeout, on an injected clock) and printing jobs as text or JSON.
 *
 * A job is done when the service has set its execution date, or when every URL has a final result (OK/KO).
 */
import { formatDuration } from '../../config/units.ts';
import type { RemoteCommands, RemoteUploadJob, RemoteUploadSummary } from '../../remote/commands.ts';
import type { Clock } from '../../util/clock.ts';
import { CliError } from '../context.ts';

export type JobInfo = RemoteUploadJob;
export type JobList = RemoteUploadSummary[];

/** True when job `info` will not change any more. */
export function jobDone(info: JobInfo): boolean {
  if (info.results.some((r) => r.status === 'pending')) return false;
  return info.executed !== null || info.results.length > 0;
}

export interface WaitOptions {
  clock: Clock;
  /** Longest total wait, ms. */
  timeoutMs: number;
  /** Pause between two polls, ms (the pacer may space them further). */
  intervalMs: number;
  signal?: AbortSignal;
  /** Called with every answer that is not final yet. */
  onPending?: (info: JobInfo) => void;
}

/**
 * Polls job `id` until it is done and returns its final state. Throws CliError (exit 1) when it is still
 * running after `timeoutMs`, what remoteUploadJob throws (ENOENT for an unknown id), and the signal's reason
 * on abort.
 */
export async function waitForJob(commands: Pick<RemoteCommands, 'remoteUploadJob'>, id: number, opts: WaitOptions): Promise<JobInfo> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  for (;;) {
    const info = await commands.remoteUploadJob(id, opts.signal);
    if (jobDone(info)) return info;
    opts.onPending?.(info);
    const left = deadline - opts.clock.now();
    if (left <= 0) {
      throw new CliError(`remote upload job ${id} is still running after ${formatDuration(opts.timeoutMs)}; check later with: fichier-dav remote-upload status ${id}`);
    }
    await opts.clock.sleep(Math.min(opts.intervalMs, left), opts.signal);
  }
}

/** The number of URLs of a finished job that failed. */
export function failedCount(info: JobInfo): number {
  return info.results.filter((r) => r.status === 'KO').length;
}

/** A job as the command's JSON: id, dates, done, and one {url, status, link, message} per URL. */
export function jobJson(info: JobInfo): Record<string, unknown> {
  return {
    id: info.id,
    requested: info.requested,
    executed: info.executed,
    done: jobDone(info),
    results: info.results.map((r) => ({ url: r.url, status: r.status, link: r.link || null, message: r.message || null })),
  };
}

/** A job as text: a header line, then one `STATUS  url  -> link | message` line per URL. */
export function formatJob(info: JobInfo): string {
  const ok = info.results.filter((r) => r.status === 'OK').length;
  const state = jobDone(info) ? `finished ${info.executed ?? ''}`.trimEnd() : 'running';
  const lines = [`job ${info.id}: requested ${info.requested}, ${state}; ${ok} of ${info.results.length} URLs fetched`];
  for (const r of info.results) {
    const detail = r.status === 'OK' ? `-> ${r.link}` : r.message;
    lines.push(`${r.status.padEnd(8)}${r.url}${detail ? `  ${detail}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** The account's jobs as a table: ID, request date, execution date (or "running"). */
export function formatJobList(jobs: JobList): string {
  if (jobs.length === 0) return 'no remote upload jobs\n';
  const width = Math.max(2, ...jobs.map((j) => String(j.id).length));
  const rows = [`${'ID'.padEnd(width)}  ${'REQUESTED'.padEnd(19)}  EXECUTED`];
  for (const j of jobs) rows.push(`${String(j.id).padEnd(width)}  ${j.requested.padEnd(19)}  ${j.executed ?? 'running'}`);
  return rows.join('\n') + '\n';
}

/** The account's jobs as the command's JSON. */
export function jobListJson(jobs: JobList): Record<string, unknown>[] {
  return jobs.map((j) => ({ id: j.id, requested: j.requested, executed: j.executed }));
}
