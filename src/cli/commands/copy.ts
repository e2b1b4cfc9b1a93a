/**
 * `fichier-dav copy SRC DST`: rclone copy between the local disk and the account, either direction, or
 * within the account (server-side). SRC a folder: its contents go into DST, recursively (DST is created as
 * needed); SRC a file: it goes into the folder DST (copyto renames). Files already at the destination with
 * the same size and modification time (within 1 s), or the same whirlpool, are skipped (--size-only,
 * --ignore-existing as rclone). Downloads resume from a `<file>.partial` left by an interrupted run.
 * See src/cli/transfer/command.ts for the details.
 */
import { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { runTransferCommand, withTransferFlags, type TransferFlags } from '../transfer/command.ts';
import { examples } from './format.ts';

export function copyCommand(io: CliIo): Command {
  return withTransferFlags(
    new Command('copy')
      .description(
        'Copy files from SRC to DST, between the local disk and the account (either way) or within the account, skipping identical files (as rclone copy). ' +
          'A folder SRC copies its contents into DST; a file SRC goes into the folder DST. Interrupted downloads resume from <file>.partial.',
      )
      .argument('<src>', 'a local path or remote:path')
      .argument('<dst>', 'a local path or remote:path (a folder)'),
  )
    .addHelpText(
      'after',
      examples('fichier-dav copy ~/Videos fichier:Videos -P', 'fichier-dav copy fichier:Backups/2024 ./restore', 'fichier-dav copy fichier:a.zip fichier:Archive'),
    )
    .action(async (src: string, dst: string, flags: TransferFlags, cmd: Command) => {
      await runTransferCommand({ kind: 'copy', srcArg: src, dstArg: dst, flags, cmd, io });
    });
}
