import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { ObscureError, reveal } from './obscure.ts';
import { decryptRcloneConfig, isEncryptedConfig } from './rclone-crypt.ts';
import { UnitError, parseBool } from './units.ts';
import { CodedError } from '../util/coded-error.ts';

/**
 * Reading an rclone config (rclone.conf) the way rclone does: goconfig's INI rules, rclone's search
 * order, config encryption and the environment overrides, narrowed to one `type = fichier` remote.
 */

/** Keys before any `[section]` land in this section, as in goconfig. */
export const DEFAULT_SECTION = 'DEFAULT';

export type RcloneConfigErrorCode =
  | 'parse'
  | 'read-failed'
  | 'wrong-type'
  | 'password-required'
  | 'bad-obscured'
  | 'bad-value';

/** A config problem; `code` says which. Messages name files, remotes and keys, never values. */
export class RcloneConfigError extends CodedError<RcloneConfigErrorCode> {
  override readonly name = 'RcloneConfigError';
}

function unquoteValue(right: string, lineNo: number): string {
  const quote = right.length >= 2 && right.startsWith('`') ? '`' : right.length >= 6 && right.startsWith('"""') ? '"""' : '';
  if (quote === '') return right;
  const end = right.lastIndexOf(quote);
  if (end < quote.length) throw new RcloneConfigError('parse', `could not parse line ${lineNo}: missing closing value quote`);
  return right.slice(quote.length, end);
}

function splitKey(line: string, lineNo: number): { key: string; rest: string } {
  const quote = line.startsWith('"""') && line.length > 6 ? '"""' : line.startsWith('"') ? '"' : line.startsWith('`') ? '`' : '';
  if (quote !== '') {
    const close = line.indexOf(quote, quote.length);
    const sep = close < 0 ? -1 : line.slice(close).search(/[=:]/);
    if (sep <= 0) throw new RcloneConfigError('parse', `could not parse line ${lineNo}`);
    return { key: line.slice(quote.length, close), rest: line.slice(close + sep + 1) };
  }
  const sep = line.search(/[=:]/);
  if (sep <= 0) throw new RcloneConfigError('parse', `could not parse line ${lineNo}`);
  return { key: line.slice(0, sep).trim(), rest: line.slice(sep + 1) };
}

/**
 * Parses rclone.conf text with goconfig's rules: `[name]` sections (keys before any section go to
 * DEFAULT), whole-line `#`/`;` comments only, the first `=` or `:` separates key and value, both
 * trimmed; keys may be quoted with `"`, backtick or `"""`; values wrapped in backticks or `"""` are
 * unwrapped, plain `"…"` values are kept verbatim; a UTF-8 BOM is skipped; a repeated key wins last.
 * Returns section name → (key → value). Throws RcloneConfigError 'parse' (with the line number,
 * never the line) for a line without a separator, an empty key, an unclosed quote, or keys under `[]`.
 */
export function parseRcloneConf(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section = DEFAULT_SECTION;
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[') && line.endsWith(']')) {
      section = line.slice(1, -1).trim();
      if (!sections.has(section)) sections.set(section, new Map());
      return;
    }
    if (section === '') throw new RcloneConfigError('parse', `empty section name not allowed (line ${lineNo})`);
    const { key, rest } = splitKey(line, lineNo);
    const value = unquoteValue(rest.trim(), lineNo);
    let keys = sections.get(section);
    if (keys === undefined) {
      keys = new Map();
      sections.set(section, keys);
    }
    keys.set(key, value);
  });
  return sections;
}

/**
 * rclone's config search order (§4.1): next to the executable, `%APPDATA%` (Windows only),
 * `$XDG_CONFIG_HOME`, `~/.config`, `~/.rclone.conf`. Returns candidate paths (existing or not), in order.
 */
export function rcloneConfigPaths(env: NodeJS.ProcessEnv, execDir: string, platform: NodeJS.Platform = process.platform): string[] {
  const paths = [join(execDir, 'rclone.conf')];
  if (platform === 'win32' && env.APPDATA) paths.push(join(env.APPDATA, 'rclone', 'rclone.conf'));
  if (env.XDG_CONFIG_HOME) paths.push(join(env.XDG_CONFIG_HOME, 'rclone', 'rclone.conf'));
  const home = env.HOME || env.USERPROFILE || homedir();
  if (home) paths.push(join(home, '.config', 'rclone', 'rclone.conf'), join(home, '.rclone.conf'));
  return paths;
}

/** True for the `--config` values that make rclone use an in-memory config (no file). */
export function isInMemoryConfigPath(p: string): boolean {
  return p === '' || basename(p) === 'notfound' || p === '/dev/null' || p.toUpperCase() === 'NUL';
}

/**
 * One fichier remote after rclone's precedence rules; file_password is revealed (plain), folder_password is kept as
 * written (see config/obscure.ts passwordCandidates: rclone itself sends it as written).
 */
export interface FichierRemote {
  /** Where api_key came from (`env:NAME` or `file:PATH`); where the remote was defined when there is no key. */
  source: string;
  /** Where every present field came from, for `config show`. */
  sources: Partial<Record<FichierKey, string>>;
  api_key?: string;
  cdn?: boolean;
  shared_folder?: string;
  file_password?: string;
  folder_password?: string;
}

export type FichierKey = 'api_key' | 'cdn' | 'shared_folder' | 'file_password' | 'folder_password';
const FICHIER_KEYS: readonly FichierKey[] = ['api_key', 'cdn', 'shared_folder', 'file_password', 'folder_password'];
const OBSCURED_KEYS: ReadonlySet<FichierKey> = new Set(['file_password']);

export interface ReadFichierRemoteOptions {
  /** `--config`; else `RCLONE_CONFIG`; else the first existing file of `rcloneConfigPaths`. */
  configPath?: string;
  env: NodeJS.ProcessEnv;
  /** Directory of the executable for the first search location (default: process.cwd()). */
  execDir?: string;
  /** Returns the file's text or undefined when it does not exist (default: fs, UTF-8). */
  readFile?: (p: string) => string | undefined;
}

function defaultReadFile(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RcloneConfigError('read-failed', `cannot read rclone config ${p}: ${(err as Error).message}`);
  }
}

interface LoadedFile {
  path: string;
  sections: Map<string, Map<string, string>>;
}

function loadConfig(opts: ReadFichierRemoteOptions): LoadedFile | undefined {
  const read = opts.readFile ?? defaultReadFile;
  const explicit = opts.configPath ?? opts.env.RCLONE_CONFIG;
  let path: string | undefined;
  let text: string | undefined;
  if (explicit !== undefined) {
    if (isInMemoryConfigPath(explicit)) return undefined;
    path = explicit;
    text = read(explicit);
  } else {
    for (const candidate of rcloneConfigPaths(opts.env, opts.execDir ?? process.cwd())) {
      text = read(candidate);
      if (text !== undefined) {
        path = candidate;
        break;
      }
    }
  }
  if (path === undefined || text === undefined) return undefined;
  if (isEncryptedConfig(text)) {
    const pass = opts.env.RCLONE_CONFIG_PASS;
    if (pass === undefined || pass === '') {
      throw new RcloneConfigError('password-required', `rclone config ${path} is encrypted: set RCLONE_CONFIG_PASS to its password`);
    }
    text = decryptRcloneConfig(text, pass);
  }
  return { path, sections: parseRcloneConf(text) };
}

/** The env var rclone reads for a per-remote option: RCLONE_CONFIG_<REMOTE>_<KEY>, upper case. */
export function remoteEnvName(remote: string, key: string): string {
  return `RCLONE_CONFIG_${remote}_${key.replace(/-/g, '_')}`.toUpperCase();
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function boolValue(value: string, key: string, remote: string): boolean {
  try {
    return parseBool(value);
  } catch (err) {
    if (!(err instanceof UnitError)) throw err;
    throw new RcloneConfigError('bad-value', `remote "${remote}": ${key} is not a boolean`);
  }
}

/**
 * Reads the fichier remote `name` with rclone's precedence per key:
 * `RCLONE_CONFIG_<NAME>_<KEY>` > `RCLONE_FICHIER_<KEY>` > config file. `RCLONE_CONFIG_<NAME>_TYPE=fichier`
 * defines the remote without a file. Encrypted configs are opened with `RCLONE_CONFIG_PASS`;
 * `file_password` is revealed from rclone's obscured form; `folder_password` is kept as written (both forms
 * work: config/obscure.ts passwordCandidates).
 * Returns undefined when no remote of that name exists. Throws RcloneConfigError: 'wrong-type' when
 * it exists with another type, 'password-required' for an encrypted file without RCLONE_CONFIG_PASS,
 * 'bad-obscured' (naming the key) for a password that does not reveal, 'bad-value' for a non-boolean
 * cdn, 'parse'/'read-failed' for the file; RcloneCryptError from decryption (e.g. 'bad-password').
 */
export function readFichierRemote(name: string, opts: ReadFichierRemoteOptions): FichierRemote | undefined {
  const file = loadConfig(opts);
  const section = file?.sections.get(name);
  const typeEnv = remoteEnvName(name, 'type');
  const envType = envValue(opts.env, typeEnv);
  const type = envType ?? section?.get('type');
  if (type === undefined) return undefined;
  if (type !== 'fichier') {
    throw new RcloneConfigError('wrong-type', `remote "${name}" has type "${type}", not "fichier"`);
  }
  const defined = envType !== undefined ? `env:${typeEnv}` : `file:${file?.path ?? ''}`;
  const remote: FichierRemote = { source: defined, sources: {} };
  for (const key of FICHIER_KEYS) {
    const perRemote = remoteEnvName(name, key);
    const backend = `RCLONE_FICHIER_${key.toUpperCase()}`;
    let value = envValue(opts.env, perRemote);
    let from = `env:${perRemote}`;
    if (value === undefined) {
      value = envValue(opts.env, backend);
      from = `env:${backend}`;
    }
    if (value === undefined) {
      value = section?.get(key);
      from = `file:${file?.path ?? ''}`;
    }
    if (value === undefined || value === '') continue;
    remote.sources[key] = from;
    if (key === 'cdn') {
      remote.cdn = boolValue(value, key, name);
    } else if (OBSCURED_KEYS.has(key)) {
      try {
        remote[key] = reveal(value);
      } catch (err) {
        if (!(err instanceof ObscureError)) throw err;
        throw new RcloneConfigError('bad-obscured', `remote "${name}": ${key} (from ${from}) is not obscured: use "rclone obscure" (${err.code})`);
      }
    } else {
      remote[key] = value;
    }
  }
  if (remote.sources.api_key !== undefined) remote.source = remote.sources.api_key;
  return remote;
}
