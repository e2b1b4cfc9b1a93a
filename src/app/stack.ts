/**
 * createStack: the composition root, the one place that wires the layers together. It builds, in order, the
 * embedded emulator (when asked) -> the MetaStore -> the pacer (its ban and listing budget kept in the store, so
 * a restart during a ban sends nothing before it ends) -> FichierClient -> the fichier remote (folder ids kept in
 * the store, backend commands included; or a public shared folder's read-only remote) -> the Vfs (answering a
 * folder listed less than the listing budget's folder interval ago from that listing; read-only over a read-only
 * remote; rooted at a folder when asked) -> the account operations (links, remote uploads) -> the WebDAV server
 * and its web UI (when asked), and closes them in the reverse order. The CLI's session and every test helper
 * build their stacks here, so a new part or option is wired once.
 *
 * `timeScale` multiplies every time constant of the gateway (app/timings.ts): tests that run the emulator's
 * realistic rules at a time scale give the stack the same one.
 *
 * This module may import every layer but cli/ (eslint.config.js, `app`); nothing below it imports it.
 */
import { dirname, join } from 'node:path';
import { createAccountOps, type AccountOps } from '../account/index.ts';
import { FichierClient, type FichierClientOptions } from '../api/client.ts';
import { createPacer, type Pacer, type PacerOptions } from '../api/pacer.ts';
import { createRateState, type RatePersistence, type RateSnapshot, type RateState } from '../api/rate-state.ts';
import type { Emulator, EmulatorOptions } from '../emulator/index.ts';
import type { Metrics } from '../observe/metrics.ts';
import { createFichierRemote, type FichierRemoteOptions } from '../remote/fichier/index.ts';
import { createSharedFolderRemote } from '../remote/shared-folder/index.ts';
import type { Remote } from '../remote/types.ts';
import { openMetaStore, storePathFor } from '../store/index.ts';
import type { MetaStore } from '../store/types.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import type { Secret } from '../util/secret.ts';
import { createStoreDirIdIndex, createVfs, servedRootOf, subRootVfs } from '../vfs/index.ts';
import { readOnlyVfs } from '../vfs/read-only.ts';
import type { Vfs, VfsOptions } from '../vfs/types.ts';
import { createDavServer, type DavServer, type DavServerOptions } from '../webdav/index.ts';
import { systemClock } from '../util/clock.ts';
import { createWebUi, createWebUiBackend } from '../webui/server/index.ts';
import { gatewayTimings, pacerTimings } from './timings.ts';
import { openStackSharedState, type StackSharedState, type StackSharedStateOptions } from './shared-state.ts';

/** An emulator the stack starts on 127.0.0.1 (any free port, no proxy mode) and stops with the rest. */
export interface StackEmulator extends Omit<EmulatorOptions, 'apiKey' | 'logger'> {
  apiKey: Secret;
}

/** The account: a running API (1fichier, or an emulator someone else runs), or an emulator of the stack's own. */
export type StackAccount = { apiBase: string; apiKey: Secret } | { emulator: StackEmulator };

export interface StackOptions {
  account: StackAccount;
  /**
   * Options of the stack's own pacer, or a pacer shared with other stacks on the same key (the rate budget is
   * per key, not per process). Default: a new pacer with its defaults.
   */
  pacer?: PacerOptions | Pacer;
  /** Multiplies every time constant of the gateway (app/timings.ts) not set explicitly. Default 1. */
  timeScale?: number;
  client?: Pick<FichierClientOptions, 'endPollMaxMs' | 'observer' | 'clock'>;
  /** Token reuse, get_token extras (`tokenOptions` applies to reads and to the direct links of `remote.commands`), settle time. */
  remote?: Pick<FichierRemoteOptions, 'tokenTtlMs' | 'tokenOptions' | 'clock' | 'settleMs' | 'listCap'>;
  /**
   * The metadata store: a file, or `cacheDir` under which the account's own file is derived (store/location.ts).
   * Default: in memory (nothing survives the stack).
   */
  store?: { file: string } | { cacheDir: string };
  vfs?: Omit<VfsOptions, 'remote' | 'store' | 'readCache'>;
  /**
   * The persistent read cache of file edges (vfs/edge-cache.ts), in `read-cache/` beside the account's store
   * file. Only with a store on disk (an in-memory store has no directory to share it with). Default: none.
   */
  readCache?: Omit<NonNullable<VfsOptions['readCache']>, 'dir'>;
  /**
   * Serve this public 1fichier shared folder (rclone's `shared_folder`) instead of the account's files, read-only,
   * with these password candidates tried in order (config/obscure.ts passwordCandidates). Its metadata store is
   * its own (derived from the account's and the folder's id). The folder must answer at start.
   */
  sharedFolder?: { id: string; passwords?: readonly string[] };
  /**
   * Serve this folder of the account as the VFS's root (vfs/sub-root.ts): `vfs` (and the server) see nothing
   * outside it, while the store stays the account's (shared with every other root). Default '': the whole account.
   */
  root?: string;
  /** Also build the WebDAV server over the VFS (not listening: call `server.listen`). */
  server?: Omit<DavServerOptions, 'vfs' | 'frontEnd'>;
  /** Also serve the web file manager (src/webui) from the server's folders to browsers; `version` is what it shows. Needs `server`. */
  webUi?: { version: string };
  /** Told of every API call; reads the pacer's and the VFS's counters. The server reports to it too. */
  metrics?: Metrics;
  /** Logger of every part (the emulator's lines carry component=emulator). Default silent. */
  logger?: Logger;
  /** Share the pacing state and listing changes with the other gateways of the account through Redis. */
  sharedState?: StackSharedStateOptions;
}

export interface Stack {
  /** The API base the client speaks to. */
  apiBase: string;
  /** Set when the stack started its own emulator. */
  emulator?: { emulator: Emulator; url: string; dataDir: string | undefined };
  pacer: Pacer;
  client: FichierClient;
  /** The fichier remote; its backend commands (direct links, remote uploads) are `remote.commands`. */
  remote: Remote;
  store: MetaStore;
  /** The VFS at the stack's root (the whole account, or the `root` folder). */
  vfs: Vfs;
  /** Links for many files and remote uploads, over the VFS and the backend commands (what the CLI and the web UI use). */
  account: AccountOps;
  server?: DavServer;
  /** Set with `sharedState`: its health and counters. */
  sharedState?: StackSharedState;
  /** Closes the server, the VFS, the store, the client and the emulator, in that order. Never rejects (failures are logged). */
  close(): Promise<void>;
}

/** True when `p` is a pacer rather than options for one. */
export const isPacer = (p: PacerOptions | Pacer): p is Pacer => typeof (p as Pacer).run === 'function';

/**
 * Builds the stack. Rejects when a part cannot start (the emulator's data dir, the store file, a malformed
 * server base URL, a `root` that is not a folder of the account: FsError ENOENT/ENOTDIR/EINVAL from
 * servedRootOf, a shared folder that cannot be listed: FsError ENOENT for an unknown id, EACCES for a missing or
 * refused password); whatever had started is closed first.
 */
export async function createStack(opts: StackOptions): Promise<Stack> {
  const logger = opts.logger ?? silentLogger;
  const closers: { what: string; close: () => unknown }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const { what, close } of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, `closing ${what} failed`);
      }
    }
  };
  try {
    const t = gatewayTimings(opts.timeScale);
    const { apiBase, apiKey, emulator, storeKey } = await startAccount(opts.account, logger, closers);
    const shared = opts.sharedFolder;
    const file = storeFile(opts.store, shared && storeKey !== undefined ? `${storeKey}\nshared-folder:${shared.id}` : storeKey, apiKey);
    const store = openMetaStore({ file });
    closers.push({ what: 'the metadata store', close: () => store.close() });
    const sharedState = opts.sharedState ? await openStackSharedState(opts.sharedState, { apiBase, apiKey, logger, closers }) : undefined;
    const pacer = opts.pacer && isPacer(opts.pacer) ? opts.pacer : createPacer(pacerOptions(t, opts.pacer ?? {}, store, logger, sharedState?.wrap));
    const observer = opts.metrics?.apiObserver ?? opts.client?.observer;
    const client = new FichierClient({ endPollMaxMs: t.endPollMaxMs, ...opts.client, apiKey, baseUrl: apiBase, pacer, logger, ...(observer ? { observer } : {}) });
    closers.push({ what: 'the API client', close: () => client.close() });
    const remote = shared
      ? createSharedFolderRemote({ ...opts.remote, client, id: shared.id, ...(shared.passwords ? { passwords: shared.passwords } : {}) })
      : createFichierRemote({ settleMs: t.settleMs, ...opts.remote, client, dirIds: createStoreDirIdIndex(store), logger });
    const readCache = opts.readCache && file !== ':memory:' ? { ...opts.readCache, dir: join(dirname(file), 'read-cache') } : undefined;
    const accountVfs = createVfs({
      logger,
      minRelistMs: pacer.listing.folderIntervalMs,
      consistencyGraceMs: t.consistencyGraceMs,
      // Listing changes travel in account paths; a public shared folder's paths are its own, so it shares only the pacing.
      ...(sharedState && !shared ? { changes: sharedState.handle.feed } : {}),
      ...opts.vfs,
      ...(readCache ? { readCache } : {}),
      remote,
      store,
    });
    closers.push({ what: 'the VFS', close: () => accountVfs.close() });
    const readOnly = remote.facts.readOnly;
    // A shared folder that cannot be listed is a failed start, not an empty drive; the listing is then cached.
    if (shared) await accountVfs.readdir('');
    const served = readOnly ? readOnlyVfs(accountVfs) : accountVfs;
    const root = await servedRootOf(served, opts.root ?? '');
    const vfs = root === '' ? served : subRootVfs(served, root);
    opts.metrics?.attach({ pacerStats: () => client.pacerStats(), vfsStats: () => vfs.stats(), ...(sharedState ? { sharedStateStats: () => sharedState.handle.stats() } : {}) });
    const account = createAccountOps({ vfs, remote });
    const frontEnd = opts.webUi
      ? createWebUi({ backend: createWebUiBackend({ vfs, store, root, account, emulator: emulator !== undefined, logger }), logger, version: opts.webUi.version })
      : undefined;
    const server = opts.server
      ? createDavServer({ logger, ...(opts.metrics ? { metrics: opts.metrics } : {}), ...opts.server, ...(readOnly ? { readOnly: true } : {}), ...(frontEnd ? { frontEnd } : {}), vfs })
      : undefined;
    if (server) closers.push({ what: 'the WebDAV server', close: () => server.close() });
    let closed: Promise<void> | undefined;
    return {
      apiBase,
      ...(emulator ? { emulator } : {}),
      pacer,
      client,
      remote,
      store,
      vfs,
      account,
      ...(server ? { server } : {}),
      ...(sharedState ? { sharedState: sharedState.handle } : {}),
      close: () => (closed ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The store record of the pacer's state (one store per account, so one record per API key). */
const RATE_STATE_KEY = 'rate';

/** The pacer's options: the scaled timings, the caller's options over them, and its state kept in `store`. */
function pacerOptions(
  t: ReturnType<typeof gatewayTimings>,
  given: PacerOptions,
  store: MetaStore,
  logger: Logger,
  wrap?: (local: RateState, listIntervalMs: number, folderIntervalMs: number) => RateState,
): PacerOptions {
  const persist: RatePersistence = {
    load: () => {
      try {
        const raw = store.getState(RATE_STATE_KEY);
        return raw === undefined ? undefined : (JSON.parse(raw) as RateSnapshot);
      } catch {
        return undefined;
      }
    },
    save: (snapshot) => store.setState(RATE_STATE_KEY, JSON.stringify(snapshot)),
  };
  const clock = given.clock ?? systemClock;
  const opts: PacerOptions = {
    logger,
    ...pacerTimings(t),
    ...given,
  };
  const local = createRateState({ clock, persist, onSaveError: (err) => logger.warn({ err }, 'could not keep the ban and listing budget in the metadata store') });
  return { ...opts, state: given.state ?? (wrap ? wrap(local, opts.listIntervalMs ?? t.listIntervalMs, opts.listFolderIntervalMs ?? t.listFolderIntervalMs) : local) };
}

interface Account {
  apiBase: string;
  apiKey: Secret;
  emulator?: Stack['emulator'];
  /** What identifies the account's metadata: the API base, the emulator's data dir, or nothing (in memory). */
  storeKey: string | undefined;
}

async function startAccount(account: StackAccount, logger: Logger, closers: { what: string; close: () => unknown }[]): Promise<Account> {
  if ('apiBase' in account) return { apiBase: account.apiBase, apiKey: account.apiKey, storeKey: account.apiBase };
  const { apiKey, ...rest } = account.emulator;
  // Imported here, not at the top: a server of a real account never loads the emulator and its packages.
  const { createEmulator } = await import('../emulator/index.ts');
  const emulator = await createEmulator({ ...rest, apiKey: apiKey.reveal(), logger: logger.child({ component: 'emulator' }) });
  closers.push({ what: 'the emulator', close: () => emulator.close() });
  const { url } = await emulator.listen({ host: '127.0.0.1', port: 0, proxy: false });
  const dataDir = rest.dataDir;
  return { apiBase: `${url}/v1`, apiKey, emulator: { emulator, url, dataDir }, storeKey: dataDir === undefined ? undefined : `emulator:${dataDir}` };
}

function storeFile(store: StackOptions['store'], storeKey: string | undefined, apiKey: Secret): string {
  if (store === undefined) return ':memory:';
  if ('file' in store) return store.file;
  return storeKey === undefined ? ':memory:' : storePathFor({ cacheDir: store.cacheDir, apiBase: storeKey, apiKey: apiKey.reveal() });
}
