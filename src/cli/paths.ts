/**
 * Command-line paths as rclone reads them: `name:path` names a remote (`fichier:Movies/a.mkv`, `fichier:` for
 * the root), anything else is a local path. A one-letter name followed by `:\` or `:/` on Windows is a drive.
 */
import { CliError } from './context.ts';

export type CliPath = { kind: 'remote'; remote: string; path: string } | { kind: 'local'; path: string };

const REMOTE_NAME = /^[\w.+@ -]+$/;

/** Splits one argument into a remote or a local path; the remote path is normalised (no leading/trailing '/'). */
export function parseCliPath(arg: string, platform: NodeJS.Platform = process.platform): CliPath {
  const colon = arg.indexOf(':');
  const slash = arg.search(/[/\\]/);
  if (colon <= 0 || (slash >= 0 && slash < colon)) return { kind: 'local', path: arg };
  const name = arg.slice(0, colon);
  if (platform === 'win32' && name.length === 1 && /^[A-Za-z]$/.test(name)) return { kind: 'local', path: arg };
  if (!REMOTE_NAME.test(name) || name.startsWith(' ') || name.endsWith(' ')) return { kind: 'local', path: arg };
  return { kind: 'remote', remote: name, path: normaliseRemotePath(arg.slice(colon + 1)) };
}

/** Leading and trailing slashes dropped, repeated slashes collapsed; '' is the root. Rejects '.'/'..' segments. */
export function normaliseRemotePath(p: string): string {
  const segs = p.split('/').filter((s) => s !== '');
  if (segs.some((s) => s === '.' || s === '..')) throw new CliError(`invalid path "${p}": "." and ".." are not allowed in account paths`, 2);
  return segs.join('/');
}

/**
 * A path in the account for commands that only work there (ls, mkdir, link...): `remote:path`, or a bare
 * path meaning a path in the account. Returns the remote name (undefined for a bare path) and the path.
 */
export function accountPath(arg: string): { remote?: string; path: string } {
  const p = parseCliPath(arg);
  return p.kind === 'remote' ? { remote: p.remote, path: p.path } : { path: normaliseRemotePath(p.path) };
}

/** The one remote name a command's arguments use; a CliError when they name two different remotes. */
export function singleRemote(names: (string | undefined)[]): string | undefined {
  const set = new Set(names.filter((n): n is string => n !== undefined));
  if (set.size > 1) throw new CliError(`one command works on one remote; got ${[...set].map((n) => `"${n}:"`).join(' and ')}`, 2);
  return [...set][0];
}

/** How a remote and a path in it are written on the command line: `fichier:` for the root, `fichier:Media/Movies`. */
export function remoteSpec(remote: string, path: string): string {
  return `${remote}:${path}`;
}
