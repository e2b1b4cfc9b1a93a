import { Command, CommanderError } from 'commander';
import { redact } from '../util/secret.ts';
import { CliError, processIo, type CliIo, type CliStream } from './context.ts';
import { registerCommands } from './commands/index.ts';
import { installCrashHandlers } from './crash.ts';
import { errorMessage } from './errors.ts';

/**
 * The `fichier-dav` command, modeled on rclone: one sub-command per job, each with --help.
 * Runs `argv` (without the node and script names) against `io` and resolves with the exit status:
 * 0 success, 1 runtime error, 2 usage error. Never rejects.
 */
export async function run(argv: string[], rawIo: CliIo): Promise<number> {
  const io = redactingIo(rawIo);
  const program = new Command('fichier-dav')
    .description('Serve a 1fichier.com account as a WebDAV drive, and work with it from the command line (rclone-compatible).')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.stderr.write(`fichier-dav: ${redact(errorMessage(err))}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

/** The same io with every line of output passed through redact(): no registered secret can be printed. */
function redactingIo(io: CliIo): CliIo {
  const wrap = (s: CliStream): CliStream => ({
    write: (text: string) => s.write(redact(text)),
    get isTTY() {
      return s.isTTY;
    },
    get columns() {
      return s.columns;
    },
  });
  return { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr) };
}

/** Entry point of bin/fichier-dav.js: runs against the real process and sets its exit code. */
export async function main(argv: string[]): Promise<void> {
  const io = processIo();
  installCrashHandlers(io.stderr);
  process.exitCode = await run(argv, io);
}
