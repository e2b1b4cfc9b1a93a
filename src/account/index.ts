/**
 * Account operations that are not file-system operations: links for many files and remote uploads, over the
 * VFS (to find the files and folders) and the remote's backend commands (remote/commands.ts) and public links.
 * The CLI commands (`link`, `remote-upload`) and the web UI both go through this object, so neither holds its
 * own copy of the logic, and neither sees the API client.
 *
 * Every failure is an FsError with the codes each method names (plus EAGAIN/EIO/EACCES from below).
 */
import { FsError } from '../core/errors.ts';
import type { RemoteCommands, RemoteUploadSummary } from '../remote/commands.ts';
import type { Vfs, VfsEntry } from '../vfs/types.ts';
import { linkFiles, type LinkEvent, type LinkOf, type LinkSummary } from './links.ts';
import { jobView, startRemoteUpload, type JobView } from './remote-jobs.ts';

export { LINK_CONCURRENCY, type LinkEvent, type LinkSummary } from './links.ts';
export { checkRemoteUrl, type JobView } from './remote-jobs.ts';
export type { RemoteUploadSummary } from '../remote/commands.ts';

export interface LinkRequest {
  /** Link every file below the folders named (else a folder is an EISDIR failure). */
  recursive: boolean;
  /** The permanent file page URL (what `rclone link` prints) instead of a direct download link. */
  page?: boolean;
}

export interface AccountOps {
  /**
   * Links for the files `paths` name (folders walked when `recursive`), each result reported to `on` in order
   * (links.ts). A file that cannot be linked is a `failed` event: ENOENT, EISDIR, ENOTSUP (a local-only file, or
   * a remote without that kind of link), EACCES... Resolves with the counts; rejects only with the signal's reason.
   */
  links(paths: readonly string[], opts: LinkRequest, on: (e: LinkEvent) => void, signal?: AbortSignal): Promise<LinkSummary>;
  /**
   * Queues a remote upload of `urls` into folder `folder`; resolves with the job id. Throws EINVAL (no URL, a URL
   * the service cannot fetch, a folder not the remote's), ENOENT, ENOTDIR, ENOTSUP (no remote uploads here).
   */
  startRemoteUpload(urls: readonly string[], folder: string, signal?: AbortSignal): Promise<number>;
  /** The account's remote upload jobs. Throws ENOTSUP when the remote has none. */
  remoteJobs(signal?: AbortSignal): Promise<RemoteUploadSummary[]>;
  /** One job and the result of each of its URLs. Throws ENOENT for an unknown id, ENOTSUP when the remote has none. */
  remoteJob(id: number, signal?: AbortSignal): Promise<JobView>;
}

export interface AccountOpsOptions {
  vfs: Vfs;
  /** The remote's backend commands; without them, direct links and remote uploads are ENOTSUP. */
  commands?: RemoteCommands;
  /** The remote's permanent public URL of a file (Remote.publicLink); without it, page links are ENOTSUP. */
  publicLink?: (file: VfsEntry, signal?: AbortSignal) => Promise<string>;
}

export function createAccountOps(opts: AccountOpsOptions): AccountOps {
  const { vfs, commands, publicLink } = opts;
  const unsupported = (what: string): FsError => new FsError('ENOTSUP', `this remote has no ${what}`);
  const need = (): RemoteCommands => {
    if (!commands) throw unsupported('backend commands (direct links, remote uploads)');
    return commands;
  };
  const directLink: LinkOf = (file, signal) => need().directLink(file, signal);
  const pageLink: LinkOf = (file, signal) => (publicLink ? publicLink(file, signal) : Promise.reject(unsupported('public links')));
  return {
    links: (paths, o, on, signal) => linkFiles(vfs, o.page ? pageLink : directLink, paths, o.recursive, on, signal),
    startRemoteUpload: async (urls, folder, signal) => startRemoteUpload(vfs, need(), urls, folder, signal),
    remoteJobs: async (signal) => need().remoteUploadJobs(signal),
    remoteJob: async (id, signal) => jobView(await need().remoteUploadJob(id, signal)),
  };
}
