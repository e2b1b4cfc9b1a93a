/**
 * One descriptor per setting: its dotted path in Settings and mount.json, type, doc, flag, environment variables,
 * mount.example.json value. The descriptors drive mount.json validation, the command-line options and their
 * --help text (src/cli/options.ts), `config show`, and README's configuration reference.
 * Defaults are not repeated here: they come from defaultSettings() (settings.ts).
 */
import { normalizeHostName, normalizeOrigin } from '../util/browser-guard.ts';
import { isLoopback, splitHostPort } from '../util/net.ts';
import { ConfigError } from './errors.ts';
import { defaultSettings } from './settings.ts';
import { parseSharedStateUrl } from './shared-state-url.ts';
import { UnitError, formatDuration, formatSize, parseBool, parseDuration, parseInteger, parseSize } from './units.ts';

export type FieldType = 'string' | 'boolean' | 'duration' | 'size' | 'int' | 'enum' | 'list';
export type FieldGroup = 'account' | 'webdav' | 'vfs' | 'mount' | 'pacer' | 'logging' | 'control' | 'emulator';
/** A list (type 'list') is strings: a repeatable flag, a comma-separated environment variable, a JSON array. */
export type SettingValue = string | number | boolean | readonly string[];

export interface FieldDescriptor {
  /** Dotted path in Settings and mount.json ('addr', 'pacer.minIntervalMs'). */
  path: string;
  group: FieldGroup;
  type: FieldType;
  /** enum: the allowed values. */
  values?: readonly string[];
  /** int, duration, size: smallest allowed value. */
  min?: number;
  /** int: largest allowed value. */
  max?: number;
  /** One or two sentences: the --help text and README's description. */
  doc: string;
  /** commander flags, e.g. '--addr <host:port>' (rclone's name where the meaning matches). */
  flag?: string;
  /** Environment variables, highest precedence first. */
  env: readonly string[];
  /** The value mount.example.json shows (JSON form); null means "not set". */
  example: unknown;
  /** Shown as `<set, N chars>`, never echoed. */
  secret?: boolean;
  /** Accepted in mount.json (default true). */
  inFile?: boolean;
  /** A file or directory: a leading ~ is expanded; a relative path in mount.json is relative to that file. */
  isPath?: boolean;
  /** The rclone remote key that also sets this field. */
  remoteKey?: 'cdn';
  /** How the default reads in --help and README when it depends on the machine. */
  defaultText?: string;
  /** Extra check of a parsed value (of each item of a list): returns what is wrong ("must be ..."), or undefined when fine. */
  check?: (value: SettingValue) => string | undefined;
  /** Canonical form of a parsed string or list item (e.g. a remote name without its ':'). */
  normalize?: (value: string) => string;
}

export const GROUP_TITLES: Record<FieldGroup, string> = {
  account: 'Account',
  webdav: 'WebDAV server (serve webdav)',
  vfs: 'Listings, reads and cache',
  mount: 'FUSE mount (fichier-dav mount)',
  pacer: 'API pacing',
  logging: 'Logging',
  control: 'Control port (rc and metrics)',
  emulator: 'Embedded emulator',
};

const checkAddr = (v: SettingValue): string | undefined => (splitHostPort(String(v)) === undefined ? 'must be HOST:PORT, e.g. 127.0.0.1:8080' : undefined);

function checkLoopbackAddr(v: SettingValue): string | undefined {
  const hp = splitHostPort(String(v));
  if (hp === undefined) return 'must be HOST:PORT, e.g. 127.0.0.1:5572';
  return isLoopback(hp.host) ? undefined : 'must be a loopback address (127.0.0.1, ::1 or localhost): the control port speaks plain HTTP';
}

const checkOrigin = (v: SettingValue): string | undefined =>
  normalizeOrigin(String(v)) === v ? undefined : 'must be a web origin such as http://localhost:3000 (scheme://host[:port], no path; "*" and "null" are refused)';

const checkHostName = (v: SettingValue): string | undefined =>
  normalizeHostName(String(v)) === v ? undefined : 'must be a host name or IP address without port, such as drive.example.com';

function checkUrl(v: SettingValue): string | undefined {
  try {
    const u = new URL(String(v));
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'must be an http:// or https:// URL';
  } catch {
    return 'must be an http:// or https:// URL';
  }
}

const checkRemote = (v: SettingValue): string | undefined =>
  /^[\w.+@-](?:[\w.+@ -]*[\w.+@-])?$/.test(String(v)) ? undefined : 'must be an rclone remote name (letters, digits, _ - . + @ and inner spaces)';

const checkRoot = (v: SettingValue): string | undefined =>
  String(v)
    .split('/')
    .some((s) => s === '.' || s === '..' || s.includes('\0'))
    ? 'must be a folder path in the account, without "." or ".." segments'
    : undefined;

const checkKeyFrom = (v: SettingValue): string | undefined =>
  /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(String(v)) || /^file:.+$/.test(String(v)) ? undefined : 'must be "env:NAME" or "file:PATH"';

const checkBaseurl = (v: SettingValue): string | undefined => (/^[^?#\s]*$/.test(String(v)) ? undefined : 'must be a URL path prefix such as /dav');

function checkSharedState(v: SettingValue): string | undefined {
  try {
    parseSharedStateUrl(String(v));
    return undefined;
  } catch (err) {
    return err instanceof ConfigError ? err.message.replace(/^sharedState /, '') : 'must be redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]';
  }
}

const envs = (name: string, rclone: boolean): string[] => (rclone ? [`FICHIER_DAV_${name}`, `RCLONE_${name}`] : [`FICHIER_DAV_${name}`]);

/** Every setting, in README order. */
export const FIELDS: readonly FieldDescriptor[] = [
  {
    path: 'remote', group: 'account', type: 'string', env: envs('REMOTE', false), example: 'fichier', check: checkRemote,
    normalize: (v) => v.replace(/:$/, ''),
    doc: 'The rclone remote (a `[name]` section with `type = fichier` in rclone.conf) to take the key and options from; a `remote:` argument on the command line wins.',
  },
  {
    path: 'root', group: 'account', type: 'string', env: envs('ROOT', false), example: '', check: checkRoot, normalize: (v) => v.split('/').filter((s) => s !== '').join('/'),
    doc: 'The folder of the account that `serve webdav` and `mount` serve as their root, e.g. `Media/Movies` (`""` = the whole account); nothing outside it can be reached, and a folder that does not exist stops the start. A `remote:path` argument (`serve webdav fichier:Media`) sets it on the command line. The other commands take full account paths.',
  },
  {
    path: 'apiKeyFrom', group: 'account', type: 'string', env: [], example: 'env:FICHIER_API_KEY', check: checkKeyFrom,
    doc: 'mount.json only: where the API key is, `env:NAME` (an environment variable) or `file:PATH` (a file holding only the key; `~` expanded, relative to mount.json). The key itself never goes in mount.json.',
  },
  {
    path: 'apiUrl', group: 'account', type: 'string', flag: '--api-url <url>', env: ['FICHIER_API_URL'], example: 'https://api.1fichier.com/v1', check: checkUrl,
    doc: 'Base URL of the 1fichier API (change it only to test against an emulator).',
  },
  {
    path: 'cdn', group: 'account', type: 'boolean', flag: '--fichier-cdn', env: ['RCLONE_FICHIER_CDN'], example: false, remoteKey: 'cdn',
    doc: 'Ask 1fichier for CDN download links (uses CDN credit). The rclone remote\'s `cdn` key and `RCLONE_CONFIG_<REMOTE>_CDN` also set it.',
  },
  {
    path: 'addr', group: 'webdav', type: 'string', flag: '--addr <host:port>', env: envs('ADDR', true), example: '127.0.0.1:8080', check: checkAddr,
    doc: 'Address the WebDAV server listens on; `:8080` means 127.0.0.1. Serving beyond loopback needs users (--user/--pass or --htpasswd) or --allow-anonymous.',
  },
  {
    path: 'user', group: 'webdav', type: 'string', flag: '--user <name>', env: envs('USER', true), example: null,
    doc: 'User name for Basic authentication (with --pass).',
  },
  {
    path: 'pass', group: 'webdav', type: 'string', flag: '--pass <password>', env: envs('PASS', true), example: null, secret: true, inFile: false,
    doc: 'Password for Basic authentication (with --user). Not accepted in mount.json; prefer FICHIER_DAV_PASS or --htpasswd to a flag other local users can read.',
  },
  {
    path: 'htpasswd', group: 'webdav', type: 'string', flag: '--htpasswd <file>', env: envs('HTPASSWD', true), example: null, isPath: true,
    doc: 'htpasswd file with the allowed users (bcrypt, APR1 MD5 or SHA-1 entries).',
  },
  {
    path: 'readOnly', group: 'webdav', type: 'boolean', flag: '--read-only', env: envs('READ_ONLY', true), example: false,
    doc: 'Refuse every change (403): browse and download only.',
  },
  {
    path: 'allowAnonymous', group: 'webdav', type: 'boolean', flag: '--allow-anonymous', env: envs('ALLOW_ANONYMOUS', false), example: false,
    doc: 'Allow serving a non-loopback address without any user.',
  },
  {
    path: 'allowOrigin', group: 'webdav', type: 'list', flag: '--allow-origin <origin>', env: envs('ALLOW_ORIGIN', true), example: [],
    check: checkOrigin, normalize: (v) => normalizeOrigin(v) ?? v,
    doc: 'A web origin (`http://localhost:3000`) whose pages may use the WebDAV server: answered with CORS headers (credentials allowed) and allowed to write. Repeat the flag for several; the environment takes a comma-separated list. By default no page of another origin may read or change anything (the control port never answers another origin).',
  },
  {
    path: 'allowHost', group: 'webdav', type: 'list', flag: '--allow-host <name>', env: envs('ALLOW_HOST', false), example: [],
    check: checkHostName, normalize: (v) => normalizeHostName(v) ?? v,
    doc: 'A host name the WebDAV server and the control port answer besides the loopback names (and, on a non-loopback address, IP addresses), e.g. the name of a reverse proxy in front or a LAN name; any other name gets 421 (protection against DNS rebinding). Repeatable. On a non-loopback address with users, every name is answered unless this is set.',
  },
  {
    path: 'baseurl', group: 'webdav', type: 'string', flag: '--baseurl <prefix>', env: envs('BASEURL', true), example: '', check: checkBaseurl,
    doc: 'URL path prefix to serve under, e.g. `/dav`.',
  },
  {
    path: 'cert', group: 'webdav', type: 'string', flag: '--cert <file>', env: envs('CERT', true), example: null, isPath: true,
    doc: 'TLS certificate chain (PEM); with --key, serves HTTPS.',
  },
  {
    path: 'key', group: 'webdav', type: 'string', flag: '--key <file>', env: envs('KEY', true), example: null, isPath: true,
    doc: 'TLS private key (PEM) for --cert. (This is not the API key.)',
  },
  {
    path: 'dirCacheTime', group: 'vfs', type: 'duration', min: 0, flag: '--dir-cache-time <duration>', env: envs('DIR_CACHE_TIME', true), example: '5m',
    doc: 'How long a folder listing is trusted before it is fetched again.',
  },
  {
    path: 'consistencyGrace', group: 'vfs', type: 'duration', min: 0, flag: '--consistency-grace <duration>', env: envs('CONSISTENCY_GRACE', false), example: '1m',
    doc: 'How long a change made through the gateway (upload, move, delete) wins over a 1fichier listing that does not show it yet (1fichier lists changes with a delay). 0 believes every listing at once.',
  },
  {
    path: 'vfsReadChunkSize', group: 'vfs', type: 'size', min: 0, flag: '--vfs-read-chunk-size <size>', env: envs('VFS_READ_CHUNK_SIZE', true), example: '128Mi',
    doc: 'Size of the first ranged request when reading a file; it doubles on sequential reads. 0 reads the rest of the file in one request.',
  },
  {
    path: 'vfsReadChunkSizeLimit', group: 'vfs', type: 'size', min: -1, flag: '--vfs-read-chunk-size-limit <size>', env: envs('VFS_READ_CHUNK_SIZE_LIMIT', true), example: 'off',
    doc: 'Largest size the read chunk doubles up to; `off` means no limit.',
  },
  {
    path: 'vfsCacheMaxSize', group: 'vfs', type: 'size', min: -1, flag: '--vfs-cache-max-size <size>', env: envs('VFS_CACHE_MAX_SIZE', true), example: '10Gi',
    doc: 'Total size of the read cache on disk (under the cache directory): the first and last bytes of every file read, so media rescans and previews, also after a restart, cost no API call and no download. Least recently used first out; `off` means no limit, 0 turns the cache off.',
  },
  {
    path: 'vfsReadCacheHead', group: 'vfs', type: 'size', min: 0, flag: '--vfs-read-cache-head <size>', env: envs('VFS_READ_CACHE_HEAD', false), example: '1Mi',
    doc: 'Bytes the read cache keeps from the start of each file read (what probes read of the headers).',
  },
  {
    path: 'vfsReadCacheTail', group: 'vfs', type: 'size', min: 0, flag: '--vfs-read-cache-tail <size>', env: envs('VFS_READ_CACHE_TAIL', false), example: '4Mi',
    doc: 'Bytes the read cache keeps from the end of each file read (an MP4 index at the end: about 4.5 MB for a two-hour film).',
  },
  {
    path: 'vfsCaseInsensitive', group: 'vfs', type: 'boolean', flag: '--vfs-case-insensitive', env: envs('VFS_CASE_INSENSITIVE', true), example: false,
    doc: 'A name that matches nothing exactly (nor in another Unicode spelling) finds the one file or folder whose name differs only by case, as Windows clients expect; writing to it replaces that item and keeps its spelling. Off by default: 1fichier names are case-sensitive. The mount passes it on to rclone.',
  },
  {
    path: 'cacheDir', group: 'vfs', type: 'string', flag: '--cache-dir <dir>', env: envs('CACHE_DIR', true), example: '~/.cache/fichier-dav', isPath: true,
    defaultText: '$XDG_CACHE_HOME/fichier-dav or ~/.cache/fichier-dav',
    doc: 'Directory of the metadata cache (one database per account).',
  },
  {
    path: 'mount.vfsCacheMode', group: 'mount', type: 'enum', values: ['off', 'minimal', 'writes', 'full'], flag: '--vfs-cache-mode <mode>', env: envs('VFS_CACHE_MODE', true), example: 'writes',
    doc: 'rclone\'s VFS cache of the mount: `writes` (the default here) stages every written file on disk, so editors, Office and out-of-order writers work; `full` also caches what is read; `off` and `minimal` stream writes and refuse what needs seeking.',
  },
  {
    path: 'mount.allowOther', group: 'mount', type: 'boolean', flag: '--allow-other', env: envs('ALLOW_OTHER', true), example: false,
    doc: 'Let other local users (a media server\'s account) use the mount; as a non-root user it needs `user_allow_other` in /etc/fuse.conf.',
  },
  {
    path: 'mount.allowNonEmpty', group: 'mount', type: 'boolean', flag: '--allow-non-empty', env: envs('ALLOW_NON_EMPTY', true), example: false,
    doc: 'Mount over a directory that is not empty (its files are hidden while mounted); refused by default.',
  },
  {
    path: 'mount.daemon', group: 'mount', type: 'boolean', flag: '--daemon', env: envs('DAEMON', false), example: false, inFile: false,
    doc: 'Run the mount in the background: the command returns once the mount answers, after writing the pid file.',
  },
  {
    path: 'mount.pidFile', group: 'mount', type: 'string', flag: '--pid-file <file>', env: envs('PID_FILE', false), example: null, inFile: false, isPath: true,
    defaultText: '<cache-dir>/mounts/<mount-point>-<hash>/fichier-dav.pid (with --daemon)',
    doc: 'Where a mount writes its process id (removed when it stops); `kill` that pid, or `fusermount3 -u` the mount point, to stop it.',
  },
  {
    path: 'pacer.minIntervalMs', group: 'pacer', type: 'duration', min: 0, flag: '--pacer-min-interval <duration>', env: envs('PACER_MIN_INTERVAL', false), example: 400,
    doc: 'Minimum time between two API calls (1fichier bans clients that call too fast). In mount.json a number is milliseconds.',
  },
  {
    path: 'pacer.concurrency', group: 'pacer', type: 'int', min: 1, max: 64, flag: '--pacer-concurrency <n>', env: envs('PACER_CONCURRENCY', false), example: 4,
    doc: 'API calls in flight at once.',
  },
  {
    path: 'pacer.banCooldownMs', group: 'pacer', type: 'duration', min: 0, flag: '--pacer-ban-cooldown <duration>', env: envs('PACER_BAN_COOLDOWN', false), example: 300000,
    doc: 'How long every API call waits after a first flood ban (JDownloader waits 5 minutes). While it runs, WebDAV writes and uncached reads answer 503 with Retry-After at once; the end of a ban is kept across restarts. In mount.json a number is milliseconds.',
  },
  {
    path: 'pacer.banCooldownEscalatedMs', group: 'pacer', type: 'duration', min: 0, flag: '--pacer-ban-cooldown-escalated <duration>', env: envs('PACER_BAN_COOLDOWN_ESCALATED', false), example: 3600000,
    doc: 'How long every API call waits after a ban that comes less than this long after the previous one ended, or that 1fichier answers with a bare "IP Locked" (JDownloader waits an hour). In mount.json a number is milliseconds.',
  },
  {
    path: 'pacer.listIntervalMs', group: 'pacer', type: 'duration', min: 0, flag: '--list-interval <duration>', env: envs('LIST_INTERVAL', false), example: 3000,
    doc: 'Minimum time between two folder listings, counted from the end of the previous one (1fichier allows about one listing every 3 seconds). In mount.json a number is milliseconds.',
  },
  {
    path: 'pacer.listFolderIntervalMs', group: 'pacer', type: 'duration', min: 0, flag: '--list-folder-interval <duration>', env: envs('LIST_FOLDER_INTERVAL', false), example: 30000,
    doc: 'Minimum time between two listings of one folder (1fichier allows one per 30 seconds); a folder listed more recently is answered from that listing, even on a forced refresh. In mount.json a number is milliseconds.',
  },
  {
    path: 'sharedState', group: 'pacer', type: 'string', flag: '--shared-state <url>', env: envs('SHARED_STATE', false), example: null, check: checkSharedState,
    doc: 'Share the pacing state (call spacing, listing budget, bans) and listing changes with the other gateways of the account through Redis: `redis://HOST:PORT[/DB]` or `rediss://` (TLS). No password in it: see sharedStatePassword. Unset: this gateway paces alone.',
  },
  {
    path: 'sharedStatePassword', group: 'pacer', type: 'string', env: envs('SHARED_STATE_PASSWORD', false), example: null, secret: true, inFile: false,
    doc: 'Password of the shared-state Redis, from the environment only (never a flag or mount.json); or use sharedStatePasswordFile.',
  },
  {
    path: 'sharedStatePasswordFile', group: 'pacer', type: 'string', flag: '--shared-state-password-file <file>', env: envs('SHARED_STATE_PASSWORD_FILE', false), example: null, isPath: true,
    doc: 'A file holding only the password of the shared-state Redis (used when sharedStatePassword is not set).',
  },
  {
    path: 'sharedStateFallbackPercent', group: 'pacer', type: 'int', min: 1, max: 100, flag: '--shared-state-fallback-percent <n>', env: envs('SHARED_STATE_FALLBACK_PERCENT', false), example: 25,
    doc: 'While the shared-state Redis is away, the percentage of the budget this gateway takes on its own (its call spacing is divided by it; listings follow a timetable shared by clock). Lower is safer with more gateways.',
  },
  {
    path: 'logLevel', group: 'logging', type: 'enum', values: ['error', 'warn', 'info', 'debug', 'trace'], flag: '--log-level <level>', env: envs('LOG_LEVEL', false), example: 'warn',
    doc: 'Log level; -v is info (one line per WebDAV request), -vv is debug.',
  },
  {
    path: 'logFormat', group: 'logging', type: 'enum', values: ['text', 'json'], flag: '--log-format <format>', env: envs('LOG_FORMAT', false), example: 'text',
    doc: 'Log lines as short text or as JSON objects (one per line).',
  },
  {
    path: 'rc', group: 'control', type: 'boolean', flag: '--rc', env: envs('RC', false), example: false,
    doc: 'Serve the control port: Prometheus metrics at /metrics and rclone-rc-like POST endpoints (vfs/refresh, vfs/forget, vfs/stats, core/stats).',
  },
  {
    path: 'rcAddr', group: 'control', type: 'string', flag: '--rc-addr <host:port>', env: envs('RC_ADDR', false), example: '127.0.0.1:5572', check: checkLoopbackAddr,
    doc: 'Address of the control port; loopback only (it speaks plain HTTP and can spend the account\'s API budget).',
  },
  {
    path: 'rcUser', group: 'control', type: 'string', flag: '--rc-user <name>', env: envs('RC_USER', true), example: null,
    doc: 'User name for Basic authentication on the control port (with --rc-pass); without it the control port needs no credentials.',
  },
  {
    path: 'rcPass', group: 'control', type: 'string', flag: '--rc-pass <password>', env: envs('RC_PASS', true), example: null, secret: true, inFile: false,
    doc: 'Password of --rc-user. Not accepted in mount.json; prefer FICHIER_DAV_RC_PASS to a flag other local users can read.',
  },
  {
    path: 'emulator', group: 'emulator', type: 'enum', values: ['auto', 'on', 'off'], flag: '--emulator <mode>', env: envs('EMULATOR', false), example: 'off',
    doc: 'Serve the embedded 1fichier emulator (seeded with a demo tree) instead of a real account: `on` always, `auto` only when no API key is configured (what `npm start` passes), `off` never.',
  },
  {
    path: 'emulatorData', group: 'emulator', type: 'string', flag: '--emulator-data <dir>', env: envs('EMULATOR_DATA', false), example: '.fichier-dav/emulator', isPath: true,
    doc: 'Data directory of the embedded emulator (relative to the working directory, or to mount.json when set there).',
  },
];

/** The values that only the rclone remote (or its environment variables) provides, for docs and `config show`. */
export interface RemoteValueDescriptor {
  /** Key in ResolvedSettings and in `sources`. */
  path: 'apiKey' | 'sharedFolder' | 'filePassword' | 'folderPassword';
  /** The rclone.conf key. */
  rcloneKey: 'api_key' | 'shared_folder' | 'file_password' | 'folder_password';
  secret: boolean;
  /** Environment variables, highest precedence first (<REMOTE> is the upper-case remote name). */
  env: readonly string[];
  doc: string;
}

export const REMOTE_VALUES: readonly RemoteValueDescriptor[] = [
  {
    path: 'apiKey', rcloneKey: 'api_key', secret: true,
    env: ['RCLONE_CONFIG_<REMOTE>_API_KEY', 'FICHIER_API_KEY', 'RCLONE_FICHIER_API_KEY'],
    doc: 'The 1fichier API key (premium account). From the environment, the rclone remote\'s `api_key`, or mount.json\'s `apiKeyFrom`; there is no flag for it.',
  },
  {
    path: 'sharedFolder', rcloneKey: 'shared_folder', secret: false,
    env: ['RCLONE_CONFIG_<REMOTE>_SHARED_FOLDER', 'RCLONE_FICHIER_SHARED_FOLDER'],
    doc: 'The rclone remote\'s `shared_folder`: the id of a public shared folder (`https://1fichier.com/dir/<id>`). Every command then works on that folder instead of the account\'s files, read-only (serve webdav and mount answer 403 to writes; write commands refuse); downloads still use the API key, as rclone does.',
  },
  {
    path: 'filePassword', rcloneKey: 'file_password', secret: true,
    env: ['RCLONE_CONFIG_<REMOTE>_FILE_PASSWORD', 'RCLONE_FICHIER_FILE_PASSWORD'],
    doc: 'The rclone remote\'s `file_password` (obscured as `rclone obscure` writes it): the password of protected files, sent when asking for a download link.',
  },
  {
    path: 'folderPassword', rcloneKey: 'folder_password', secret: true,
    env: ['RCLONE_CONFIG_<REMOTE>_FOLDER_PASSWORD', 'RCLONE_FICHIER_FOLDER_PASSWORD'],
    doc: 'The rclone remote\'s `folder_password`: the password of the shared folder. Obscured as `rclone config` writes it, or in clear as rclone 1.60 itself needs it (it sends the value as written): both work, the revealed form is tried first.',
  },
];

const BY_PATH = new Map(FIELDS.map((f) => [f.path, f]));

/** The descriptor of a dotted path, or undefined. */
export function fieldByPath(path: string): FieldDescriptor | undefined {
  return BY_PATH.get(path);
}

/** Whether mount.json may set the field. */
export function isFileField(field: FieldDescriptor): boolean {
  return field.inFile !== false;
}

/** The long flag name ('--addr') of a field, or undefined. */
export function flagName(field: FieldDescriptor): string | undefined {
  return field.flag?.split(' ')[0];
}

/** Reads a dotted path from a settings-like object. */
export function getPath(obj: object, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Writes a dotted path into a settings-like object, creating intermediate objects. */
export function setPath(obj: object, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts.at(-1) ?? path] = value;
}

/** The field's default (from defaultSettings(env)), or undefined when it is unset by default. */
export function fieldDefault(field: FieldDescriptor, env: NodeJS.ProcessEnv = process.env): SettingValue | undefined {
  return getPath(defaultSettings(env), field.path) as SettingValue | undefined;
}

/** A value as a person reads it: durations `5m`, sizes `128Mi`/`off`, others as text. Secrets are not masked here. */
export function formatFieldValue(field: FieldDescriptor, value: SettingValue): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (field.type === 'duration' && typeof value === 'number') return formatDuration(value);
  if (field.type === 'size' && typeof value === 'number') return formatSize(value);
  return String(value);
}

/** How the default reads in --help and README ('5m', '128Mi', 'off', '127.0.0.1:8080'), or undefined when unset. */
export function defaultText(field: FieldDescriptor): string | undefined {
  if (field.defaultText !== undefined) return field.defaultText;
  const v = fieldDefault(field, {});
  return v === undefined ? undefined : formatFieldValue(field, v);
}

/** What a field accepts, for error messages and docs. `json` describes mount.json's form. */
export function expectedText(field: FieldDescriptor, json: boolean): string {
  switch (field.type) {
    case 'string':
      return 'a string';
    case 'boolean':
      return json ? 'true or false' : 'true or false (also 1/0, t/f)';
    case 'duration':
      return json ? 'a duration string such as "5m" or "250ms", or a number of milliseconds' : 'a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds)';
    case 'size':
      return json ? 'a size string such as "128Mi" or "off", or a number of bytes' : 'a size such as 128Mi, 1G or off (binary units; a bare number is KiB)';
    case 'int':
      return `a whole number${field.min !== undefined ? ` from ${field.min}` : ''}${field.max !== undefined ? ` to ${field.max}` : ''}`;
    case 'enum':
      return `one of ${(field.values ?? []).map((v) => `"${v}"`).join(', ')}`;
    case 'list':
      return json ? 'an array of strings' : 'a value (repeat the flag, or separate values with commas)';
  }
}

function badField(field: FieldDescriptor, origin: string, what: string): ConfigError {
  return new ConfigError('bad-field', `${origin}: ${field.path} ${what}`, { field: field.path });
}

function finish(field: FieldDescriptor, origin: string, value: SettingValue, json: boolean): SettingValue {
  if (Array.isArray(value)) return value.map((item: string) => finish(field, origin, item, json) as string);
  let v = value;
  if (typeof v === 'string' && field.normalize) v = field.normalize(v);
  if (typeof v === 'number' && field.min !== undefined && v < field.min) throw badField(field, origin, `must be ${expectedText(field, json)}${field.type === 'int' ? '' : ` (at least ${field.min})`}`);
  if (typeof v === 'number' && field.max !== undefined && v > field.max) throw badField(field, origin, `must be ${expectedText(field, json)}`);
  if (field.type === 'enum' && !(field.values ?? []).includes(String(v))) throw badField(field, origin, `must be ${expectedText(field, json)}`);
  const problem = field.check?.(v);
  if (problem !== undefined) throw badField(field, origin, problem);
  return v;
}

/**
 * Parses a flag or environment value (text) into the field's typed value. `origin` names where it came from
 * ('env FICHIER_DAV_ADDR', 'flag --addr'). Throws ConfigError 'bad-field' naming the field, never the value.
 */
export function parseFieldText(field: FieldDescriptor, text: string, origin: string): SettingValue {
  let v: SettingValue;
  try {
    switch (field.type) {
      case 'boolean':
        v = parseBool(text);
        break;
      case 'duration':
        v = parseDuration(text);
        break;
      case 'size':
        v = parseSize(text);
        break;
      case 'int':
        v = parseInteger(text);
        break;
      case 'list':
        v = text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '');
        break;
      default:
        v = text;
    }
  } catch (err) {
    if (err instanceof UnitError) throw badField(field, origin, `must be ${expectedText(field, false)}`);
    throw err;
  }
  return finish(field, origin, v, false);
}

/**
 * Validates a mount.json value: strings for string/enum fields, booleans, whole numbers; durations and sizes as
 * rclone strings or numbers (milliseconds, bytes). Throws ConfigError 'bad-field' naming the field and the
 * expected type, never the value.
 */
export function parseFieldJson(field: FieldDescriptor, value: unknown, origin: string): SettingValue {
  const wrong = (): ConfigError => badField(field, origin, `must be ${expectedText(field, true)}`);
  switch (field.type) {
    case 'string':
    case 'enum':
      if (typeof value !== 'string') throw wrong();
      return finish(field, origin, value, true);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrong();
      return finish(field, origin, value, true);
    case 'list':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw wrong();
      return finish(field, origin, value as string[], true);
    case 'duration':
    case 'size':
      if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw wrong();
        return finish(field, origin, value, true);
      }
      if (typeof value !== 'string') throw wrong();
      try {
        return finish(field, origin, field.type === 'duration' ? parseDuration(value) : parseSize(value), true);
      } catch (err) {
        if (err instanceof UnitError) throw wrong();
        throw err;
      }
  }
}
