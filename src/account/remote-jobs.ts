/**
 * Remote uploads (the service fetches URLs itself into a folder of the account), shared by the CLI's
 * `remote-upload` command and the web UI: validating the URLs, finding the folder, queueing the job through the
 * remote's backend command, and the one view of a job both show.
 *
 * A job is done when the service has set its execution date, or when every URL has a final result (OK/KO).
 */
import { FsError } from '../core/errors.ts';
import type { RemoteCommands, RemoteUploadJob } from '../remote/commands.ts';
import type { Vfs } from '../vfs/types.ts';

/** The schemes 1fichier fetches. */
const SCHEMES: readonly string[] = ['http:', 'https:', 'ftp:'];

/** One job as the CLI's JSON and the web UI show it. */
export interface JobView {
  id: number;
  /** The service's own dates, as it writes them (1fichier: `YYYY-MM-DD HH:MM:SS`). */
  requested: string;
  executed: string | null;
  done: boolean;
  results: { url: string; status: 'OK' | 'KO' | 'pending'; link: string | null; message: string | null }[];
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
 * Queues a job fetching `urls` into folder `folder` (an account path) and returns its id. Throws EINVAL (no URL,
 * or one 1fichier cannot fetch), what Vfs.stat throws (ENOENT...), and what RemoteCommands.remoteUpload throws
 * (ENOTDIR for a file, EACCES...).
 */
export async function startRemoteUpload(vfs: Vfs, commands: Pick<RemoteCommands, 'remoteUpload'>, urls: readonly string[], folder: string, signal?: AbortSignal): Promise<number> {
  if (urls.length === 0) throw new FsError('EINVAL', 'no URL to fetch');
  urls.forEach(checkRemoteUrl);
  const dir = await vfs.stat(folder, signal);
  return (await commands.remoteUpload([...urls], dir, signal)).id;
}

/** True when job `job` will not change any more. */
export function jobDone(job: RemoteUploadJob): boolean {
  if (job.results.some((r) => r.status === 'pending')) return false;
  return job.executed !== null || job.results.length > 0;
}

/** A job as the CLI's JSON and the web UI show it: id, dates, done, and one {url, status, link, message} per URL. */
export function jobView(job: RemoteUploadJob): JobView {
  return {
    id: job.id,
    requested: job.requested,
    executed: job.executed,
    done: jobDone(job),
    results: job.results.map((r) => ({ url: r.url, status: r.status, link: r.link || null, message: r.message || null })),
  };
}
