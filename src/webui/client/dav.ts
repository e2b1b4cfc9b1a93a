/**
 * The page's WebDAV client: it changes the account with MKCOL, MOVE and DELETE, the same requests any WebDAV
 * client sends, so the server's own handlers (read-only mode, locks, errors) apply. Uploads are PUTs too
 * (uploads.ts). Listings come from the `list` endpoint (api.ts), the same entries as PROPFIND in a form a
 * browser parses fast. Every request carries the X-Fichier-Dav header, which tells the server it comes from this
 * page (a cross-site form cannot send it).
 */
import { API_HEADER } from '../shared/api.ts';
import { RequestFailed } from './messages.ts';
import { hrefOf } from './paths.ts';

export interface Entry {
  path: string;
  name: string;
  isDir: boolean;
  size: number;
  /** ms since the epoch. */
  modTime: number;
}

export class Dav {
  constructor(readonly base: string) {}

  /** The URL path of `path`. */
  href(path: string, isDir: boolean): string {
    return hrefOf(this.base, path, isDir);
  }

  /** The absolute URL of `path` (a MOVE Destination). */
  url(path: string, isDir: boolean): string {
    return new URL(this.href(path, isDir), location.href).href;
  }

  async #send(method: string, path: string, isDir: boolean, headers: Record<string, string> = {}, body?: string, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.href(path, isDir), { method, headers: { [API_HEADER]: '1', ...headers }, body, signal, credentials: 'same-origin', cache: 'no-store' });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new RequestFailed(0, '');
    }
    if (!res.ok && res.status !== 207) throw new RequestFailed(res.status, await res.text().catch(() => ''));
    return res;
  }

  /** Creates folder `path`. Throws RequestFailed (405: it exists; 409: its parent does not). */
  async mkcol(path: string): Promise<void> {
    await this.#send('MKCOL', path, true);
  }

  /** Moves (or renames) `from` to `to`, never over an existing entry (412). Throws RequestFailed. */
  async move(from: string, to: string, isDir: boolean): Promise<void> {
    await this.#send('MOVE', from, isDir, { Destination: this.url(to, isDir), Overwrite: 'F' });
  }

  /** Deletes `path` (a folder with everything in it). Throws RequestFailed. */
  async remove(path: string, isDir: boolean): Promise<void> {
    await this.#send('DELETE', path, isDir);
  }
}
