/**
 * A Session is everything a command needs to work on the account: the resolved settings, one logger, the VFS
 * over the persistent metadata store, the remote's public links and backend commands, and the metrics. It is
 * a stack built by app/stack.ts from the settings; the API client stays inside it. With no API key and
 * `emulator` set to auto (what `npm start` passes) or on, the stack first starts the embedded emulator on a
 * loopback port, seeded with the demo tree, and serves that instead of a real account.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StackSharedStateOptions } from '../app/shared-state.ts';
import { createStack, type StackAccount } from '../app/stack.ts';
import type { ResolvedSettings } from '../config/settings.ts';
import { createMetrics, type Metrics } from '../observe/metrics.ts';
import { noCommands, type RemoteCommands } from '../remote/commands.ts';
import { FsError } from '../core/errors.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { Secret } from '../util/secret.ts';
import type { Vfs, VfsEntry } from '../vfs/types.ts';
import type { DavServer, DavServerOptions } from '../webdav/index.ts';
import { CliError, type CliIo } from './context.ts';
import { emulatorKeyFor } from './emulator-key.ts';

export interface Session {
  resolved: ResolvedSettings;
  logger: Logger;
  vfs: Vfs;
  metrics: Metrics;
  /** The permanent public URL of `file` (the remote's publicLink). Throws ENOTSUP when the remote has none, else as publicLink. */
  publicLink(file: VfsEntry, signal?: AbortSignal): Promise<string>;
  /** The remote's backend commands: direct links, remote uploads (ENOTSUP each when the remote has none). */
  commands: RemoteCommands;
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

/**
 * Opens a session; with `server`, also builds the WebDAV server over its VFS. Throws CliError (no key), and
 * what starting the emulator or opening the store throws.
 */
export async function openSession(
  resolved: ResolvedSettings,
  io: CliIo,
  logger = loggerFor(resolved, io),
  server?: Omit<DavServerOptions, 'vfs' | 'logger' | 'metrics'>,
): Promise<Session> {
  const { settings } = resolved;
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
    },
    ...(server ? { server } : {}),
    ...(settings.sharedState !== undefined ? { sharedState: sharedStateFor(settings) } : {}),
    metrics,
    logger,
  });
  const { remote, emulator } = stack;
  return {
    resolved,
    logger,
    vfs: stack.vfs,
    metrics,
    publicLink: (file, signal) => {
      if (!remote.publicLink) return Promise.reject(new FsError('ENOTSUP', `${remote.name} has no public links`, { path: file.path }));
      return remote.publicLink(file, signal);
    },
    commands: remote.commands ?? noCommands(remote.name),
    ...(stack.server ? { server: stack.server } : {}),
    ...(emulator?.dataDir !== undefined ? { emulator: { apiBase: stack.apiBase, dataDir: emulator.dataDir } } : {}),
    ...(stack.sharedState ? { sharedState: () => stack.sharedState!.stats() } : {}),
    close: () => stack.close(),
  };
}
