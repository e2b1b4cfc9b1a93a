/**
 * `fichier-dav ls remote:path` and `lsd remote:path`, in rclone's formats.
 * - ls: every file below the path (recursive unless --max-depth), `%9d path` with the path relative to the
 *   argument; on a file, that file.
 * - lsd: the folders in the path (below it too with -R or --max-depth), rclone's line
 *   `%12d %19s %9d name`: size -1, modtime in local time, item count -1 (1fichier gives neither).
 */
import { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { accountPath } from '../paths.ts';
import { withSession } from '../run.ts';
import { examples, localDateTime } from './format.ts';
import { effectiveDepth, maxDepthOption, walk, type Listed } from './list-walk.ts';

/** One `ls` line. */
export function lsLine({ entry, rel }: Listed): string {
  return `${String(entry.size).padStart(9)} ${rel}\n`;
}

/** One `lsd` line. */
export function lsdLine({ entry, rel }: Listed): string {
  return `${'-1'.padStart(12)} ${localDateTime(entry.modTime).padStart(19)} ${'-1'.padStart(9)} ${rel}\n`;
}

function listingCommand(io: CliIo, name: 'ls' | 'lsd', description: string, kind: 'file' | 'dir', line: (l: Listed) => string): Command {
  const cmd = new Command(name)
    .description(description)
    .argument('<remote:path>', 'the folder (or file) to list; a bare path is a path in the account')
    .addOption(maxDepthOption());
  if (kind === 'dir') cmd.option('-R, --recursive', 'list the folders below the path too');
  return cmd.action(async (spec: string, flags: { maxDepth?: number; recursive?: boolean }, self: Command) => {
    const target = accountPath(spec);
    const depth = effectiveDepth(flags.maxDepth, kind === 'file' || (flags.recursive ?? false));
    await withSession(self, io, target.remote, async (s) => {
      for await (const item of walk(s.vfs, target.path, depth)) {
        if (item.entry.kind === kind) io.stdout.write(line(item));
      }
    });
  });
}

export function lsCommand(io: CliIo): Command {
  return listingCommand(io, 'ls', 'List the files below a path with their sizes (recursive, as rclone ls).', 'file', lsLine).addHelpText(
    'after',
    examples('fichier-dav ls fichier:Movies', 'fichier-dav ls fichier: --max-depth 1'),
  );
}

export function lsdCommand(io: CliIo): Command {
  return listingCommand(io, 'lsd', 'List the folders in a path (as rclone lsd; -R for every level).', 'dir', lsdLine).addHelpText(
    'after',
    examples('fichier-dav lsd fichier:', 'fichier-dav lsd -R fichier:Movies'),
  );
}
