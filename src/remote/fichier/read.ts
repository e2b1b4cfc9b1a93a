/**
 * Reading a 1fichier file by its URL, as every 1fichier remote does (the account's files, a public shared
 * folder's): a reusable download token for the file (tokens.ts), then the ranged GET (redirects followed in
 * api/download.ts). A reused token that gets anything but the file (a non-2xx answer, an HTML page, another size)
 * is dropped and the read retried once with a fresh one: how the download host answers a stale token is not known.
 * The span is the
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
  const htmlIsError = !isHtml(file);
  const download = (tokenUrl: string) => client.download(tokenUrl, { ...range, expectedSize: file.size, htmlIsError, signal });
  const lease = await tokens.lease(file.id, signal);
  try {
    return (await download(lease.tokenUrl)).body;
  } catch (err) {
    if (!lease.reused || !isRefusedToken(err)) throw err;
    tokens.drop(file.id, lease.tokenUrl);
    return (await download((await tokens.lease(file.id, signal)).tokenUrl)).body;
  }
}

/**
 * A reused download token that did not get the file: any answer but the bytes asked for (410 expired or used,
 * 404, 403, a 5xx, an HTML page, another size or range). A connection that broke is not an answer: the VFS
 * reader resumes it.
 */
function isRefusedToken(err: unknown): boolean {
  return err instanceof FichierApiError && err.endpoint === DOWNLOAD_ENDPOINT && err.kind !== 'transport' && err.kind !== 'range';
}

/** True when the file itself is an HTML page (so an HTML answer is not the download host's error page). */
function isHtml(file: RemoteEntry): boolean {
  return /^text\/html\b/i.test(file.mimeType ?? '') || /\.x?html?$/i.test(file.name);
}
