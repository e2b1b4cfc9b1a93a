/**
 * Running a list of file transfers (copy or move) between the two sides, the way rclone's copy/move do:
 *
 * 1. check every file against its destination (compare.ts), `transfers` at a time;
 * 2. with --dry-run, print rclone's notice for each file that would be transferred, and stop;
 * 3. create the destination folders (parents first, one at a time: no mkdir races);
 * 4. transfer `transfers` files at a time (the API pacer still spaces the calls), with the progress line;
 *    a move removes each source only once its destination is durable and verified (and also when the
 *    destination was already identical, as rclone move does).
 *
 * A file that fails is reported on stderr (`fichier-dav: <file>: <error>`) and the others go on; the caller
 * turns the count into exit status 1. Per-file log lines at info (-v) use rclone's wording.
 */
import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import { parentOf } from '../../core/path.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import type { Vfs } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { Failures } from '../commands/failures.ts';
import { byteUnit, sizeSuffix } from '../commands/format.ts';
import { mkdirAll } from '../commands/mkdir.ts';
import { decide, type CheckMode, type Decision } from './compare.ts';
import { downloadFile } from './download.ts';
import { whirlpoolOfFile } from './local-hash.ts';
import { setLocalTime } from './local-time.ts';
import { createProgress, formatEta, type FileProgress } from './progress.ts';
import { existingSpelling, showSide, statSide, type Item, type Side } from './sides.ts';
import { uploadFile } from './upload.ts';

export type TransferMode = 'copy' | 'move';

export interface Job {
  /** How the file is named in messages (its path relative to the source root). */
  rel: string;
  src: Side;
  dst: Side;
  item: Item;
}

export interface JobsOptions {
  mode: TransferMode;
  /** Files transferred at once (rclone --transfers). */
  transfers: number;
  dryRun: boolean;
  check: CheckMode;
  /** Destination folders to create even when no file goes there (--create-empty-src-dirs). */
  extraDirs?: Side[];
  clock: Clock;
  /** Draw the progress line on a non-terminal too (-P). */
  forceProgress: boolean;
  /** No progress line (-q). */
  quiet: boolean;
  /** Print the summary on stderr at the end. */
  summary: boolean;
}

export interface JobsOutcome {
  transferred: number;
  skipped: number;
  failed: number;
  bytes: number;
  elapsedMs: number;
}

interface Planned {
  job: Job;
  /** The job's position in the list (transfers start in list order). */
  index: number;
  existed: boolean;
}

/** Moves or copies one file; resolves when the destination is durable and verified. */
async function transferOne(vfs: Vfs, job: Job, mode: TransferMode, fp: FileProgress, logger: Logger): Promise<void> {
  const { src, dst } = job;
  if (src.kind === 'local' && dst.kind === 'remote') {
    await uploadFile(vfs, src.path, dst.path, { onBytes: fp.bytes });
  } else if (src.kind === 'remote' && dst.kind === 'local') {
    const r = await downloadFile(vfs, src.path, dst.path, { onBytes: fp.bytes, onAttempt: (_offset, remaining) => fp.expect(remaining) });
    if (r.resumedFrom > 0) logger.info({ path: job.rel, from: r.resumedFrom, restarted: r.restarted }, 'Resumed a partial download');
  } else if (src.kind === 'remote' && dst.kind === 'remote') {
    if (mode === 'move') await vfs.rename(src.path, dst.path, { overwrite: true });
    else await vfs.copy(src.path, dst.path, { overwrite: true });
    fp.bytes(job.item.size);
    return;
  } else {
    throw new Error('a transfer between two local paths');
  }
  if (mode === 'move') await removeSource(vfs, src);
}

async function removeSource(vfs: Vfs, src: Side): Promise<void> {
  if (src.kind === 'local') await unlink(src.path);
  else await vfs.unlink(src.path);
}

/** Sets the destination's modTime to the source's (identical content, different modTime). */
async function touch(vfs: Vfs, job: Job): Promise<void> {
  if (job.dst.kind === 'remote') await vfs.setModTime(job.dst.path, job.item.modTime);
  else await setLocalTime(job.dst.path, job.item.modTime);
}

function parentSide(side: Side): Side {
  return side.kind === 'local' ? { kind: 'local', path: dirname(side.path) } : { kind: 'remote', path: parentOf(side.path) };
}

/** Makes the folder at `side` and its missing parents; an existing folder is fine. Throws EEXIST for a file. */
async function ensureDir(vfs: Vfs, side: Side): Promise<void> {
  if (side.kind === 'local') {
    await mkdir(side.path, { recursive: true });
    return;
  }
  const existing = await statSide(vfs, side);
  if (existing?.kind !== 'dir') await mkdirAll(vfs, side.path);
}

function elapsed(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatEta(ms);
}

/** The closing lines: files and bytes transferred, files skipped, errors, elapsed time. */
export function summaryText(o: JobsOutcome, mode: TransferMode): string {
  const rate = o.elapsedMs > 0 ? `, ${byteUnit(Math.round((o.bytes * 1000) / o.elapsedMs))}/s` : '';
  const verb = mode === 'move' ? 'moved' : 'copied';
  return (
    `Transferred:   ${o.transferred} ${o.transferred === 1 ? 'file' : 'files'} ${verb}, ${byteUnit(o.bytes)}${rate}\n` +
    `Skipped:       ${o.skipped} unchanged\n` +
    `Errors:        ${o.failed}\n` +
    `Elapsed time:  ${elapsed(o.elapsedMs)}\n`
  );
}

/**
 * Runs `jobs` as described in the module doc and resolves with the counts; never rejects for a single
 * file's failure (each is reported on stderr and counted in `failed`).
 */
export async function runJobs(vfs: Vfs, jobs: Job[], opts: JobsOptions, io: CliIo, logger: Logger): Promise<JobsOutcome> {
  const start = opts.clock.now();
  const failures = new Failures(io);
  const limit = pLimit(Math.max(1, opts.transfers));
  const todo: Planned[] = [];
  let skipped = 0;

  const skipOne = async (job: Job, decision: Decision): Promise<void> => {
    if (opts.dryRun) {
      skipped++;
      if (opts.mode === 'move') io.stderr.write(`NOTICE: ${job.rel}: Skipped delete as --dry-run is set (size ${sizeSuffix(job.item.size)})\n`);
      return;
    }
    if (decision === 'touch') {
      await touch(vfs, job);
      logger.info({ path: job.rel }, 'Updated modification time in destination');
    } else {
      logger.debug({ path: job.rel }, 'Unchanged skipping');
    }
    if (opts.mode === 'move') {
      await removeSource(vfs, job.src);
      logger.info({ path: job.rel }, 'Deleted');
    }
    skipped++;
  };

  await Promise.all(
    jobs.map((asked, index) =>
      limit(async () => {
        const job = { ...asked, dst: await existingSpelling(asked.dst) };
        try {
          const dst = await statSide(vfs, job.dst);
          const local = job.src.kind === 'local' ? job.src : job.dst.kind === 'local' ? job.dst : undefined;
          const decision = await decide(job.item, dst, opts.check, async () => (local ? whirlpoolOfFile(local.path) : undefined));
          if (decision === 'transfer') todo.push({ job, index, existed: dst !== undefined });
          else await skipOne(job, decision);
        } catch (err) {
          failures.report(job.rel, err);
        }
      }),
    ),
  );
  todo.sort((a, b) => a.index - b.index);

  if (opts.dryRun) {
    const action = opts.mode === 'move' ? 'move' : 'copy';
    for (const { job } of todo) io.stderr.write(`NOTICE: ${job.rel}: Skipped ${action} as --dry-run is set (size ${sizeSuffix(job.item.size)})\n`);
    return { transferred: 0, skipped, failed: failures.count, bytes: 0, elapsedMs: opts.clock.now() - start };
  }

  const dirs = new Map<string, Side>();
  for (const side of [...todo.map((p) => parentSide(p.job.dst)), ...(opts.extraDirs ?? [])]) dirs.set(`${side.kind}:${side.path}`, side);
  for (const side of [...dirs.values()].sort((a, b) => a.path.length - b.path.length)) {
    try {
      await ensureDir(vfs, side);
    } catch (err) {
      failures.report(showSide(side), err);
    }
  }

  const progress = createProgress({
    total: todo.reduce((n, p) => n + p.job.item.size, 0),
    files: todo.length,
    clock: opts.clock,
    stream: io.stderr,
    quiet: opts.quiet,
    force: opts.forceProgress,
  });
  let transferred = 0;
  let bytes = 0;
  try {
    await Promise.all(
      todo.map(({ job, existed }) =>
        limit(async () => {
          const fp = progress.file(job.item.size);
          try {
            await transferOne(vfs, job, opts.mode, fp, logger);
            fp.end(true);
            transferred++;
            bytes += job.item.size;
            const how = job.src.kind === 'remote' && job.dst.kind === 'remote' ? ' (server-side)' : '';
            logger.info({ path: job.rel }, opts.mode === 'move' ? `Moved${how}` : `Copied${how} (${existed ? 'replaced existing' : 'new'})`);
          } catch (err) {
            fp.end(false);
            failures.report(job.rel, err);
          }
        }),
      ),
    );
  } finally {
    progress.finish();
  }
  const outcome = { transferred, skipped, failed: failures.count, bytes, elapsedMs: opts.clock.now() - start };
  if (opts.summary) io.stderr.write(summaryText(outcome, opts.mode));
  return outcome;
}

