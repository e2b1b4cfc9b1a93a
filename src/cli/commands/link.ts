/**
 * `fichier-dav link remote:path...` and `link -R remote:folder`: direct download links for many files.
 *
 * - Each link is the remote's direct link (remote/commands.ts: a reusable get_token URL on 1fichier, with the
 *   remote's `cdn` and `file_password` settings). Every call goes through the pacer, which spaces them (at most
 *   LINK_CONCURRENCY in flight; the pacer's interval is what limits the rate).
 * - `--page` prints the permanent 1fichier file URL instead (what `rclone link` prints): the remote's
 *   publicLink, which checks that the file still exists (one file/info call) rather than trust the cache.
 * - Output: one file argument without -R prints just the URL (as rclone link); otherwise one
 *   `path<TAB>url` line per file, `path` being the file's path in the account, in argument and walk order.
 * - A file that fails (missing, a folder without -R, a local-only file, a refused token) is one line on
 *   stderr; the others still run; the exit status is then 1. Under -R, local-only files (0-byte and OS
 *   junk files, kept by fichier-dav, not stored on 1fichier) are skipped with a note, not counted as failures.
 */
import { Command } from 'commander';
import pLimit from 'p-limit';
import { FsError } from '../../core/errors.ts';
import type { Vfs, VfsEntry } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { schemaOptions } from '../options.ts';
import { accountPath, singleRemote } from '../paths.ts';
import { withSession } from '../run.ts';
import type { Session } from '../session.ts';
import { Failures } from './failures.ts';
import { examples } from './format.ts';
import { walkAll } from './list-walk.ts';

/** get_token calls in flight at once (the pacer spaces their starts anyway). */
export const LINK_CONCURRENCY = 4;

export interface LinkOptions {
  recursive: boolean;
  page: boolean;
}

/** What printLinks needs of a session: the VFS to find the files, the remote's links to print. */
export type LinkSource = Pick<Session, 'vfs' | 'publicLink' | 'commands'>;

/** The files the arguments name, in order; what cannot be linked is reported to `failures`. */
async function filesOf(vfs: Vfs, paths: string[], recursive: boolean, io: CliIo, failures: Failures): Promise<VfsEntry[]> {
  const out: VfsEntry[] = [];
  for (const path of paths) {
    try {
      const root = await vfs.stat(path);
      if (root.kind === 'file') {
        out.push(root);
        continue;
      }
      if (!recursive) throw new FsError('EISDIR', 'a folder: use -R to link the files in it', { path });
      for (const { entry } of await walkAll(vfs, root, -1)) {
        if (entry.kind !== 'file') continue;
        if (entry.local) io.stderr.write(`fichier-dav: ${entry.path}: skipped: a local-only file (not stored on 1fichier)\n`);
        else out.push(entry);
      }
    } catch (err) {
      failures.report(path, err);
    }
  }
  return out;
}

/** The link of one file. Throws ENOTSUP for a local-only file, what the remote's link throws otherwise. */
async function linkOf(source: LinkSource, file: VfsEntry, opts: LinkOptions): Promise<string> {
  if (file.local) throw new FsError('ENOTSUP', 'a local-only file (not stored on 1fichier) has no link', { path: file.path });
  return opts.page ? source.publicLink(file) : source.commands.directLink(file);
}

/**
 * Prints the links of the files `paths` name (see the module doc for the format). Resolves when every
 * link is printed; throws CliError (exit 1) at the end when any file failed (each reported on stderr).
 */
export async function printLinks(source: LinkSource, paths: string[], opts: LinkOptions, io: CliIo): Promise<void> {
  const failures = new Failures(io);
  const files = await filesOf(source.vfs, paths, opts.recursive, io, failures);
  const unresolved = failures.count;
  const bare = paths.length === 1 && !opts.recursive && files.length === 1;
  const limit = pLimit(LINK_CONCURRENCY);
  const settled = files.map((f) =>
    limit(() => linkOf(source, f, opts)).then(
      (url) => ({ url }),
      (err: unknown) => ({ err }),
    ),
  );
  for (const [i, pending] of settled.entries()) {
    const file = files[i]!;
    const r = await pending;
    if ('err' in r) failures.report(file.path, r.err);
    else io.stdout.write(bare ? `${r.url}\n` : `${file.path}\t${r.url}\n`);
  }
  failures.throwIfAny(files.length + unresolved, 'links');
}

export function linkCommand(io: CliIo): Command {
  const cmd = new Command('link')
    .description(
      'Print direct download links (reusable until the token expires) for files, or for every file below a folder with -R. ' +
        'One file: just the URL; several: one "path<TAB>url" line each.',
    )
    .argument('<remote:path...>', 'files (or folders with -R); bare paths are paths in the account')
    .option('-R, --recursive', 'link every file below the given folders')
    .option('--page', 'print the permanent 1fichier file URL (as rclone link) instead of a direct download link')
    .addHelpText('after', examples('fichier-dav link fichier:Movies/a.mkv', 'fichier-dav link -R fichier:Seeds > links.tsv', 'fichier-dav link --page fichier:a.zip fichier:b.zip'));
  for (const opt of schemaOptions(['cdn'])) cmd.addOption(opt);
  return cmd.action(async (specs: string[], flags: { recursive?: boolean; page?: boolean }, self: Command) => {
    const targets = specs.map(accountPath);
    const remote = singleRemote(targets.map((t) => t.remote));
    const opts: LinkOptions = { recursive: flags.recursive ?? false, page: flags.page ?? false };
    await withSession(self, io, remote, (s) => printLinks(s, targets.map((t) => t.path), opts, io));
  });
}
