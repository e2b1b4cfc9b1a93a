/**
 * `fichier-dav about [remote:]`: the account's space as `rclone about` prints it (Total/Used/Free, a line
 * left out when the value is unknown), raw byte counts with `--full`, rclone's JSON with `--json`.
 * Quota is 1fichier's cold storage: total = available_cold_storage, used = cold_storage (as rclone).
 */
import { Command } from 'commander';
import type { About } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { accountPath } from '../paths.ts';
import { withSession } from '../run.ts';
import { byteUnit, examples } from './format.ts';

/** rclone's about text: `%-9s%v` per known value, human sizes unless `full`. */
export function formatAbout(u: About, full: boolean): string {
  const rows: [string, number | undefined][] = [
    ['Total', u.total],
    ['Used', u.used],
    ['Free', u.free],
  ];
  return rows
    .filter((r): r is [string, number] => r[1] !== undefined)
    .map(([what, v]) => `${`${what}:`.padEnd(9)}${full ? String(v) : byteUnit(v)}\n`)
    .join('');
}

/** rclone's about JSON (Go's encoder with a tab indent; unknown values left out). */
export function aboutJson(u: About): string {
  return JSON.stringify({ total: u.total, used: u.used, free: u.free }, null, '\t') + '\n';
}

export function aboutCommand(io: CliIo): Command {
  return new Command('about')
    .description('Print the account quota: total, used and free space (as rclone about).')
    .argument('[remote:]', 'the account (default fichier:)')
    .option('--json', 'print JSON: {"total", "used", "free"} in bytes')
    .option('--full', 'print whole byte counts instead of human-readable sizes')
    .addHelpText('after', examples('fichier-dav about fichier:', 'fichier-dav about --json'))
    .action(async (spec: string | undefined, flags: { json?: boolean; full?: boolean }, cmd: Command) => {
      const remote = spec === undefined ? undefined : accountPath(spec).remote;
      await withSession(cmd, io, remote, async (s) => {
        const u = await s.vfs.about();
        io.stdout.write(flags.json ? aboutJson(u) : formatAbout(u, flags.full ?? false));
      });
    });
}
