/**
 * Backend commands: operations of one storage that fit no path-level contract (rclone's `backend` command and
 * its Commander interface), typed. 1fichier has two: direct download links (reusable tokens, with the
 * account's CDN and file-password options) and remote uploads (1fichier fetches URLs into a folder itself).
 * A remote that has them carries them (`Remote.commands`), so whoever holds the remote holds its commands;
 * the CLI reaches them through its session, never through the API client, so the wire level stays behind
 * the remote. Implementation: remote/fichier/commands.ts.
 *
 * Every method throws FsError (core/errors.ts) with the codes in its doc; EAGAIN/EIO/EACCES from below.
 */
import { FsError } from '../core/errors.ts';
import type { RemoteEntry } from './types.ts';

/** One remote upload job as the account lists it. Dates are the service's own, as it writes them. */
export interface RemoteUploadSummary {
  id: number;
  /** When the job was requested, e.g. '2024-05-06 07:08:09'. */
  requested: string;
  /** When the service finished it; null while it runs. */
  executed: string | null;
}

/** What became of one URL of a job: fetched (OK, with the new file's link), failed (KO, with a reason), or pending. */
export interface RemoteUploadResult {
  url: string;
  status: 'OK' | 'KO' | 'pending';
  /** The new file's URL when OK, else ''. */
  link: string;
  /** The service's reason when KO, else ''. */
  message: string;
}

export interface RemoteUploadJob extends RemoteUploadSummary {
  results: RemoteUploadResult[];
}

export interface RemoteCommands {
  /**
   * A direct download URL of `file`, reusable until the service expires it (1fichier: minutes), with the
   * remote's CDN and file-password options. Throws EISDIR for a folder, ENOENT when the file is gone, EACCES
   * when its password is refused.
   */
  directLink(file: RemoteEntry, signal?: AbortSignal): Promise<string>;

  /**
   * Asks the service to fetch `urls` into folder `dir` itself, and returns the new job's id. Throws ENOTDIR
   * when `dir` is not a folder, EINVAL when it is not one of this remote's folders, ENOENT when it is gone,
   * EACCES without the account level remote uploads need.
   */
  remoteUpload(urls: string[], dir: RemoteEntry, signal?: AbortSignal): Promise<{ id: number }>;

  /** The account's remote upload jobs. */
  remoteUploadJobs(signal?: AbortSignal): Promise<RemoteUploadSummary[]>;

  /** One job and the result of each of its URLs. Throws ENOENT for an unknown id. */
  remoteUploadJob(id: number, signal?: AbortSignal): Promise<RemoteUploadJob>;
}

/** The commands of a remote without any (`Remote.commands` absent): every one rejects with ENOTSUP. */
export function noCommands(remoteName: string): RemoteCommands {
  const refuse = (): Promise<never> => Promise.reject(new FsError('ENOTSUP', `${remoteName} has no backend commands`));
  return { directLink: refuse, remoteUpload: refuse, remoteUploadJobs: refuse, remoteUploadJob: refuse };
}
