/**
 * Reading a 1fichier file by its URL, as every 1fichier remote does (the account's files, a public shared
 * folder's): a reusable download token for the file (tokens.ts), then the ranged GET. A reused token the download
 * host refuses (410 expired or used, 404) is dropped and the read retried once with a fresh one. The span is the
 * caller's, validated where it entered: sent as is. Throws FichierApiError (the caller translates it) and FsError
 * EISDIR for a folder.
 */
import type { Readable } from 'node:stream';
import type { FichierClient } from '../../api/client.ts';
import { DOWNLOAD_ENDPOINT } from '../../api/download.ts';
import { FichierApiError } from '../../api/errors.ts';
import { FsError } from '../../core/errors.ts';
import type { ReadRange, RemoteEntry } from '../types.ts';
import type { DownloadTokens } from './tokens.ts';

/** The bytes of `file` (whole, or `range`), downloaded with a token of `tokens`. See the module doc. */
export async function readByToken(client: FichierClient, tokens: DownloadTokens, file: RemoteEntry, range?: ReadRange, signal?: AbortSignal): Promise<Readable> {
  if (file.kind === 'dir') throw new FsError('EISDIR', 'cannot read a directory', { path: file.path });
  const download = (tokenUrl: string) => client.download(tokenUrl, { ...range, expectedSize: file.size, signal });
  const lease = await tokens.lease(file.id, signal);
  try {
    return (await download(lease.tokenUrl)).body;
  } catch (err) {
    if (!lease.reused || !isRefusedToken(err)) throw err;
    tokens.drop(file.id, lease.tokenUrl);
    return (await download((await tokens.lease(file.id, signal)).tokenUrl)).body;
  }
}

/** A reused download token the download host refused: expired or used (410), or unknown (404). */
function isRefusedToken(err: unknown): boolean {
  return err instanceof FichierApiError && err.endpoint === DOWNLOAD_ENDPOINT && (err.kind === 'not-found' || err.kind === 'refused');
}
