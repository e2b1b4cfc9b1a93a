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
import { folderIdOf } from './dir-ids.ts';
import { guarded } from './errors.ts';
import type { TokenRequestOptions } from './tokens.ts';

export interface FichierCommandsOptions {
  client: FichierClient;
  /** get_token extras for direct links: `cdn` and `pass` (rclone's `file_password`, revealed). */
  tokenOptions?: TokenRequestOptions;
}

/** The backend commands of the fichier remote over `opts.client` (the caller keeps ownership of the client). */
export function createFichierCommands(opts: FichierCommandsOptions): RemoteCommands {
  const { client, tokenOptions = {} } = opts;
  return {
    directLink: (file, signal) =>
      guarded(file.path, signal, async () => {
        if (file.kind === 'dir') throw new FsError('EISDIR', 'folders have no download link', { path: file.path });
        const res = await client.getToken(file.id, { ...tokenOptions, single: false, ...(signal ? { signal } : {}) });
        return res.url;
      }),
    remoteUpload: (urls, dir, signal) =>
      guarded(dir.path, signal, async () => {
        const res = await client.remoteRequest(urls, folderIdOf(dir), signal);
        return { id: res.id };
      }),
    remoteUploadJobs: (signal) =>
      guarded(undefined, signal, async () =>
        ((await client.remoteLs(signal)).data ?? []).map((j) => ({ id: j.id, requested: j.request_date, executed: j.execution_date })),
      ),
    remoteUploadJob: (id, signal) => guarded(undefined, signal, async () => jobOf(await client.remoteInfo(id, signal))),
  };
}

function jobOf(info: RemoteInfoResponse): RemoteUploadJob {
  return {
    id: info.id,
    requested: info.request_date,
    executed: info.execution_date,
    results: info.result.map((r) => ({ url: r.url, status: r.status, link: r.download_link, message: r.message })),
  };
}
