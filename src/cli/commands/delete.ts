/**
 * `fichier-dav delete remote:path`, as rclone delete: removes every file below the path and keeps the
 * folders; `--rmdirs` then removes the folders left empty (never the path itself); on a file, removes that
 * file. `--dry-run`/`-n` removes nothing and prints rclone's notice for each file (and folder) instead.
 * A file that fails is reported on stderr and the others are still removed; the exit status is then 1.
 */
import { Command } from 'commander';
import { isFsError } from '../../core/errors.ts';
import type { Logger } from '../../util/log.ts';
import type { Vfs } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { accountPath } from '../paths.ts';
import { withSession } from '../run.ts';
import { Failures } from './failures.ts';
import { examples, sizeSuffix } from './format.ts';
import { walkAll, type Listed } from './list-walk.ts';

export interface DeleteOptions {
  rmdirs: boolean;
  dryRun: boolean;
}

/** rclone's --dry-run notice (its log line without the date). */
function skipped(io: CliIo, rel: string, action: string, size?: number): void {
  io.stderr.write(`NOTICE: ${rel}: Skipped ${action} as --dry-run is set${size === undefined ? '' : ` (size ${sizeSuffix(size)})`}\n`);
}

const depthOf = (rel: string): number => rel.split('/').length;

/**
 * Deletes as described above. Resolves when done; throws what Vfs.stat throws for `path` itself, and
 * CliError (exit 1) after the run when some items failed (each already reported on stderr).
 */
export async function deletePath(vfs: Vfs, path: string, opts: DeleteOptions, io: CliIo, logger: Logger): Promise<void> {
  const root = await vfs.stat(path);
  const items = await walkAll(vfs, root, -1);
  const files = items.filter((i) => i.entry.kind === 'file');
  const dirs = root.kind === 'dir' && opts.rmdirs ? items.filter((i) => i.entry.kind === 'dir').sort((a, b) => depthOf(b.rel) - depthOf(a.rel)) : [];
  const failures = new Failures(io);
  const attempt = async (item: Listed, action: string, run: () => Promise<void>): Promise<void> => {
    if (opts.dryRun) return skipped(io, item.rel, action, item.entry.kind === 'file' ? item.entry.size : undefined);
    try {
      await run();
      logger.info({ path: item.entry.path }, action === 'delete' ? 'Deleted' : 'Removing directory');
    } catch (err) {
      if (action === 'remove directory' && isFsError(err, 'ENOTEMPTY')) return;
      failures.report(item.entry.path, err);
    }
  };
  for (const f of files) await attempt(f, 'delete', () => vfs.unlink(f.entry.path));
  for (const d of dirs) await attempt(d, 'remove directory', () => vfs.rmdir(d.entry.path));
  failures.throwIfAny(files.length + dirs.length, 'deletions');
}

export function deleteCommand(io: CliIo): Command {
  return new Command('delete')
    .description('Remove the files in a path, recursively, keeping the folders (as rclone delete); --rmdirs also removes the emptied folders.')
    .argument('<remote:path>', 'the folder (or file) to delete from; a bare path is a path in the account')
    .option('--rmdirs', 'also remove the folders left empty (never the path itself)')
    .option('-n, --dry-run', 'remove nothing; print what would be removed')
    .addHelpText('after', examples('fichier-dav delete fichier:Movies/old --dry-run', 'fichier-dav delete --rmdirs fichier:Movies/old'))
    .action(async (spec: string, flags: { rmdirs?: boolean; dryRun?: boolean }, cmd: Command) => {
      const target = accountPath(spec);
      await withSession(cmd, io, target.remote, (s) =>
        deletePath(s.vfs, target.path, { rmdirs: flags.rmdirs ?? false, dryRun: flags.dryRun ?? false }, io, s.logger),
        { writes: 'delete' },
      );
    });
}
