/**
 * `fichier-dav config show [remote:]`: the effective settings after every layer (defaults, mount.json, the
 * rclone remote, the environment, the flags), each with where it came from; secrets are masked.
 */
import { Command } from 'commander';
import { configShowJson, formatConfigShow } from '../../config/show.ts';
import type { CliIo } from '../context.ts';
import { schemaOptions } from '../options.ts';
import { accountPath } from '../paths.ts';
import { settingsFor } from '../run.ts';
import { SERVE_FIELDS } from './serve.ts';

export function configCommand(io: CliIo): Command {
  const show = new Command('show')
    .description('Print the effective configuration: every setting, its value (the API key and passwords masked) and where it came from.')
    .argument('[remote:]', 'the rclone remote to resolve (default fichier:)')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExamples:\n  fichier-dav config show\n  fichier-dav config show myremote: --config ~/.config/rclone/rclone.conf --json');
  for (const opt of schemaOptions(SERVE_FIELDS)) show.addOption(opt);
  show.action((spec: string | undefined, flags: { json?: boolean }, cmd: Command) => {
    const remote = spec === undefined ? undefined : accountPath(spec).remote;
    const resolved = settingsFor(cmd, io, remote);
    io.stdout.write(flags.json ? JSON.stringify(configShowJson(resolved), null, 2) + '\n' : formatConfigShow(resolved));
  });
  return new Command('config').description('Inspect the configuration.').addCommand(show);
}
