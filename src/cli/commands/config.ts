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
import { probeSharedState } from '../../app/shared-state.ts';
import { sharedStateFor } from '../session.ts';

export function configCommand(io: CliIo): Command {
  const show = new Command('show')
    .description('Print the effective configuration: every setting, its value (the API key and passwords masked) and where it came from.')
    .argument('[remote:]', 'the rclone remote to resolve (default fichier:)')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExamples:\n  fichier-dav config show\n  fichier-dav config show myremote: --config ~/.config/rclone/rclone.conf --json');
  for (const opt of schemaOptions(SERVE_FIELDS)) show.addOption(opt);
  show.action(async (spec: string | undefined, flags: { json?: boolean }, cmd: Command) => {
    const remote = spec === undefined ? undefined : accountPath(spec).remote;
    const resolved = settingsFor(cmd, io, remote);
    // With a shared state, say whether its Redis answers now (a gateway started now would pace alone otherwise).
    const shared = resolved.settings.sharedState === undefined ? undefined : await probeSharedState(sharedStateFor(resolved.settings));
    if (flags.json) {
      io.stdout.write(JSON.stringify({ ...configShowJson(resolved), sharedState: shared ?? null }, null, 2) + '\n');
      return;
    }
    io.stdout.write(formatConfigShow(resolved));
    if (shared) {
      io.stdout.write(`\nShared state: ${shared.address} ${shared.up ? 'reachable (gateways pace together)' : `NOT reachable (${shared.reason ?? 'no answer'}): a gateway would pace alone at its fallback share`}\n`);
    }
  });
  return new Command('config').description('Inspect the configuration.').addCommand(show);
}
