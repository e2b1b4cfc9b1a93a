/**
 * A Session is everything a command needs to work on the account: the resolved settings, one logger, the VFS
 * over the persistent metadata store, the account operations (links, remote uploads), and the metrics. It is
 * a stack built by app/stack.ts from the settings; the API client stays inside it. With no API key and
 * `emulator` set to auto (what `npm start` passes) or on, the stack first starts the embedded emulator on a
 * loopback port, seeded with the demo tree, and serves that instead of a real account.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AccountOps } from '../account/index.ts';
import type { StackSharedStateOptions } from '../app/shared-state.ts';
import { createStack, type StackAccount, type StackOptions } from '../app/stack.ts';
import { passwordCandidates } from '../config/obscure.ts';
import type { ResolvedSettings } from '../config/settings.ts';
import { FsError } from '../core/errors.ts';
import { createMetrics, type Metrics } from '../observe/metrics.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { Secret } from '../util/secret.ts';
import type { Vfs } from '../vfs/types.ts';
import type { DavServer, DavServerOptions } from '../webdav/index.ts';
import { CliError, type CliIo } from './context.ts';
import { emulatorKeyFor } from './emulator-key.ts';
import { VERSION } from './version.ts';

export interface Session {
  resolved: ResolvedSettings;
  logger: Logger;
  vfs: Vfs;
  /** Links for many files and remote uploads (direct links with the settings' CDN and file password). */
  account: AccountOps;
  metrics: Metrics;
  /** The WebDAV server over the VFS, when the session was opened with server options (not listening yet). */
  server?: DavServer;
  /** Set when the session serves the embedded emulator rather than a real account. */
  emulator?: { apiBase: string; dataDir: string };
  /** Set with --shared-state: its health now (for the banner). */
  sharedState?: () => { up: boolean; address: string; mode: string };
  /** Stops the server, the VFS, the store, the client and the emulator, in that order. Never rejects. */
  close(): Promise<void>;
}

/** The shared-state options of the settings: the address, the password from the environment or its file. Throws CliError when the file cannot be read. */
export function sharedStateFor(settings: ResolvedSettings['settings']): StackSharedStateOptions {
  let password = settings.sharedStatePassword;
  if (password === undefined && settings.sharedStatePasswordFile !== undefined) {
    try {
      password = readFileSync(settings.sharedStatePasswordFile, 'utf8').trim();
    } catch (err) {
      throw new CliError(`cannot read sharedStatePasswordFile: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return { url: settings.sharedState!, fallbackShare: settings.sharedStateFallbackPercent / 100, ...(password ? { password } : {}) };
}

/** The logger the settings ask for, writing to the command's stderr. */
export function loggerFor(resolved: ResolvedSettings, io: CliIo): Logger {
  const { logLevel, logFormat } = resolved.settings;
  return createLogger({ level: logLevel, format: logFormat === 'json' ? 'json' : 'pretty', destination: io.stderr });
}

/** The message for a missing key: where a key may come from, never a guess at one. */
export const NO_KEY_MESSAGE =
  'no API key: set FICHIER_API_KEY (or RCLONE_FICHIER_API_KEY) in the environment, name an rclone remote ' +
  '(`fichier:` with `type = fichier` and `api_key` in rclone.conf), or use --emulator on to try the local emulator';

/** The shared folder of the stack: its id and the passwords to try (each registered for redaction). */
function sharedFolderOf(id: string, folderPassword: Secret | undefined): { id: string; passwords: string[] } {
  const passwords = folderPassword === undefined ? [] : passwordCandidates(folderPassword.reveal());
  for (const p of passwords) new Secret(p);
  return { id, passwords };
}

/**
 * The CliError (exit 2) for what the settings name and the stack could not open: a served root that is not a
 * folder, a shared folder that is unknown or refuses its password. Undefined for any other failure.
 */
function startError(err: unknown, resolved: ResolvedSettings, root: string): CliError | undefined {
  if (!(err instanceof FsError)) return undefined;
  const { remote } = resolved.settings;
  const shared = resolved.sharedFolder;
  if (shared !== undefined && (err.code === 'ENOENT' || err.code === 'EACCES') && err.path === '') {
    const why =
      err.code === 'ENOENT'
        ? 'is unknown to 1fichier or no longer shared'
        : resolved.folderPassword === undefined
          ? 'is protected by a password: set folder_password in the remote'
          : 'refused the folder_password of the remote (tried as written and revealed)';
    return new CliError(`the shared folder ${shared} (shared_folder of ${remote}:) ${why}`, 2, { cause: err });
  }
  if (root === '' || !['ENOENT', 'ENOTDIR', 'EINVAL'].includes(err.code)) return undefined;
  const why = err.code === 'ENOTDIR' ? 'is a file, not a folder' : err.code === 'EINVAL' ? 'is not a valid folder path' : 'does not exist';
  return new CliError(`the folder to serve, "${root}" in ${remote}:, ${why}`, 2, { cause: err });
}

/** The real account the settings name, or the embedded emulator (its data and key under `emulatorData`). */
function accountFor(resolved: ResolvedSettings, io: CliIo): StackAccount {
  const { settings } = resolved;
  const useEmulator = settings.emulator === 'on' || (settings.emulator === 'auto' && resolved.apiKey === undefined);
  if (!useEmulator) {
    if (resolved.apiKey === undefined) throw new CliError(NO_KEY_MESSAGE);
    return { apiBase: settings.apiUrl, apiKey: resolved.apiKey };
  }
  const dataDir = resolve(io.cwd, settings.emulatorData);
  // The real service's rules at real timings: what the demo shows is what an account would do.
  return { emulator: { apiKey: new Secret(emulatorKeyFor(dataDir)), dataDir, demo: true, profile: 'realistic' } };
}

/** The WebDAV server a session may build: its options, and whether browsers get the web file manager. */
export interface SessionServerOptions extends Omit<DavServerOptions, 'vfs' | 'logger' | 'metrics' | 'frontEnd'> {
  webUi?: boolean;
}

export interface SessionOptions {
  /** Also build the WebDAV server over the session's VFS (not listening yet). */
  server?: SessionServerOptions;
  /**
   * Root the session's VFS at the settings' `root` folder (what serve webdav and mount serve); the other
   * commands work on the whole account with full paths.
   */
  served?: boolean;
}

/**
 * Opens a session; with `server`, also builds the WebDAV server over its VFS. Throws CliError (no key; exit 2 for
 * a served root that is not a folder of the account, or a shared folder that cannot be read, naming it), and what
 * starting the emulator or opening the store throws.
 */
export async function openSession(resolved: ResolvedSettings, io: CliIo, logger = loggerFor(resolved, io), opts: SessionOptions = {}): Promise<Session> {
  const { settings } = resolved;
  const { server } = opts;
  const root = opts.served ? settings.root : '';
  const metrics = createMetrics();
  const tokenOptions = { cdn: settings.cdn, ...(resolved.filePassword ? { pass: resolved.filePassword.reveal() } : {}) };
  const stack = await createStack({
    account: accountFor(resolved, io),
    pacer: {
      minIntervalMs: settings.pacer.minIntervalMs,
      concurrency: settings.pacer.concurrency,
      floodCooldownMs: settings.pacer.banCooldownMs,
      floodEscalatedCooldownMs: settings.pacer.banCooldownEscalatedMs,
      listIntervalMs: settings.pacer.listIntervalMs,
      listFolderIntervalMs: settings.pacer.listFolderIntervalMs,
      // A server's clients are told to come back during a ban (503 + Retry-After); a command waits it out.
      banPolicy: server ? 'fail' : 'wait',
    },
    remote: { tokenOptions },
    store: { cacheDir: settings.cacheDir },
    vfs: {
      dirCacheTimeMs: settings.dirCacheTime,
      consistencyGraceMs: settings.consistencyGrace,
      readChunkSize: settings.vfsReadChunkSize,
      readChunkSizeLimit: settings.vfsReadChunkSizeLimit,
      caseInsensitive: settings.vfsCaseInsensitive,
    },
    // Serving only: a media server's rescans need it; a transfer reads each byte once and resumes by offset.
    ...(opts.served ? { readCache: { maxBytes: settings.vfsCacheMaxSize, headBytes: settings.vfsReadCacheHead, tailBytes: settings.vfsReadCacheTail } } : {}),
    root,
    ...(resolved.sharedFolder !== undefined ? { sharedFolder: sharedFolderOf(resolved.sharedFolder, resolved.folderPassword) } : {}),
    ...(server ? serverParts(server) : {}),
    ...(settings.sharedState !== undefined ? { sharedState: sharedStateFor(settings) } : {}),
    metrics,
    logger,
  }).catch((err: unknown) => {
    throw startError(err, resolved, root) ?? err;
  });
  const { emulator } = stack;
  return {
    resolved,
    logger,
    vfs: stack.vfs,
    account: stack.account,
    metrics,
    ...(stack.server ? { server: stack.server } : {}),
    ...(emulator?.dataDir !== undefined ? { emulator: { apiBase: stack.apiBase, dataDir: emulator.dataDir } } : {}),
    ...(stack.sharedState ? { sharedState: () => stack.sharedState!.stats() } : {}),
    close: () => stack.close(),
  };
}

function serverParts({ webUi, ...server }: SessionServerOptions): Pick<StackOptions, 'server' | 'webUi'> {
  return { server, ...(webUi ? { webUi: { version: VERSION } } : {}) };
}
