/**
 * mount.json: fichier-dav's own settings file. Its fields are the schema's file fields (src/config/schema.ts), nested
 * by their dotted paths (`"pacer": { "minIntervalMs": 400 }`); mount.example.json shows every one of them.
 * Validation is strict: an unknown field, a wrong type or a secret field is an error naming the field and the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { defaultConfigDir, expandHome } from '../util/dirs.ts';
import { ConfigError } from './errors.ts';
import { jsonErrorPosition } from './json-locate.ts';
import { FIELDS, fieldByPath, isFileField, parseFieldJson, type SettingValue } from './schema.ts';

/** The file name looked for in the working directory and the config directory. */
export const MOUNT_FILE_NAME = 'mount.json';

export interface MountFileLocation {
  path: string;
  /** Named by --mount-config or FICHIER_DAV_CONFIG: it must exist. */
  explicit: boolean;
}

/**
 * Where mount.json is: `--mount-config` (flag), else env FICHIER_DAV_CONFIG, else ./mount.json, else
 * `$XDG_CONFIG_HOME/fichier-dav/mount.json` or `~/.config/fichier-dav/mount.json`, the first that exists.
 * Returns undefined when no implicit candidate exists; an explicit path is returned whether it exists or not.
 */
export function findMountFile(opts: { flag?: string; env: NodeJS.ProcessEnv; cwd: string; exists: (p: string) => boolean }): MountFileLocation | undefined {
  const named = opts.flag ?? (opts.env.FICHIER_DAV_CONFIG || undefined);
  if (named !== undefined) return { path: resolve(opts.cwd, expandHome(named, opts.env)), explicit: true };
  for (const candidate of [join(opts.cwd, MOUNT_FILE_NAME), join(defaultConfigDir(opts.env), MOUNT_FILE_NAME)]) {
    if (opts.exists(candidate)) return { path: candidate, explicit: false };
  }
  return undefined;
}

/** A validated mount.json: dotted field path -> typed value (durations in ms, sizes in bytes, paths absolute). */
export interface MountFile {
  path: string;
  values: Map<string, SettingValue>;
}

const FILE_PATHS = FIELDS.filter(isFileField).map((f) => f.path);
const GROUPS = new Set(FILE_PATHS.filter((p) => p.includes('.')).map((p) => p.slice(0, p.lastIndexOf('.'))));

/** Names that people try for the key; each gets a pointer to apiKeyFrom. */
const KEY_NAMES = new Set(['apikey', 'api_key', 'api-key', 'fichierapikey', 'token']);

function squash(s: string): string {
  return s.toLowerCase().replace(/[-_.]/g, '');
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The known file field closest to `path` (case, `-`/`_` and nesting ignored; a few typos allowed), or undefined
 * when nothing is close.
 */
export function suggestField(path: string): string | undefined {
  const want = squash(path);
  const leaf = squash(path.slice(path.lastIndexOf('.') + 1));
  let best: { path: string; d: number } | undefined;
  for (const candidate of FILE_PATHS) {
    const c = squash(candidate);
    const cLeaf = squash(candidate.slice(candidate.lastIndexOf('.') + 1));
    const d = Math.min(editDistance(want, c), editDistance(leaf, cLeaf));
    if (best === undefined || d < best.d) best = { path: candidate, d };
  }
  return best !== undefined && best.d <= Math.max(1, Math.floor(want.length / 4)) ? best.path : undefined;
}

function walk(obj: Record<string, unknown>, prefix: string, file: string, env: NodeJS.ProcessEnv, out: Map<string, SettingValue>): void {
  const origin = `mount.json ${file}`;
  for (const [name, raw] of Object.entries(obj)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (GROUPS.has(path)) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new ConfigError('bad-field', `${origin}: ${path} must be an object`, { field: path, file });
      }
      walk(raw as Record<string, unknown>, path, file, env, out);
      continue;
    }
    const field = fieldByPath(path);
    if (field === undefined) {
      if (KEY_NAMES.has(name.toLowerCase())) {
        throw new ConfigError('not-in-file', `${origin}: ${path}: the API key does not go in mount.json; use "apiKeyFrom": "env:FICHIER_API_KEY" (or "file:PATH")`, { field: path, file });
      }
      const hint = suggestField(path);
      throw new ConfigError('unknown-field', `${origin}: unknown field ${path}${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`, { field: path, file });
    }
    if (!isFileField(field)) {
      throw new ConfigError('not-in-file', `${origin}: ${path} is not accepted in mount.json (it is a secret): ${field.doc}`, { field: path, file });
    }
    if (raw === null) continue;
    let value: SettingValue;
    try {
      value = parseFieldJson(field, raw, origin);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(err.code, err.message, { field: path, file });
      throw err;
    }
    if (field.isPath && typeof value === 'string' && value !== '') {
      const expanded = expandHome(value, env);
      value = isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded);
    }
    out.set(path, value);
  }
}

/**
 * Validates mount.json text. `null` leaves a field unset (as if absent). Returns the values by dotted path.
 * Throws ConfigError: 'bad-json' (with line and column, never the text) for a syntax error or a non-object,
 * 'unknown-field' (with a "did you mean"), 'not-in-file' for the key or a secret field, 'bad-field' for a
 * wrong type or value (naming the field and the expected type, never the value).
 */
export function parseMountFile(text: string, file: string, env: NodeJS.ProcessEnv): MountFile {
  const body = text.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    const at = jsonErrorPosition(body);
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.column}`;
    throw new ConfigError('bad-json', `mount.json ${file}: invalid JSON${where}`, { file });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError('bad-json', `mount.json ${file}: must hold a JSON object ({ ... })`, { file });
  }
  const values = new Map<string, SettingValue>();
  walk(data as Record<string, unknown>, '', file, env, values);
  return { path: file, values };
}

/**
 * Reads and validates the mount.json at `path`. Throws ConfigError 'not-found' when it does not exist,
 * 'read-failed' when it cannot be read, and parseMountFile's errors.
 */
export function loadMountFile(path: string, env: NodeJS.ProcessEnv): MountFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError('not-found', `mount.json ${path} does not exist`, { file: path });
    throw new ConfigError('read-failed', `cannot read mount.json ${path} (${code ?? 'error'})`, { file: path, cause: err });
  }
  return parseMountFile(text, path, env);
}
