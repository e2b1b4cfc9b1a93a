/**
 * resolveSettings(): the one place that turns defaults, mount.json, the rclone remote, the environment and the
 * command-line flags into a ResolvedSettings, recording where every value came from.
 *
 * Precedence, lowest to highest: defaults < mount.json < rclone remote < environment < flags. The remote name
 * itself is decided first (argument > FICHIER_DAV_REMOTE > mount.json > 'fichier'), since it picks the remote.
 * Within the rclone tier, rclone's own order holds (RCLONE_CONFIG_<REMOTE>_<KEY> > RCLONE_FICHIER_<KEY> > file).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { expandHome } from '../util/dirs.ts';
import { Secret } from '../util/secret.ts';
import { ConfigError } from './errors.ts';
import { findMountFile, loadMountFile, type MountFile } from './mount-file.ts';
import { chooseApiKey, loadRemote, remoteSource, secretFileWarning, type LoadedRemote } from './remote-values.ts';
import { FIELDS, fieldByPath, fieldDefault, flagName, parseFieldText, setPath, type FieldDescriptor, type SettingValue } from './schema.ts';
import { defaultSettings, type ResolvedSettings, type Settings } from './settings.ts';

export { ConfigError, type ConfigErrorCode } from './errors.ts';

export interface ResolveInput {
  /**
   * Values the user set on the command line: dotted field paths (as flagValues() in src/cli/options.ts returns
   * them; typed values, or text to parse), plus `config` (rclone.conf path), `mountConfig` (mount.json path),
   * `verbose` (the -v count: 1 info, 2 debug, 3 trace) and `quiet` (-q: error). An explicit --log-level wins over
   * -v and -q. Other keys are ignored.
   */
  flags: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The remote named by a `remote:path` argument. */
  remote?: string;
  /** The path of a `remote:path` argument naming what to serve (serve webdav, mount): the `root` setting. */
  root?: string;
  /** Where rclone's first search location (rclone.conf next to the executable) is; default: the directory of the
   * running script (`bin/` when started as `node bin/fichier-dav.js`), else `cwd`. */
  execDir?: string;
  /** For the file permission check (tests); default process.platform. */
  platform?: NodeJS.Platform;
}

/** The directory of the running script (process.argv[1]), which is where rclone looks first ("next to the executable"). */
function defaultExecDir(cwd: string): string {
  const script = process.argv[1];
  return script ? dirname(resolvePath(cwd, script)) : cwd;
}
const VERBOSE_LEVELS = ['warn', 'info', 'debug', 'trace'] as const;

class Builder {
  readonly settings: Settings;
  readonly sources: Record<string, string> = {};

  constructor(env: NodeJS.ProcessEnv) {
    this.settings = defaultSettings(env);
    for (const f of FIELDS) if (fieldDefault(f, env) !== undefined) this.sources[f.path] = 'default';
  }

  set(path: string, value: SettingValue, source: string): void {
    setPath(this.settings, path, value);
    this.sources[path] = source;
  }
}

function envValue(field: FieldDescriptor, env: NodeJS.ProcessEnv): { value: SettingValue; name: string } | undefined {
  for (const name of field.env) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const parsed = parseFieldText(field, raw, `env ${name}`);
    return { value: field.isPath && typeof parsed === 'string' ? expandHome(parsed, env) : parsed, name };
  }
  return undefined;
}

function applyMountFile(b: Builder, file: MountFile): void {
  for (const [path, value] of file.values) b.set(path, value, `mount.json:${file.path}`);
}

function decideRemote(b: Builder, input: ResolveInput): void {
  const field = fieldByPath('remote');
  const fromEnv = field === undefined ? undefined : envValue(field, input.env);
  if (fromEnv !== undefined) b.set('remote', fromEnv.value, `env:${fromEnv.name}`);
  if (input.remote !== undefined && input.remote !== '' && field !== undefined) {
    b.set('remote', parseFieldText(field, input.remote, 'argument'), `arg:${input.remote}:`);
  }
}

function applyRemote(b: Builder, out: ResolvedSettings, loaded: LoadedRemote): void {
  const { values } = loaded;
  const name = b.settings.remote;
  const src = (key: keyof typeof values.sources): string => remoteSource(values.sources[key] ?? '', name);
  if (values.cdn !== undefined) b.set('cdn', values.cdn, src('cdn'));
  if (values.shared_folder !== undefined) {
    out.sharedFolder = values.shared_folder;
    b.sources.sharedFolder = src('shared_folder');
  }
  if (values.file_password !== undefined) {
    out.filePassword = new Secret(values.file_password);
    b.sources.filePassword = src('file_password');
  }
  if (values.folder_password !== undefined) {
    out.folderPassword = new Secret(values.folder_password);
    b.sources.folderPassword = src('folder_password');
  }
}

/** A `remote:path` argument of serve/mount names the root, above every other tier (as it names the remote). */
function applyRootArgument(b: Builder, input: ResolveInput): void {
  const field = fieldByPath('root');
  if (input.root === undefined || field === undefined) return;
  b.set('root', parseFieldText(field, input.root, 'argument'), `arg:${b.settings.remote}:${input.root}`);
}

function applyEnv(b: Builder, env: NodeJS.ProcessEnv): void {
  for (const field of FIELDS) {
    if (field.path === 'remote' || field.remoteKey !== undefined) continue;
    const v = envValue(field, env);
    if (v !== undefined) b.set(field.path, v.value, `env:${v.name}`);
  }
}

function applyFlags(b: Builder, input: ResolveInput): void {
  for (const [key, raw] of Object.entries(input.flags)) {
    const field = fieldByPath(key);
    if (field === undefined || field.flag === undefined || raw === undefined) continue;
    const flag = flagName(field) ?? key;
    const isList = Array.isArray(raw) && raw.every((item) => typeof item === 'string');
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean' && !isList) {
      throw new ConfigError('bad-field', `flag ${flag}: ${field.path} has an unexpected value type`, { field: field.path });
    }
    let value = typeof raw === 'string' ? parseFieldText(field, raw, `flag ${flag}`) : (raw as SettingValue);
    if (field.isPath && typeof value === 'string') value = expandHome(value, input.env);
    b.set(field.path, value, `flag:${flag}`);
  }
  if (input.flags.logLevel !== undefined) return;
  const verbose = input.flags.verbose;
  if (typeof verbose === 'number' && verbose > 0) {
    b.set('logLevel', VERBOSE_LEVELS[Math.min(verbose, VERBOSE_LEVELS.length - 1)] ?? 'info', `flag:-${'v'.repeat(verbose)}`);
  } else if (input.flags.quiet === true) {
    b.set('logLevel', 'error', 'flag:-q');
  }
}

function stringFlag(flags: Record<string, unknown>, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Resolves every setting. Returns the settings, the API key and the rclone remote's secrets (as Secret), the
 * source of every value, and warnings (a file holding a secret that others can read).
 * Throws ConfigError: 'bad-field' / 'unknown-field' / 'not-in-file' / 'bad-json' (mount.json, env or flag values),
 * 'not-found' (an explicitly named mount.json or apiKeyFrom file is missing), 'read-failed', 'key-missing',
 * 'remote-not-found' (a remote other than `fichier` does not exist), 'rclone-config' (rclone.conf unusable: parse
 * error, wrong type, encrypted without or with a wrong RCLONE_CONFIG_PASS).
 */
export function resolveSettings(input: ResolveInput): ResolvedSettings {
  const { env } = input;
  const b = new Builder(env);
  const location = findMountFile({ flag: stringFlag(input.flags, 'mountConfig'), env, cwd: input.cwd, exists: existsSync });
  const mountFile = location === undefined ? undefined : loadMountFile(location.path, env);
  if (mountFile !== undefined) applyMountFile(b, mountFile);
  decideRemote(b, input);

  const out: ResolvedSettings = { settings: b.settings, sources: b.sources, warnings: [] };
  if (mountFile !== undefined) out.mountConfig = mountFile.path;
  const configPath = stringFlag(input.flags, 'config');
  const remote = loadRemote({
    remote: b.settings.remote,
    explicit: b.sources.remote !== 'default',
    ...(configPath !== undefined ? { configPath: expandHome(configPath, env) } : {}),
    env,
    execDir: input.execDir ?? defaultExecDir(input.cwd),
  });
  if (remote.warning !== undefined) out.warnings.push(remote.warning);
  applyRemote(b, out, remote);
  applyEnv(b, env);
  applyFlags(b, input);
  applyRootArgument(b, input);
  // A public shared folder can only be read: whatever the other tiers say, everything that serves it is read-only.
  if (out.sharedFolder !== undefined) b.set('readOnly', true, `${b.sources.sharedFolder ?? 'shared_folder'} (shared_folder: read-only)`);

  const key = chooseApiKey({
    remote,
    remoteName: b.settings.remote,
    env,
    ...(b.settings.apiKeyFrom !== undefined ? { apiKeyFrom: b.settings.apiKeyFrom } : {}),
    ...(mountFile !== undefined ? { mountFile: mountFile.path } : {}),
  });
  if (key.key !== undefined && key.source !== undefined) {
    out.apiKey = key.key;
    b.sources.apiKey = key.source;
  }
  const secretFiles = new Set<string>();
  if (key.file !== undefined) secretFiles.add(key.file);
  for (const k of ['file_password', 'folder_password'] as const) {
    const from = remote.values.sources[k];
    if (from?.startsWith('file:')) secretFiles.add(from.slice('file:'.length));
  }
  for (const file of secretFiles) {
    const what = file === key.file ? 'the API key' : 'a password';
    const warning = secretFileWarning(file, what, input.platform);
    if (warning !== undefined) out.warnings.push(warning);
  }
  return out;
}
