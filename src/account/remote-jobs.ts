/**
 * 1fichier remote uploads (1fichier fetches URLs itself into a folder of the account), shared by the CLI's
 * `remote-upload` command and the web UI: validating the URLs, finding the folder's 1fichier id, queueing the
 * job (remote/request.cgi), and the one view of a job both show.
 *
 * A job is done when 1fichier has set its execution date, or when every URL has a final result (OK/KO).
 */
import type { FichierClient } from '../api/client.ts';
import type { RemoteInfoResponse, RemoteLsResponse } from '../api/types.ts';
import { FsError } from '../remote/errors.ts';
import type { Vfs } from '../vfs/types.ts';

export type JobInfo = RemoteInfoResponse;
export type JobList = RemoteLsResponse['data'];

/** The schemes 1fichier fetches. */
const SCHEMES: readonly string[] = ['http:', 'https:', 'ftp:'];

/** One job as the CLI's JSON and the web UI show it. */
export interface JobView {
  id: number;
  /** 1fichier's `YYYY-MM-DD HH:MM:SS` dates, as it sends them. */
  requested: string;
  executed: string | null;
  done: boolean;
  results: { url: string; status: 'OK' | 'KO' | 'pending'; link: string | null; message: string | null }[];
}

/** One job of the account's list (remote/ls). */
export interface JobSummary {
  id: number;
  requested: string;
  executed: string | null;
}

/** Returns `u` when 1fichier can fetch it; throws FsError EINVAL (message for a user) otherwise. */
export function checkRemoteUrl(u: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new FsError('EINVAL', `invalid URL "${u}"`);
  }
  if (!SCHEMES.includes(url.protocol)) throw new FsError('EINVAL', `unsupported URL "${u}": 1fichier fetches http, https and ftp URLs`);
  return u;
}

/**
 * The 1fichier folder id of folder `path` ('' = the root, id 0). Throws ENOENT, ENOTDIR (a file), and EIO
 * when the folder has no numeric id (it is not a 1fichier folder).
 */
export async function folderIdOf(vfs: Vfs, path: string, signal?: AbortSignal): Promise<number> {
  const dir = await vfs.stat(path, signal);
  if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a folder', { path });
  if (path === '') return 0;
  if (!/^\d+$/.test(dir.id)) throw new FsError('EIO', 'this folder has no 1fichier folder id', { path });
  return Number(dir.id);
}

/**
 * Queues a job fetching `urls` into folder `folder` and returns its id. Throws EINVAL (no URL, or one 1fichier
 * cannot fetch), what folderIdOf throws, and what remoteRequest throws.
 */
export async function startRemoteUpload(deps: { vfs: Vfs; client: Pick<FichierClient, 'remoteRequest'> }, urls: readonly string[], folder: string, signal?: AbortSignal): Promise<number> {
  if (urls.length === 0) throw new FsError('EINVAL', 'no URL to fetch');
  urls.forEach(checkRemoteUrl);
  const folderId = await folderIdOf(deps.vfs, folder, signal);
  return (await deps.client.remoteRequest([...urls], folderId, signal)).id;
}

/** True when job `info` will not change any more. */
export function jobDone(info: JobInfo): boolean {
  if (info.result.some((r) => r.status === 'pending')) return false;
  return info.execution_date !== null || info.result.length > 0;
}

/** A job as the CLI's JSON and the web UI show it: id, dates, done, and one {url, status, link, message} per URL. */
export function jobView(info: JobInfo): JobView {
  return {
    id: info.id,
    requested: info.request_date,
    executed: info.execution_date,
    done: jobDone(info),
    results: info.result.map((r) => ({ url: r.url, status: r.status, link: r.download_link || null, message: r.message || null })),
  };
}

/** The account's jobs, as the CLI's JSON and the web UI list them. */
export function jobSummaries(jobs: JobList): JobSummary[] {
  return jobs.map((j) => ({ id: j.id, requested: j.request_date, executed: j.execution_date }));
}
