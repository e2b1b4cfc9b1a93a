/**
 * `fichier-dav remote-upload URL... --to remote:path`: 1fichier fetches the URLs itself into the folder (the
 * account operations of src/account, over the remote's backend command). Prints the job id; with `--wait`,
 * polls the job (through the pacer, every --interval, at most --timeout in all) until every URL has a result,
 * prints the results, and refreshes the folder's cached listing so the new files are listed at once. Exit 1
 * when a URL failed.
 *
 * `fichier-dav remote-upload status [ID]`: the account's jobs, or one job's results. Both print text, or JSON
 * with --json.
 */
import { Command, Option } from 'commander';
import { checkRemoteUrl } from '../../account/index.ts';
import { isFsError } from '../../core/errors.ts';
import { systemClock } from '../../util/clock.ts';
import { CliError, type CliIo } from '../context.ts';
import { accountPath } from '../paths.ts';
import { withSession } from '../run.ts';
import { examples } from './format.ts';
import { failedCount, formatJob, formatJobList, waitForJob } from './remote-jobs.ts';
import { parseDurationFlag } from './duration.ts';

/** Refuses (exit 2, before any session is opened) a URL 1fichier cannot fetch. */
function checkUrl(u: string): string {
  try {
    return checkRemoteUrl(u);
  } catch (err) {
    if (isFsError(err, 'EINVAL')) throw new CliError(err.message, 2);
    throw err;
  }
}

interface RequestFlags {
  to?: string;
  wait?: boolean;
  timeout: number;
  interval: number;
  json?: boolean;
}

function statusCommand(io: CliIo): Command {
  return new Command('status')
    .description('List the remote upload jobs of the account, or show one job and the result of each of its URLs.')
    .argument('[id]', 'a job id (as printed by remote-upload)')
    .option('--remote <remote:>', 'the account (default fichier:)')
    .addHelpText('after', examples('fichier-dav remote-upload status', 'fichier-dav remote-upload status 42 --json'))
    .action(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      // --json belongs to remote-upload, which also reads it after "status" (commander's non-positional options).
      const flags = cmd.optsWithGlobals<{ remote?: string; json?: boolean }>();
      if (id !== undefined && !/^\d+$/.test(id)) throw new CliError(`invalid job id "${id}": expected a number`, 2);
      const remote = flags.remote === undefined ? undefined : accountPath(flags.remote).remote;
      await withSession(cmd, io, remote, async (s) => {
        if (id === undefined) {
          const jobs = await s.account.remoteJobs();
          io.stdout.write(flags.json ? JSON.stringify(jobs, null, 2) + '\n' : formatJobList(jobs));
          return;
        }
        const job = await s.account.remoteJob(Number(id));
        io.stdout.write(flags.json ? JSON.stringify(job, null, 2) + '\n' : formatJob(job));
      });
    });
}

export function remoteUploadCommand(io: CliIo): Command {
  return new Command('remote-upload')
    .description('Have 1fichier fetch URLs into a folder of the account (remote upload; premium). Prints the job id; --wait follows it to the end.')
    .argument('[urls...]', 'the URLs to fetch (http, https, ftp)')
    .option('--to <remote:path>', 'the destination folder (must exist)')
    .option('--wait', 'wait until every URL is fetched, print the results and refresh the folder listing')
    .addOption(new Option('--timeout <duration>', 'longest --wait, e.g. 30s, 10m, 1h').argParser(parseDurationFlag).default(600_000, '10m'))
    .addOption(new Option('--interval <duration>', 'time between two status checks while waiting').argParser(parseDurationFlag).default(5_000, '5s'))
    .option('--json', 'print JSON (here and in status)')
    .addHelpText(
      'after',
      examples(
        'fichier-dav remote-upload https://example.com/file.iso --to fichier:Downloads',
        'fichier-dav remote-upload https://example.com/a.zip https://example.com/b.zip --to fichier: --wait --timeout 30m',
        'fichier-dav remote-upload status 42',
      ),
    )
    .addCommand(statusCommand(io))
    .action(async (urls: string[], flags: RequestFlags, cmd: Command) => {
      if (urls.length === 0) throw new CliError('give at least one URL to fetch (see --help)', 2);
      if (flags.to === undefined) throw new CliError('--to remote:path is required: the folder 1fichier fetches into', 2);
      urls.forEach(checkUrl);
      const dest = accountPath(flags.to);
      await withSession(cmd, io, dest.remote, async (s) => {
        const id = await s.account.startRemoteUpload(urls, dest.path);
        const where = dest.path === '' ? '/' : dest.path;
        if (!flags.wait) {
          io.stdout.write(
            flags.json
              ? JSON.stringify({ id, folder: where, urls }, null, 2) + '\n'
              : `job ${id} queued: ${urls.length} URL${urls.length === 1 ? '' : 's'} into ${where}; follow it with: fichier-dav remote-upload status ${id}\n`,
          );
          return;
        }
        const job = await waitForJob(s.account, id, { clock: systemClock, timeoutMs: flags.timeout, intervalMs: flags.interval });
        await s.vfs.refresh(dest.path);
        io.stdout.write(flags.json ? JSON.stringify({ ...job, folder: where }, null, 2) + '\n' : formatJob(job));
        const failed = failedCount(job);
        if (failed > 0) throw new CliError(`${failed} of ${job.results.length} URLs failed`);
      }, { writes: 'remote-upload' });
    });
}
