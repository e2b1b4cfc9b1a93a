/**
 * What copy, copyto and moveto share: their flags (rclone's names), reading `SRC DST` into two sides, the
 * list of file transfers each command means, and running it in a session.
 *
 * - One side is `remote:path`, the other a local path (relative to the working directory), in either
 *   direction; both remote = a server-side copy/move in the account; both local = usage error (exit 2).
 * - `copy`: SRC a folder => its contents go into DST (created as needed), recursively; SRC a file => into
 *   the folder DST. `copyto`/`moveto`: SRC a file => to the exact name DST; a folder => as `copy`.
 * - `moveto` of a folder within the account to a DST that does not exist is one server-side folder move.
 *   Otherwise a move removes each source file once its copy is verified; emptied source folders stay (as
 *   rclone move without --delete-empty-src-dirs).
 * - Progress: on a terminal stderr by default, never on a non-terminal unless -P, never with -q. The summary
 *   (stderr) is printed when the progress shows, or at -v.
 */
import { basename, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { FsError } from '../../core/errors.ts';
import { baseName, parentOf } from '../../core/path.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import type { Vfs } from '../../vfs/types.ts';
import { CliError, type CliIo } from '../context.ts';
import { mkdirAll } from '../commands/mkdir.ts';
import { parseCliPath, singleRemote } from '../paths.ts';
import { withSession } from '../run.ts';
import type { CheckMode } from './compare.ts';
import { runJobs, type Job, type JobsOutcome, type TransferMode } from './jobs.ts';
import { listTree, sideJoin, showSide, statSide, type Side } from './sides.ts';

export type TransferCommandKind = 'copy' | 'copyto' | 'moveto';

export interface TransferFlags {
  transfers?: number;
  dryRun?: boolean;
  sizeOnly?: boolean;
  ignoreExisting?: boolean;
  progress?: boolean;
  createEmptySrcDirs?: boolean;
}

/** rclone's default --transfers. */
export const DEFAULT_TRANSFERS = 4;

function positiveInt(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return Number(v);
}

/** Adds the transfer flags to `cmd` and returns it. */
export function withTransferFlags(cmd: Command): Command {
  return cmd
    .option('--transfers <n>', `files transferred in parallel (the API pacer still spaces the calls) (default: ${DEFAULT_TRANSFERS})`, positiveInt)
    .option('-n, --dry-run', 'transfer nothing; print what would be transferred')
    .option('--size-only', 'skip files of the same size at the destination, whatever their modification time')
    .option('--ignore-existing', 'skip every file that exists at the destination')
    .option('-P, --progress', 'show the progress line and the summary even when stderr is not a terminal')
    .option('--create-empty-src-dirs', 'also create the folders of the source that hold no file');
}

/** The side an argument names, local paths resolved against `cwd`. */
function sideOf(arg: string, cwd: string): { side: Side; remote?: string } {
  const p = parseCliPath(arg);
  return p.kind === 'remote' ? { side: { kind: 'remote', path: p.path }, remote: p.remote } : { side: { kind: 'local', path: resolve(cwd, p.path) } };
}

/** The last segment of a side's path (the name a copied file keeps). */
function nameOf(side: Side): string {
  return side.kind === 'local' ? basename(side.path) : baseName(side.path);
}

interface Plan {
  jobs: Job[];
  extraDirs: Side[];
}

/** The file transfers `kind SRC DST` means. Throws ENOENT when SRC does not exist, and what listing throws. */
async function planJobs(vfs: Vfs, kind: TransferCommandKind, src: Side, dst: Side, emptyDirs: boolean, io: CliIo): Promise<Plan> {
  const root = await statSide(vfs, src);
  if (!root) throw new FsError('ENOENT', 'source not found', { path: showSide(src) });
  if (root.kind === 'file') {
    const name = nameOf(src);
    return { jobs: [{ rel: name, src, dst: kind === 'copy' ? sideJoin(dst, name) : dst, item: root }], extraDirs: [] };
  }
  const items = await listTree(vfs, src, (rel, why) => io.stderr.write(`NOTICE: ${rel}: skipped: ${why}\n`));
  const jobs = items.filter((i) => i.kind === 'file').map((i) => ({ rel: i.rel, src: sideJoin(src, i.rel), dst: sideJoin(dst, i.rel), item: i }));
  const extraDirs = emptyDirs ? [dst, ...items.filter((i) => i.kind === 'dir').map((i) => sideJoin(dst, i.rel))] : [];
  return { jobs, extraDirs };
}

/**
 * `moveto` of a folder to a name that does not exist, within the account: one server-side move. Resolves
 * true when it did (or, with dry-run, would do) that; false when the per-file path applies.
 */
async function moveDirServerSide(vfs: Vfs, src: Side, dst: Side, dryRun: boolean, io: CliIo, logger: Logger): Promise<boolean> {
  if (src.kind !== 'remote' || dst.kind !== 'remote') return false;
  if ((await statSide(vfs, src))?.kind !== 'dir' || (await statSide(vfs, dst)) !== undefined) return false;
  if (dryRun) {
    io.stderr.write(`NOTICE: ${showSide(src)}: Skipped move as --dry-run is set\n`);
    return true;
  }
  await mkdirAll(vfs, parentOf(dst.path));
  await vfs.rename(src.path, dst.path);
  logger.info({ path: showSide(src), to: showSide(dst) }, 'Moved (server-side)');
  return true;
}

export interface TransferRun {
  kind: TransferCommandKind;
  srcArg: string;
  dstArg: string;
  flags: TransferFlags;
  cmd: Command;
  io: CliIo;
  clock?: Clock;
}

/**
 * Runs `kind SRC DST` as described in the module doc. Resolves with the counts; throws CliError exit 2 for
 * two local paths or two different remotes, ENOENT when SRC is missing, and CliError exit 1 after the run
 * when files failed (each already reported on stderr).
 */
export async function runTransferCommand(run: TransferRun): Promise<JobsOutcome | undefined> {
  const { kind, flags, io, cmd } = run;
  const a = sideOf(run.srcArg, io.cwd);
  const b = sideOf(run.dstArg, io.cwd);
  if (a.side.kind === 'local' && b.side.kind === 'local') {
    throw new CliError(`${kind} needs an account path (remote:path) on at least one side; both "${run.srcArg}" and "${run.dstArg}" are local`, 2);
  }
  const mode: TransferMode = kind === 'moveto' ? 'move' : 'copy';
  const quiet = cmd.optsWithGlobals<{ quiet?: boolean }>().quiet === true;
  const clock = run.clock ?? systemClock;
  const remote = singleRemote([a.remote, b.remote]);
  // Writing to the account, or removing what a move took from it.
  const writes = b.side.kind === 'remote' || (mode === 'move' && a.side.kind === 'remote');
  return withSession(cmd, io, remote, async (s) => {
    const dryRun = flags.dryRun === true;
    if (mode === 'move' && (await moveDirServerSide(s.vfs, a.side, b.side, dryRun, io, s.logger))) return undefined;
    const plan = await planJobs(s.vfs, kind, a.side, b.side, flags.createEmptySrcDirs === true, io);
    const verbose = ['info', 'debug', 'trace'].includes(s.resolved.settings.logLevel);
    const check: CheckMode = flags.ignoreExisting ? 'ignore-existing' : flags.sizeOnly ? 'size-only' : 'default';
    const outcome = await runJobs(
      s.vfs,
      plan.jobs,
      {
        mode,
        transfers: flags.transfers ?? DEFAULT_TRANSFERS,
        dryRun,
        check,
        extraDirs: plan.extraDirs,
        clock,
        forceProgress: flags.progress === true,
        quiet,
        summary: !dryRun && (flags.progress === true || verbose || (io.stderr.isTTY === true && !quiet)),
      },
      io,
      s.logger,
    );
    if (outcome.failed > 0) throw new CliError(`${outcome.failed} of ${plan.jobs.length} files failed`);
    return outcome;
  }, writes ? { writes: kind } : {});
}
