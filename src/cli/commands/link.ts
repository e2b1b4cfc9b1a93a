/**
 * `fichier-dav link remote:path...` and `link -R remote:folder`: direct download links for many files, through
 * the account operations (src/account/links.ts: the remote's direct links, a reusable get_token URL on
 * 1fichier with the remote's `cdn` and `file_password` settings, paced, a few in flight at once).
 *
 * - `--page` prints the permanent 1fichier file URL instead (what `rclone link` prints): the remote's
 *   publicLink, which checks that the file still exists (one file/info call) rather than trust the cache.
 * - Output: one file argument without -R prints just the URL (as rclone link); otherwise one
 *   `path<TAB>url` line per file, `path` being the file's path in the account, in argument and walk order.
 * - A file that fails (missing, a folder without -R, a local-only file, a refused token) is one line on
 *   stderr; the others still run; the exit status is then 1. Under -R, local-only files (0-byte and OS
 *   junk files, kept by fichier-dav, not stored on 1fichier) are skipped with a note, not counted as failures.
 */
import { Command } from 'commander';
import type { AccountOps } from '../../account/index.ts';
import type { CliIo } from '../context.ts';
import { schemaOptions } from '../options.ts';
import { accountPath, singleRemote } from '../paths.ts';
import { withSession } from '../run.ts';
import { Failures } from './failures.ts';
import { examples } from './format.ts';

/**
 * Prints the links of the files `paths` name (see the module doc for the format). Resolves when every
 * link is printed; throws CliError (exit 1) at the end when any file failed (each reported on stderr).
 */
export async function printLinks(account: Pick<AccountOps, 'links'>, paths: string[], opts: { recursive: boolean; page: boolean }, io: CliIo): Promise<void> {
  const failures = new Failures(io);
  let bare = false;
  const summary = await account.links(paths, opts, (e) => {
    if (e.type === 'files') bare = paths.length === 1 && !opts.recursive && e.count === 1;
    else if (e.type === 'skipped') io.stderr.write(`fichier-dav: ${e.path}: skipped: ${e.reason}\n`);
    else if (e.type === 'failed') failures.report(e.path, e.error);
    else io.stdout.write(bare ? `${e.url}\n` : `${e.path}\t${e.url}\n`);
  });
  failures.throwIfAny(summary.files + summary.unresolved, 'links');
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
    await withSession(self, io, remote, (s) =>
      printLinks(s.account, targets.map((t) => t.path), { recursive: flags.recursive ?? false, page: flags.page ?? false }, io),
    );
  });
}
