/**
 * `fichier-dav mkdir remote:path` (rclone mkdir: creates the missing parents too; an existing folder is
 * success) and `fichier-dav rmdir remote:path` (rclone rmdir: removes an empty folder only).
 */
import { Command } from 'commander';
import { FsError, isFsError } from '../../core/errors.ts';
import { parentOf } from '../../core/path.ts';
import type { Vfs } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { accountPath } from '../paths.ts';
import { withSession } from '../run.ts';
import { examples } from './format.ts';

/**
 * Makes folder `path` and any missing parent. Resolves when it exists as a folder; throws EEXIST when it
 * (or a parent) is a file, and what Vfs.mkdir throws otherwise.
 */
export async function mkdirAll(vfs: Vfs, path: string): Promise<void> {
  if (path === '') return;
  try {
    await vfs.mkdir(path);
  } catch (err) {
    if (isFsError(err, 'ENOENT')) {
      await mkdirAll(vfs, parentOf(path));
      await vfs.mkdir(path);
      return;
    }
    if (!isFsError(err, 'EEXIST')) throw err;
    const existing = await vfs.stat(path);
    if (existing.kind !== 'dir') throw new FsError('EEXIST', 'a file of that name exists', { path, cause: err });
  }
}

function pathCommand(io: CliIo, name: string, description: string, run: (vfs: Vfs, path: string) => Promise<void>, example: string[]): Command {
  return new Command(name)
    .description(description)
    .argument('<remote:path>', 'the folder; a bare path is a path in the account')
    .addHelpText('after', examples(...example))
    .action(async (spec: string, _flags: unknown, cmd: Command) => {
      const target = accountPath(spec);
      await withSession(cmd, io, target.remote, (s) => run(s.vfs, target.path), { writes: name });
    });
}

export function mkdirCommand(io: CliIo): Command {
  return pathCommand(io, 'mkdir', 'Make a folder, and its missing parents (as rclone mkdir); an existing folder is fine.', mkdirAll, [
    'fichier-dav mkdir fichier:Movies/2024/Summer',
  ]);
}

export function rmdirCommand(io: CliIo): Command {
  return pathCommand(
    io,
    'rmdir',
    'Remove an empty folder (as rclone rmdir). Fails with ENOTEMPTY when it holds anything: see delete --rmdirs.',
    (vfs, path) => vfs.rmdir(path),
    ['fichier-dav rmdir fichier:Movies/old'],
  );
}
