/**
 * The rclone tier of the configuration: the `type = fichier` remote (rclone.conf and rclone's environment
 * variables, through readFichierRemote), and the API key chosen across every tier.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Secret } from '../util/secret.ts';
import { expandHome } from '../util/dirs.ts';
import { ConfigError } from './errors.ts';
import { readableByOthersWarning } from './file-mode.ts';
import { RcloneConfigError, readFichierRemote, remoteEnvName, type FichierRemote } from './rclone-conf.ts';
import { RcloneCryptError, isEncryptedConfig } from './rclone-crypt.ts';
import { DEFAULT_REMOTE } from './settings.ts';

export interface RemoteLookup {
  remote: string;
  /** The remote was named (argument, env, mount.json), not the default: then every problem is an error. */
  explicit: boolean;
  /** `--config`: the rclone.conf to read instead of rclone's search order. */
  configPath?: string;
  env: NodeJS.ProcessEnv;
  execDir: string;
}

export interface LoadedRemote {
  /** The remote's values after rclone's own precedence (RCLONE_CONFIG_<R>_<KEY> > RCLONE_FICHIER_<KEY> > file). */
  values: FichierRemote;
  /** False when no remote of that name exists and only RCLONE_FICHIER_<KEY> variables were read. */
  defined: boolean;
  /** Set when an encrypted rclone.conf was skipped for the default remote (no RCLONE_CONFIG_PASS). */
  warning?: string;
}

function envOnly(opts: RemoteLookup): FichierRemote {
  const env = { ...opts.env, [remoteEnvName(opts.remote, 'type')]: 'fichier' };
  return readFichierRemote(opts.remote, { configPath: '', env }) ?? { source: '', sources: {} };
}

function wrap(err: unknown): never {
  if (err instanceof RcloneConfigError || err instanceof RcloneCryptError) {
    throw new ConfigError('rclone-config', `rclone config: ${err.message}`, { cause: err });
  }
  throw err;
}

/**
 * Reads the fichier remote `remote`. When it does not exist, the backend-wide RCLONE_FICHIER_<KEY> variables still
 * apply (as if the remote were defined by environment only). For the default remote, not named by the user, an
 * encrypted rclone.conf without RCLONE_CONFIG_PASS is skipped with a warning (someone whose key is in the
 * environment need not unlock rclone's config). Throws ConfigError 'remote-not-found' when a remote other than the
 * default `fichier` does not exist, 'rclone-config' (cause: the RcloneConfigError or RcloneCryptError) when
 * rclone.conf cannot be used.
 */
export function loadRemote(opts: RemoteLookup): LoadedRemote {
  try {
    const found = readFichierRemote(opts.remote, { configPath: opts.configPath, env: opts.env, execDir: opts.execDir });
    if (found !== undefined) return { values: found, defined: true };
    if (opts.remote !== DEFAULT_REMOTE) {
      throw new ConfigError('remote-not-found', `remote "${opts.remote}:" not found: no [${opts.remote}] section with type = fichier in rclone.conf, and ${remoteEnvName(opts.remote, 'type')} is not set`);
    }
    return { values: envOnly(opts), defined: false };
  } catch (err) {
    if (!opts.explicit && err instanceof RcloneConfigError && err.code === 'password-required') {
      return { values: envOnly(opts), defined: false, warning: `${err.message}; its [${opts.remote}] remote was not read` };
    }
    return wrap(err);
  }
}

/** `file:PATH` / `env:NAME` of readFichierRemote turned into a `sources` entry. */
export function remoteSource(from: string, remote: string): string {
  return from.startsWith('file:') ? `rclone.conf:${from.slice('file:'.length)} [${remote}]` : from;
}

export interface KeyChoice {
  key?: Secret;
  source?: string;
  /** A file the key was read from (rclone.conf or an apiKeyFrom file), for the permission warning. */
  file?: string;
}

function readKeyFile(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError('not-found', `${field}: the key file ${path} does not exist`, { field, file: path });
    throw new ConfigError('read-failed', `${field}: cannot read the key file ${path} (${code ?? 'error'})`, { field, file: path, cause: err });
  }
}

/**
 * The API key, highest first: RCLONE_CONFIG_<REMOTE>_API_KEY > FICHIER_API_KEY > RCLONE_FICHIER_API_KEY > the
 * rclone.conf remote's api_key > mount.json's apiKeyFrom (`env:NAME`: unset means no key; `file:PATH`, relative to mount.json: the
 * file's trimmed text). Lower tiers are not looked at once a higher one has a key. Throws ConfigError 'not-found' /
 * 'read-failed' for an apiKeyFrom file that cannot be read, 'key-missing' when it is empty.
 */
export function chooseApiKey(opts: { remote: LoadedRemote; remoteName: string; env: NodeJS.ProcessEnv; apiKeyFrom?: string; mountFile?: string }): KeyChoice {
  const { values } = opts.remote;
  const from = values.sources.api_key;
  const perRemote = remoteEnvName(opts.remoteName, 'api_key');
  if (values.api_key !== undefined && from === `env:${perRemote}`) return { key: new Secret(values.api_key), source: from };
  const own = opts.env.FICHIER_API_KEY?.trim();
  if (own) return { key: new Secret(own), source: 'env:FICHIER_API_KEY' };
  if (values.api_key !== undefined && from !== undefined) {
    const choice: KeyChoice = { key: new Secret(values.api_key.trim()), source: remoteSource(from, opts.remoteName) };
    if (from.startsWith('file:')) choice.file = from.slice('file:'.length);
    return choice;
  }
  const spec = opts.apiKeyFrom;
  if (spec === undefined) return {};
  const via = ` via mount.json:${opts.mountFile ?? ''}`;
  if (spec.startsWith('env:')) {
    const name = spec.slice('env:'.length);
    const v = opts.env[name]?.trim();
    return v ? { key: new Secret(v), source: `env:${name}${via}` } : {};
  }
  const expanded = expandHome(spec.slice('file:'.length), opts.env);
  const path = isAbsolute(expanded) || opts.mountFile === undefined ? expanded : resolve(dirname(opts.mountFile), expanded);
  const text = readKeyFile(path, 'apiKeyFrom');
  if (text === '') throw new ConfigError('key-missing', `apiKeyFrom: the key file ${path} is empty`, { field: 'apiKeyFrom', file: path });
  return { key: new Secret(text), source: `file:${path}${via}`, file: path };
}

/**
 * The permission warning for a file holding a secret, unless it is an encrypted rclone.conf. Returns undefined when
 * the file is private (or unreadable: other errors report that).
 */
export function secretFileWarning(file: string, what: string, platform?: NodeJS.Platform): string | undefined {
  try {
    if (isEncryptedConfig(readFileSync(file, 'utf8'))) return undefined;
  } catch {
    return undefined;
  }
  return readableByOthersWarning(file, what, platform);
}
