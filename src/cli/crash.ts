/**
 * The last line of defence of the real process: an uncaught exception or unhandled rejection is reported on
 * stderr through redact() (so no registered secret, the API key included, can appear in a crash report) and
 * the process exits with status 70 (EX_SOFTWARE), leaving restarts to the supervisor (systemd's
 * Restart=on-failure). Node's state after an uncaught exception is not trustworthy, so it does not go on.
 */
import { inspect } from 'node:util';
import { redact } from '../util/secret.ts';
import type { CliStream } from './context.ts';

/** The crash report for `err`: its inspected form (stack, cause chain), redacted. */
export function crashReport(kind: string, err: unknown): string {
  return redact(`fichier-dav: fatal ${kind}: ${inspect(err, { depth: 4 })}\n`);
}

/** Installs the handlers on `proc` (default: the process). */
export function installCrashHandlers(stderr: CliStream, proc: Pick<NodeJS.Process, 'on' | 'exit'> = process): void {
  const fatal = (kind: string) => (err: unknown) => {
    stderr.write(crashReport(kind, err));
    proc.exit(70);
  };
  proc.on('uncaughtException', fatal('uncaught exception'));
  proc.on('unhandledRejection', fatal('unhandled rejection'));
}
