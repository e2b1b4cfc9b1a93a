/**
 * The one typed configuration object. Every command reads its settings from a ResolvedSettings built by
 * resolveSettings() (src/config/resolve.ts) from defaults < mount.json < the rclone remote < environment < flags;
 * each field is described (type, default, doc, flag, env) in src/config/schema.ts.
 */
import type { Secret } from '../util/secret.ts';
import { defaultCacheDir } from '../util/dirs.ts';

export type LogFormat = 'text' | 'json';
export type LogLevelSetting = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type EmulatorMode = 'auto' | 'on' | 'off';

export interface PacerSettings {
  /** Minimum milliseconds between two API calls. */
  minIntervalMs: number;
  /** API calls in flight at once. */
  concurrency: number;
  /** Milliseconds to pause every call after a first flood ban. */
  banCooldownMs: number;
  /** Milliseconds to pause after a ban that follows another within that time, or that 1fichier calls long. */
  banCooldownEscalatedMs: number;
  /** Minimum milliseconds between two folder listings (any folders). */
  listIntervalMs: number;
  /** Minimum milliseconds between two listings of one folder. */
  listFolderIntervalMs: number;
}

export type VfsCacheMode = 'off' | 'minimal' | 'writes' | 'full';

/** `fichier-dav mount` only: the rclone FUSE mount in front of the gateway. */
export interface MountSettings {
  /** rclone --vfs-cache-mode. */
  vfsCacheMode: VfsCacheMode;
  /** rclone --allow-other. */
  allowOther: boolean;
  /** rclone --allow-non-empty. */
  allowNonEmpty: boolean;
  /** Run in the background once mounted. */
  daemon: boolean;
  /** Where the mount writes its pid; default under the cache directory. */
  pidFile?: string;
}

export interface Settings {
  /** rclone remote name, without ':' (default 'fichier'). */
  remote: string;
  /** The folder `serve webdav` and `mount` serve as their root ('' = the whole account), canonical (no slashes around). */
  root: string;
  /** WebDAV listen address, HOST:PORT. */
  addr: string;
  /** 1fichier API base URL. */
  apiUrl: string;
  /** mount.json only: where the API key is, 'env:NAME' or 'file:PATH' (~ expanded). */
  apiKeyFrom?: string;
  user?: string;
  pass?: string;
  htpasswd?: string;
  readOnly: boolean;
  allowAnonymous: boolean;
  /** Web origins allowed to use the servers from a page (CORS), canonical `scheme://host[:port]`. */
  allowOrigin: readonly string[];
  /** Host names answered besides loopback names and IP addresses, lower case. */
  allowHost: readonly string[];
  /** URL prefix ('' = root). */
  baseurl: string;
  /** TLS certificate chain (PEM file). */
  cert?: string;
  /** TLS private key (PEM file). */
  key?: string;
  /** Milliseconds a folder listing is trusted. */
  dirCacheTime: number;
  /** Milliseconds a change made through the gateway overrides stale listings of 1fichier (read-your-writes). */
  consistencyGrace: number;
  /** Bytes of the first ranged read; 0 = read the rest in one request. */
  vfsReadChunkSize: number;
  /** Bytes the read chunk may double up to; -1 = no limit. */
  vfsReadChunkSizeLimit: number;
  /** Total bytes of the persistent read cache (file heads and tails); -1 = no limit, 0 = off. */
  vfsCacheMaxSize: number;
  /** Bytes the read cache keeps from the start of each file read. */
  vfsReadCacheHead: number;
  /** Bytes the read cache keeps from the end of each file read. */
  vfsReadCacheTail: number;
  /** Look-ups fall back to the one name equal ignoring case (rclone --vfs-case-insensitive). */
  vfsCaseInsensitive: boolean;
  cacheDir: string;
  pacer: PacerSettings;
  /** Redis address of the state shared with the other gateways of the account (no password in it). */
  sharedState?: string;
  /** Its password (environment only). */
  sharedStatePassword?: string;
  /** A file holding its password. */
  sharedStatePasswordFile?: string;
  /** Percentage of the budget taken while the shared state is away. */
  sharedStateFallbackPercent: number;
  mount: MountSettings;
  logLevel: LogLevelSetting;
  logFormat: LogFormat;
  /** Serve the loopback control port (rc + metrics). */
  rc: boolean;
  /** Control port address; loopback only. */
  rcAddr: string;
  /** Basic authentication of the control port (both or neither). */
  rcUser?: string;
  rcPass?: string;
  emulator: EmulatorMode;
  /** Embedded emulator's data directory (relative paths are relative to the working directory). */
  emulatorData: string;
  /** Ask 1fichier for CDN download links (get_token cdn:1). */
  cdn: boolean;
}

export interface ResolvedSettings {
  settings: Settings;
  /** The API key; undefined when none is configured anywhere. */
  apiKey?: Secret;
  /** rclone remote's file_password, revealed. */
  filePassword?: Secret;
  /**
   * rclone remote's folder_password as written: obscured by `rclone config`, or in clear (rclone 1.60 sends it as
   * written, so configurations that work with rclone hold it in clear). Try config/obscure.ts passwordCandidates.
   */
  folderPassword?: Secret;
  /** rclone remote's shared_folder id. */
  sharedFolder?: string;
  /**
   * Dotted field ('pacer.minIntervalMs', 'apiKey', ...) -> where its value came from: 'default' |
   * 'mount.json:PATH' | 'rclone.conf:PATH [remote]' | 'env:NAME' | 'flag:--name' | 'arg:NAME:' (the remote named on
   * the command line). Fields that are not set have no entry.
   */
  sources: Record<string, string>;
  /** Human-readable warnings (e.g. a key-holding file readable by other users). */
  warnings: string[];
  /** The mount.json that was read, if any. */
  mountConfig?: string;
}

/** The real 1fichier API base (equal to api/types.ts REAL_API_BASE; config/ may not import api/). */
export const DEFAULT_API_URL = 'https://api.1fichier.com/v1';

/** The default rclone remote name. */
export const DEFAULT_REMOTE = 'fichier';

/** Every setting at its default; `env` only decides the default cache directory. */
export function defaultSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    remote: DEFAULT_REMOTE,
    root: '',
    addr: '127.0.0.1:8080',
    apiUrl: DEFAULT_API_URL,
    readOnly: false,
    allowAnonymous: false,
    allowOrigin: [],
    allowHost: [],
    baseurl: '',
    dirCacheTime: 300_000,
    consistencyGrace: 60_000,
    vfsReadChunkSize: 128 * 2 ** 20,
    vfsReadChunkSizeLimit: -1,
    vfsCacheMaxSize: 10 * 2 ** 30,
    vfsReadCacheHead: 2 ** 20,
    vfsReadCacheTail: 4 * 2 ** 20,
    vfsCaseInsensitive: false,
    cacheDir: defaultCacheDir(env),
    pacer: { minIntervalMs: 400, concurrency: 4, banCooldownMs: 300_000, banCooldownEscalatedMs: 3_600_000, listIntervalMs: 3000, listFolderIntervalMs: 30_000 },
    mount: { vfsCacheMode: 'writes', allowOther: false, allowNonEmpty: false, daemon: false },
    sharedStateFallbackPercent: 25,
    logLevel: 'warn',
    logFormat: 'text',
    rc: false,
    rcAddr: '127.0.0.1:5572',
    emulator: 'off',
    emulatorData: '.fichier-dav/emulator',
    cdn: false,
  };
}
