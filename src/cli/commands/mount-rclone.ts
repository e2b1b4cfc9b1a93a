/**
 * The rclone side of `fichier-dav mount`: finding Debian's (or any) rclone on PATH, and the exact command line,
 * environment and config file of `rclone mount` in front of the private gateway.
 *
 * What goes where, and why:
 * - The gateway's URL, user and password go in a config file private to this mount point (mode 0600 in a 0700
 *   directory; the password obscured as rclone's webdav backend expects), never on rclone's command line: any
 *   local user can read a process's arguments. Not in the environment either, although that is as private: rclone
 *   names a remote whose options come from flags or environment variables `name{hash}`, the hash covering those
 *   values, and the URL (a new port each run) would change the name of rclone's VFS cache every run. Files written
 *   just before a stop would then never be uploaded; with a config-file remote the name is stable and rclone
 *   uploads them at the next mount of the same mount point.
 * - The child inherits the caller's environment minus every RCLONE_* and FICHIER_* variable: the API key never
 *   reaches rclone, and a user's RCLONE_* settings meant for other remotes cannot change this mount behind our back.
 *   NOTIFY_SOCKET stays: under systemd (Type=notify, NotifyAccess=all) rclone tells systemd when its FUSE mount is up.
 * - vendor owncloud: the gateway speaks that dialect, so rclone keeps modtimes and checks MD5/SHA-1 hashes.
 * - Only flags the user's settings make meaningful are added (read-only, allow-other, allow-non-empty,
 *   vfs-case-insensitive); the
 *   others are this mount's fixed tuning, each explained below.
 */
import { accessSync, constants, type Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { obscure } from '../../config/obscure.ts';
import type { Settings } from '../../config/settings.ts';
import { CliError } from '../context.ts';
import { remoteSpec } from '../paths.ts';

/** Exit status of `fichier-dav mount` when rclone is not installed (sysexits EX_UNAVAILABLE). */
export const EXIT_NO_RCLONE = 69;

/**
 * rclone's own directory cache sits above the gateway's. Re-reading a listing from the gateway costs no API call
 * while the gateway's listing is fresh, so rclone keeps its copy at most this long: changes the gateway learns
 * (an rc vfs/refresh, the end of --dir-cache-time) reach the mount within seconds instead of a second full
 * --dir-cache-time.
 */
export const RCLONE_DIR_CACHE_CAP_MS = 10_000;

/**
 * rclone's in-memory read-ahead per open file (its --buffer-size, 16 MiB by default). The gateway already streams
 * ahead from 1fichier (1 MiB plus socket buffers), so a small buffer is enough for playback, and a media
 * server's probe of a file's head, tail and middle moves little more than what it reads.
 */
export const RCLONE_BUFFER_SIZE = '1M';

/**
 * The first ranged request rclone sends the gateway when a file is read (its --vfs-read-chunk-size, 128 MiB by
 * default; it doubles on sequential reads, without limit). The gateway asks 1fichier for exactly the range it is
 * asked, so a 128 MiB first chunk would let loopback socket buffers pull ~15 MB from 1fichier for a 64 KiB probe
 * (measured); 1 MiB keeps a probe near what it reads, and a sequential read reaches 128 MiB requests after 8.
 */
export const RCLONE_READ_CHUNK = '1M';

const INSTALL_ADVICE =
  'rclone is not installed (or not on PATH): fichier-dav mount runs rclone for the FUSE side. Install it: ' +
  'Debian/Ubuntu `sudo apt install rclone fuse3`, Fedora `sudo dnf install rclone fuse3`, macOS `brew install rclone` plus macFUSE, ' +
  'Windows `winget install Rclone.Rclone` plus WinFsp; or see https://rclone.org/install/';

/** The rclone executable on `env.PATH`; throws CliError (exit EXIT_NO_RCLONE) saying how to install it. */
export function findRclone(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const names = platform === 'win32' ? ['rclone.exe', 'rclone'] : ['rclone'];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  throw new CliError(INSTALL_ADVICE, EXIT_NO_RCLONE);
}

export interface RcloneMountInput {
  mountPoint: string;
  /** The gateway's WebDAV URL. */
  url: string;
  user: string;
  /** The gateway password in clear; obscured here for rclone. */
  pass: string;
  settings: Pick<Settings, 'readOnly' | 'dirCacheTime' | 'logLevel' | 'mount' | 'remote' | 'root' | 'vfsCaseInsensitive'>;
  /** rclone's cache directory (VFS cache of written files), private to this mount point. */
  cacheDir: string;
  /** The config file the caller writes `config` to (mode 0600). */
  configFile: string;
  /** The caller's environment, filtered for the child. */
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const RCLONE_LOG_LEVEL: Record<Settings['logLevel'], string> = { error: 'ERROR', warn: 'NOTICE', info: 'INFO', debug: 'DEBUG', trace: 'DEBUG' };

/** rclone's duration syntax for milliseconds ("1500ms"). */
const duration = (ms: number): string => `${Math.max(0, Math.round(ms))}ms`;

/** The remote's name in the private config file, hence in rclone's cache paths (`vfs/fichier-dav/...`). */
export const RCLONE_REMOTE = 'fichier-dav';

/** One rclone.conf value; rclone's INI reader takes the rest of the line, so a line break is all it cannot hold. */
function iniValue(v: string): string {
  if (/[\r\n]/.test(v)) throw new Error('a value of the rclone config contains a line break');
  return v;
}

/** The arguments, environment and config file content of the rclone child; pure. */
export function rcloneMountInvocation(input: RcloneMountInput): { args: string[]; env: NodeJS.ProcessEnv; config: string } {
  const { settings } = input;
  const platform = input.platform ?? process.platform;
  const args = [
    'mount',
    `${RCLONE_REMOTE}:`,
    input.mountPoint,
    '--config',
    input.configFile,
    '--cache-dir',
    input.cacheDir,
    '--vfs-cache-mode',
    settings.mount.vfsCacheMode,
    '--dir-cache-time',
    duration(Math.min(settings.dirCacheTime, RCLONE_DIR_CACHE_CAP_MS)),
    '--buffer-size',
    RCLONE_BUFFER_SIZE,
    '--vfs-read-chunk-size',
    RCLONE_READ_CHUNK,
    // What `mount` and `df` show as the file system: the remote, not ":webdav:".
    '--devname',
    remoteSpec(settings.remote, settings.root),
    '--log-level',
    RCLONE_LOG_LEVEL[settings.logLevel],
  ];
  // Finder and Explorer show the volume name.
  if (platform === 'darwin' || platform === 'win32') args.push('--volname', settings.remote);
  if (settings.readOnly) args.push('--read-only');
  if (settings.mount.allowOther) args.push('--allow-other');
  if (settings.mount.allowNonEmpty) args.push('--allow-non-empty');
  // rclone's VFS answers a look-up from its own listing, so a case-insensitive look-up must be its too (on macOS and
  // Windows rclone turns it on by default anyway).
  if (settings.vfsCaseInsensitive) args.push('--vfs-case-insensitive');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(input.env)) if (!/^(RCLONE|FICHIER)_/i.test(k)) env[k] = v;
  const config = [
    `[${RCLONE_REMOTE}]`,
    'type = webdav',
    `url = ${iniValue(input.url)}`,
    'vendor = owncloud',
    `user = ${iniValue(input.user)}`,
    `pass = ${obscure(input.pass)}`,
    '',
  ].join('\n');
  return { args, env, config };
}

/**
 * How many files rclone's VFS cache under `cacheDir` still has to upload: its metadata files
 * (`vfsMeta/<remote>/<path>`, JSON) marked `"Dirty": true`. 0 when there is no cache. Never rejects.
 */
export async function pendingUploads(cacheDir: string): Promise<number> {
  let count = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const text = await readFile(p, 'utf8').catch(() => '');
        if (/"Dirty"\s*:\s*true/.test(text)) count++;
      }
    }
  };
  await walk(join(cacheDir, 'vfsMeta'));
  return count;
}
