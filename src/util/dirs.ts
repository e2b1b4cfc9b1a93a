/**
 * fichier-dav's per-user directories (XDG base directories), computed from an injected environment so tests can
 * point them at a temporary HOME.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The user's home: $HOME, else %USERPROFILE%, else the OS answer. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function xdgBase(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const xdg = env[variable];
  return xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homeDir(env), fallback);
}

/**
 * The default cache directory: `$XDG_CACHE_HOME/fichier-dav` when XDG_CACHE_HOME is an absolute path (the XDG spec
 * says to ignore a relative one), else `~/.cache/fichier-dav`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgBase(env, 'XDG_CACHE_HOME', '.cache'), 'fichier-dav');
}

/** The default config directory: `$XDG_CONFIG_HOME/fichier-dav` (absolute only), else `~/.config/fichier-dav`. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgBase(env, 'XDG_CONFIG_HOME', '.config'), 'fichier-dav');
}

/** Expands a leading `~` or `~/` to the home directory; any other path is returned unchanged. */
export function expandHome(p: string, env: NodeJS.ProcessEnv = process.env): string {
  if (p === '~') return homeDir(env);
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(homeDir(env), p.slice(2));
  return p;
}
