/**
 * Account operations that are not file-system operations: direct download links and remote uploads, bound to
 * one account's client, VFS and link settings. The CLI commands (`link`, `remote-upload`) and the web UI both go
 * through this object, so neither holds its own copy of the logic, and neither needs the API client for them.
 */
import type { FichierClient } from '../api/client.ts';
import type { Vfs } from '../vfs/types.ts';
import { linkFiles, type LinkEvent, type LinkSummary } from './links.ts';
import { jobSummaries, jobView, startRemoteUpload, type JobSummary, type JobView } from './remote-jobs.ts';

export type { LinkEvent, LinkSummary } from './links.ts';
export type { JobSummary, JobView } from './remote-jobs.ts';

export interface AccountOps {
  /**
   * Links for the files `paths` name (folders walked when `recursive`), each result reported to `on` in order
   * (see links.ts). Resolves with the counts; rejects only with the signal's reason.
   */
  links(paths: readonly string[], opts: { recursive: boolean; page?: boolean }, on: (e: LinkEvent) => void, signal?: AbortSignal): Promise<LinkSummary>;
  /** Queues a remote upload of `urls` into folder `folder`; resolves with the job id. Throws EINVAL, ENOENT, ENOTDIR, EIO, and API failures. */
  startRemoteUpload(urls: readonly string[], folder: string, signal?: AbortSignal): Promise<number>;
  /** The account's remote upload jobs. Throws API failures. */
  remoteJobs(signal?: AbortSignal): Promise<JobSummary[]>;
  /** One job and the result of each of its URLs. Throws API failures (not-found for an unknown id). */
  remoteJob(id: number, signal?: AbortSignal): Promise<JobView>;
}

export interface AccountOpsOptions {
  vfs: Vfs;
  client: Pick<FichierClient, 'getToken' | 'remoteRequest' | 'remoteLs' | 'remoteInfo'>;
  /** Ask for CDN download links. */
  cdn: boolean;
  /** Password of password-protected files, for their links. */
  filePassword?: string;
}

export function createAccountOps(opts: AccountOpsOptions): AccountOps {
  const { vfs, client } = opts;
  const linkSettings = { cdn: opts.cdn, ...(opts.filePassword !== undefined ? { filePassword: opts.filePassword } : {}) };
  return {
    links: (paths, o, on, signal) => linkFiles({ vfs, client }, paths, { ...linkSettings, recursive: o.recursive, page: o.page ?? false }, on, signal),
    startRemoteUpload: (urls, folder, signal) => startRemoteUpload({ vfs, client }, urls, folder, signal),
    remoteJobs: async (signal) => jobSummaries((await client.remoteLs(signal)).data ?? []),
    remoteJob: async (id, signal) => jobView(await client.remoteInfo(id, signal)),
  };
}
