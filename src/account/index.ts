/**
 * Account operations that are not file-system operations: links for many files and remote uploads, over the
 * VFS (to find the files and folders) and the remote's backend commands (remote/commands.ts) and public links.
 * The CLI commands (`link`, `remote-upload`) and the web UI both go through this object, so neither holds its
 * own copy of the logic, and neither sees the API client.
 *
 * Every failure is an FsError with the codes each method names (plus EAGAIN/EIO/EACCES from below).
 */
import { FsError } from '../core/errors.ts';
import { noCommands, type RemoteUploadSummary } from '../remote/commands.ts';
import type { Remote } from '../remote/types.ts';
import type { Vfs } from '../vfs/types.ts';
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
  /**
   * The remote under the VFS: its backend commands (direct links, remote uploads) and its public links. What it
   * lacks is ENOTSUP.
   */
  remote: Pick<Remote, 'name' | 'publicLink' | 'commands'>;
}

export function createAccountOps(opts: AccountOpsOptions): AccountOps {
  const { vfs, remote } = opts;
  const commands = remote.commands ?? noCommands(remote.name);
  const directLink: LinkOf = (file, signal) => commands.directLink(file, signal);
  const pageLink: LinkOf = (file, signal) =>
    remote.publicLink ? remote.publicLink(file, signal) : Promise.reject(new FsError('ENOTSUP', `${remote.name} has no public links`, { path: file.path }));
  return {
    links: (paths, o, on, signal) => linkFiles(vfs, o.page ? pageLink : directLink, paths, o.recursive, on, signal),
    startRemoteUpload: (urls, folder, signal) => startRemoteUpload(vfs, commands, urls, folder, signal),
    remoteJobs: (signal) => commands.remoteUploadJobs(signal),
    remoteJob: async (id, signal) => jobView(await commands.remoteUploadJob(id, signal)),
  };
}
