/**
 * The glue between commander actions and a Session: resolve the settings from the command's flags (and the
 * global ones), the environment and the config files, open the session, run the command, close it.
 */
import type { Command } from 'commander';
import { resolveSettings } from '../config/resolve.ts';
import type { ResolvedSettings } from '../config/settings.ts';
import { flagValues } from './options.ts';
import { CliError, type CliIo } from './context.ts';
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
 * Refuses a command that would write to a remote serving a public shared folder (rclone's shared_folder), before
 * anything is done, saying why: CliError exit 2. `command` names the command in the message.
 */
export function refuseSharedFolderWrites(resolved: ResolvedSettings, command: string): void {
  if (resolved.sharedFolder === undefined) return;
  const { remote } = resolved.settings;
  throw new CliError(
    `${command} would write to ${remote}:, which serves the public shared folder ${resolved.sharedFolder} (its shared_folder option); ` +
      `a shared folder is read-only. Use a remote without shared_folder to change the account's files.`,
    2,
  );
}

/**
 * Runs `fn` with a session on the account `remote` (the name from a `remote:path` argument, if any) and
 * closes the session afterwards, whatever `fn` did. With `writes` (the command's name), a remote serving a shared
 * folder is refused first (refuseSharedFolderWrites). Rejects with what resolving, opening or `fn` threw.
 */
export async function withSession<T>(cmd: Command, io: CliIo, remote: string | undefined, fn: (s: Session) => Promise<T>, opts: { writes?: string } = {}): Promise<T> {
  const resolved = settingsFor(cmd, io, remote);
  if (opts.writes !== undefined) refuseSharedFolderWrites(resolved, opts.writes);
  const session = await openSession(resolved, io, loggerFor(resolved, io));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
