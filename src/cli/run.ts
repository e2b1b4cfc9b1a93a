/**
 * The glue between commander actions and a Session: resolve the settings from the command's flags (and the
 * global ones), the environment and the config files, open the session, run the command, close it.
 */
import type { Command } from 'commander';
import { resolveSettings } from '../config/resolve.ts';
import type { ResolvedSettings } from '../config/settings.ts';
import { flagValues } from './options.ts';
import type { CliIo } from './context.ts';
import { loggerFor, openSession, type Session } from './session.ts';

/**
 * Resolves the settings for `cmd` (its flags and its parents'), printing config warnings to stderr. `remote` is the
 * remote a `remote:path` argument names; `root`, for the commands that serve a folder, that argument's path.
 */
export function settingsFor(cmd: Command, io: CliIo, remote?: string, root?: string): ResolvedSettings {
  const resolved = resolveSettings({
    flags: flagValues(cmd),
    env: io.env,
    cwd: io.cwd,
    ...(remote !== undefined ? { remote } : {}),
    ...(root !== undefined ? { root } : {}),
  });
  for (const w of resolved.warnings) io.stderr.write(`fichier-dav: warning: ${w}\n`);
  return resolved;
}

/**
 * Runs `fn` with a session on the account `remote` (the name from a `remote:path` argument, if any) and
 * closes the session afterwards, whatever `fn` did. Rejects with what resolving, opening or `fn` threw.
 */
export async function withSession<T>(cmd: Command, io: CliIo, remote: string | undefined, fn: (s: Session) => Promise<T>): Promise<T> {
  const resolved = settingsFor(cmd, io, remote);
  const session = await openSession(resolved, io, loggerFor(resolved, io));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
