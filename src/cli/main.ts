import { Command, CommanderError } from 'commander';
import { emulatorCommand } from './emulator-command.ts';
import { serveCommand } from './serve-command.ts';
import { redact } from '../util/secret.ts';

/**
 * The `fichier-dav` command, modeled on rclone: one sub-command per job, each with --help.
 * Exit codes: 0 success, 1 runtime error, 2 usage error.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('fichier-dav')
    .description('Serve a 1fichier.com account as a WebDAV drive (rclone-compatible).')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(emulatorCommand());
  program.addCommand(serveCommand());
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`fichier-dav: ${redact(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  }
}
