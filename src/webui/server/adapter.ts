/**
 * The WebUiBackend over what the gateway has: the metadata store (search), the VFS (listings, quota, re-listing a
 * folder after a remote upload) and the account operations (links and remote uploads, the same code as the
 * `link` and `remote-upload` commands). Every failure below is already an FsError, as the backend contract
 * promises.
 *
 * State: the folders of the remote uploads started here, by job id, so that the folder is re-listed once when
 * its job is seen done (the new files then show at once instead of after the listing's TTL). A job started
 * elsewhere (CLI, 1fichier's site) is not tracked: its folder refreshes on its TTL.
 */
import type { AccountOps } from '../../account/index.ts';
import { FsError } from '../../core/errors.ts';
import type { MetaStore } from '../../store/types.ts';
import type { Logger } from '../../util/log.ts';
import type { Vfs } from '../../vfs/types.ts';
import type { BackendAbout, WebUiBackend } from './backend.ts';

export interface WebUiAdapterOptions {
  /** The VFS the gateway serves (rooted at `root`). */
  vfs: Vfs;
  store: Pick<MetaStore, 'searchNames' | 'listingCoverage'>;
  /**
   * The store's path of the folder `vfs` serves as its root ('' or absent: the whole account). The store keeps the
   * account's paths, so a search looks below this folder only and answers paths relative to it, as `vfs` does.
   */
  root?: string;
  account: AccountOps;
  /** The gateway serves its embedded emulator. */
  emulator: boolean;
  logger: Logger;
}

/** Started jobs remembered at most; the oldest is forgotten first. */
const MAX_TRACKED_JOBS = 1000;

export function createWebUiBackend(opts: WebUiAdapterOptions): WebUiBackend {
  const { vfs, store, account, logger } = opts;
  const root = opts.root ?? '';
  const jobFolders = new Map<number, string>();

  return {
    async about(signal) {
      const out: BackendAbout = { quota: {}, emulator: opts.emulator };
      try {
        const a = await vfs.about(signal);
        out.quota = { ...(a.total !== undefined ? { total: a.total } : {}), ...(a.used !== undefined ? { used: a.used } : {}), ...(a.free !== undefined ? { free: a.free } : {}) };
        if (a.plan !== undefined) out.plan = a.plan;
      } catch (err) {
        if (signal.aborted) throw err;
        logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'web UI: quota unknown');
      }
      return out;
    },

    async list(path, signal) {
      return (await vfs.readdir(path, signal)).map((e) => ({ name: e.name, kind: e.kind, size: e.size, modTime: e.modTime }));
    },

    search(text, limit) {
      if (root === '') return { hits: store.searchNames(text, limit), coverage: store.listingCoverage() };
      const hits = store.searchNames(text, limit, root).map((h) => ({ ...h, path: h.path.slice(root.length + 1) }));
      return { hits, coverage: store.listingCoverage(root) };
    },

    links: (paths, on, signal) => account.links(paths, { recursive: true }, on, signal),

    async refresh(path, signal) {
      const dir = await vfs.stat(path, signal);
      if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a folder', { path });
      await vfs.refresh(path);
    },

    async remoteUpload(urls, folder, signal) {
      const id = await account.startRemoteUpload(urls, folder, signal);
      jobFolders.set(id, folder);
      if (jobFolders.size > MAX_TRACKED_JOBS) jobFolders.delete(jobFolders.keys().next().value!);
      return id;
    },

    jobs: (signal) => account.remoteJobs(signal),

    async job(id, signal) {
      const job = await account.remoteJob(id, signal);
      const folder = jobFolders.get(id);
      if (job.done && folder !== undefined) {
        jobFolders.delete(id);
        // The service may list the fetched files a few seconds late: the refresh keeps the folder due for a new
        // listing until they show, instead of trusting a late listing for the whole dir cache time.
        const expect = job.results.flatMap((r) => (r.status === 'OK' && r.link !== null ? [r.link] : []));
        await vfs.refresh(folder, { expect }).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err), folder }, 'web UI: re-listing after a remote upload failed'));
      }
      return job;
    },
  };
}
