/**
 * The fichier remote's backend commands (remote/commands.ts) over FichierClient: direct links are get_token
 * calls WITHOUT single=1 (reusable until the token expires), with the remote's `cdn` and `pass` options;
 * remote uploads are remote/request.cgi (folder id; the root is folder 0), remote/ls.cgi and remote/info.cgi.
 * Wire shapes are mapped here to the command types; every failure leaves as an FsError (errors.ts).
 */
import type { FichierClient } from '../../api/client.ts';
import type { RemoteInfoResponse } from '../../api/types.ts';
import type { RemoteCommands, RemoteUploadJob } from '../commands.ts';
import { FsError } from '../../core/errors.ts';
import type { RemoteEntry } from '../types.ts';
import { toFsError } from './errors.ts';
import type { TokenRequestOptions } from './tokens.ts';

export interface FichierCommandsOptions {
  client: FichierClient;
  /** get_token extras for direct links: `cdn` and `pass` (rclone's `file_password`, revealed). */
  tokenOptions?: TokenRequestOptions;
}

/** The backend commands of the fichier remote over `opts.client` (the caller keeps ownership of the client). */
export function createFichierCommands(opts: FichierCommandsOptions): RemoteCommands {
  const { client, tokenOptions = {} } = opts;
  const guard = async <T>(path: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (signal?.aborted && !(err instanceof FsError)) throw signal.reason;
      throw toFsError(err, path);
    }
  };
  return {
    directLink: (file, signal) =>
      guard(file.path, signal, async () => {
        if (file.kind === 'dir') throw new FsError('EISDIR', 'folders have no download link', { path: file.path });
        const res = await client.getToken(file.id, { ...tokenOptions, single: false, ...(signal ? { signal } : {}) });
        return res.url;
      }),
    remoteUpload: (urls, dir, signal) =>
      guard(dir.path, signal, async () => {
        const res = await client.remoteRequest(urls, folderIdOf(dir), signal);
        return { id: res.id };
      }),
    remoteUploadJobs: (signal) =>
      guard(undefined, signal, async () =>
        ((await client.remoteLs(signal)).data ?? []).map((j) => ({ id: j.id, requested: j.request_date, executed: j.execution_date })),
      ),
    remoteUploadJob: (id, signal) => guard(undefined, signal, async () => jobOf(await client.remoteInfo(id, signal))),
  };
}

/** The numeric folder id of `dir` (the root is 0). Throws ENOTDIR for a file, EINVAL for a folder that is not 1fichier's. */
function folderIdOf(dir: RemoteEntry): number {
  if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a folder', { path: dir.path });
  if (dir.path === '') return 0;
  if (!/^\d+$/.test(dir.id)) throw new FsError('EINVAL', 'this folder has no 1fichier folder id', { path: dir.path });
  return Number(dir.id);
}

function jobOf(info: RemoteInfoResponse): RemoteUploadJob {
  return {
    id: info.id,
    requested: info.request_date,
    executed: info.execution_date,
    results: info.result.map((r) => ({ url: r.url, status: r.status, link: r.download_link, message: r.message })),
  };
}
