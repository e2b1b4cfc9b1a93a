/**
 * A Session is everything a command needs to work on the account: the resolved settings, one logger, one
 * pacer-driven API client, the VFS over the persistent metadata store, and the metrics. With no API key
 * and `emulator` set to auto (what `npm start` passes) or on, it first starts the embedded emulator on a
 * loopback port, seeded with the demo tree, and serves that instead of a real account.
 */
import { resolve } from 'node:path';
import { createAccountOps, type AccountOps } from '../account/index.ts';
import { FichierClient } from '../api/client.ts';
import { createPacer } from '../api/pacer.ts';
import type { ResolvedSettings } from '../config/settings.ts';
import { createEmulator } from '../emulator/index.ts';
import { createMetrics, type Metrics } from '../observe/metrics.ts';
import { createFichierRemote } from '../remote/fichier/index.ts';
import { openMetaStore, storePathFor } from '../store/index.ts';
import type { MetaStore } from '../store/types.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { Secret } from '../util/secret.ts';
import { createStoreDirIdIndex, createVfs } from '../vfs/index.ts';
import type { Vfs } from '../vfs/types.ts';
import { CliError, type CliIo } from './context.ts';
import { emulatorKeyFor } from './emulator-key.ts';

export interface Session {
  resolved: ResolvedSettings;
  logger: Logger;
  client: FichierClient;
  vfs: Vfs;
  /** The metadata store under the VFS (read-only queries such as the web UI's search). */
  store: MetaStore;
  /** Links and remote uploads, with the settings' CDN and file password. */
  account: AccountOps;
  metrics: Metrics;
  /** Set when the session serves the embedded emulator rather than a real account. */
  emulator?: { apiBase: string; dataDir: string };
  /** Stops the VFS, the store, the client and the emulator, in that order. Never rejects. */
  close(): Promise<void>;
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

interface Account {
  apiKey: Secret;
  apiBase: string;
  /** What identifies the account's metadata store (the API base, or the emulator's data dir). */
  storeKey: string;
  emulator?: { apiBase: string; dataDir: string; close(): Promise<void> };
}

async function account(resolved: ResolvedSettings, io: CliIo, logger: Logger): Promise<Account> {
  const { settings } = resolved;
  const useEmulator = settings.emulator === 'on' || (settings.emulator === 'auto' && resolved.apiKey === undefined);
  if (!useEmulator) {
    if (resolved.apiKey === undefined) throw new CliError(NO_KEY_MESSAGE);
    return { apiKey: resolved.apiKey, apiBase: settings.apiUrl, storeKey: settings.apiUrl };
  }
  const dataDir = resolve(io.cwd, settings.emulatorData);
  const key = new Secret(emulatorKeyFor(dataDir));
  const emu = await createEmulator({ apiKey: key.reveal(), dataDir, demo: true, logger: logger.child({ component: 'emulator' }) });
  const { url } = await emu.listen({ host: '127.0.0.1', port: 0, proxy: false });
  const apiBase = `${url}/v1`;
  return { apiKey: key, apiBase, storeKey: `emulator:${dataDir}`, emulator: { apiBase, dataDir, close: () => emu.close() } };
}

/** Opens a session. Throws CliError (no key), ConfigError-free (settings are resolved already), store errors. */
export async function openSession(resolved: ResolvedSettings, io: CliIo, logger = loggerFor(resolved, io)): Promise<Session> {
  const { settings } = resolved;
  const acct = await account(resolved, io, logger);
  const metrics = createMetrics();
  const pacer = createPacer({
    minIntervalMs: settings.pacer.minIntervalMs,
    concurrency: settings.pacer.concurrency,
    floodCooldownMs: settings.pacer.banCooldownMs,
    logger,
  });
  const client = new FichierClient({ apiKey: acct.apiKey, baseUrl: acct.apiBase, pacer, logger, observer: metrics.apiObserver });
  let store: MetaStore;
  try {
    store = openMetaStore({ file: storePathFor({ cacheDir: settings.cacheDir, apiBase: acct.storeKey, apiKey: acct.apiKey.reveal() }) });
  } catch (err) {
    await client.close();
    await acct.emulator?.close();
    throw err;
  }
  const remote = createFichierRemote({
    client,
    dirIds: createStoreDirIdIndex(store),
    logger,
    tokenOptions: { cdn: settings.cdn, ...(resolved.filePassword ? { pass: resolved.filePassword.reveal() } : {}) },
  });
  const vfs = createVfs({
    remote,
    store,
    logger,
    dirCacheTimeMs: settings.dirCacheTime,
    readChunkSize: settings.vfsReadChunkSize,
    readChunkSizeLimit: settings.vfsReadChunkSizeLimit,
  });
  metrics.attach({ pacerStats: () => client.pacerStats(), vfsStats: () => vfs.stats() });
  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const step = async (what: string, fn: () => unknown): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, `closing ${what} failed`);
      }
    };
    await step('the VFS', () => vfs.close());
    await step('the metadata store', () => store.close());
    await step('the API client', () => client.close());
    if (acct.emulator) await step('the emulator', () => acct.emulator!.close());
  };
  const accountOps = createAccountOps({
    vfs,
    client,
    cdn: settings.cdn,
    ...(resolved.filePassword ? { filePassword: resolved.filePassword.reveal() } : {}),
  });
  return {
    resolved,
    logger,
    client,
    vfs,
    store,
    account: accountOps,
    metrics,
    ...(acct.emulator ? { emulator: { apiBase: acct.emulator.apiBase, dataDir: acct.emulator.dataDir } } : {}),
    close: () => (closed ??= close()),
  };
}
