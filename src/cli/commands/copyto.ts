/**
 * `fichier-dav copyto SRC DST` and `moveto SRC DST` (rclone copyto/moveto): a file SRC goes to the exact
 * name DST (a rename when both are in the account: server-side copy or move); a folder SRC behaves as
 * `copy` (moveto: as `move`, or one server-side folder move when DST does not exist in the account).
 * moveto removes a source only after its destination is durable and verified. See
 * src/cli/transfer/command.ts for the details.
 */
import { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { runTransferCommand, withTransferFlags, type TransferCommandKind, type TransferFlags } from '../transfer/command.ts';
import { examples } from './format.ts';

function toCommand(io: CliIo, kind: Extract<TransferCommandKind, 'copyto' | 'moveto'>, description: string, lines: string[]): Command {
  return withTransferFlags(
    new Command(kind)
      .description(description)
      .argument('<src>', 'a local path or remote:path')
      .argument('<dst>', 'the exact destination name: a local path or remote:path'),
  )
    .addHelpText('after', examples(...lines))
    .action(async (src: string, dst: string, flags: TransferFlags, cmd: Command) => {
      await runTransferCommand({ kind, srcArg: src, dstArg: dst, flags, cmd, io });
    });
}

export function copytoCommand(io: CliIo): Command {
  return toCommand(
    io,
    'copyto',
    'Copy a file to the exact name DST (as rclone copyto), between the local disk and the account or within the account (server-side); an identical DST is left alone. A folder SRC works as copy.',
    ['fichier-dav copyto ./notes.txt fichier:Docs/notes-2024.txt', 'fichier-dav copyto fichier:Movies/a.mkv ./a.mkv', 'fichier-dav copyto fichier:a.zip fichier:Backup/b.zip'],
  );
}

export function movetoCommand(io: CliIo): Command {
  return toCommand(
    io,
    'moveto',
    'Move a file to the exact name DST (as rclone moveto): within the account a server-side move; across, the source is removed only once the copy is durable and verified. A folder SRC moves its files (one server-side folder move when DST does not exist in the account).',
    ['fichier-dav moveto fichier:Inbox/a.mkv fichier:Movies/A.mkv', 'fichier-dav moveto ./big.iso fichier:ISO/big.iso', 'fichier-dav moveto fichier:Old ./archive/Old'],
  );
}
