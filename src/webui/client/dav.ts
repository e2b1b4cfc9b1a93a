/**
 * The page's WebDAV client: it lists with PROPFIND and changes the account with MKCOL, MOVE and DELETE, the same
 * requests any WebDAV client sends, so the server's own handlers (read-only mode, locks, errors) apply. Uploads
 * are PUTs too (uploads.ts). Every request carries the X-Fichier-Dav header, which tells the server it comes from
 * this page (a cross-site form cannot send it).
 */
import { API_HEADER } from '../shared/api.ts';
import { baseName, hrefOf, pathOfHref } from './paths.ts';

export interface Entry {
  path: string;
  name: string;
  isDir: boolean;
  size: number;
  /** ms since the epoch. */
  modTime: number;
  type: string;
}

/** A request the server refused: its status and body (for the message shown). Status 0: no answer at all. */
export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
    this.name = 'RequestFailed';
  }
}

const DAV = 'DAV:';
const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getcontenttype/></D:prop></D:propfind>';

function child(el: Element, name: string): Element | undefined {
  return el.getElementsByTagNameNS(DAV, name)[0];
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

  /** The entries of folder `path` (not the folder itself). Throws RequestFailed. */
  async list(path: string, signal?: AbortSignal): Promise<Entry[]> {
    const res = await this.#send('PROPFIND', path, true, { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, PROPFIND_BODY, signal);
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    const out: Entry[] = [];
    for (const resp of Array.from(doc.getElementsByTagNameNS(DAV, 'response'))) {
      const p = pathOfHref(this.base, child(resp, 'href')?.textContent ?? '');
      if (p === undefined || p === path) continue;
      let isDir = false;
      let size = 0;
      let modTime = NaN;
      let type = '';
      for (const ps of Array.from(resp.getElementsByTagNameNS(DAV, 'propstat'))) {
        if (!/\s200\s/.test(` ${child(ps, 'status')?.textContent ?? ''} `)) continue;
        const rt = child(ps, 'resourcetype');
        if (rt && child(rt, 'collection')) isDir = true;
        const len = child(ps, 'getcontentlength')?.textContent;
        if (len) size = Number(len);
        const lm = child(ps, 'getlastmodified')?.textContent;
        if (lm) modTime = Date.parse(lm);
        type = child(ps, 'getcontenttype')?.textContent ?? type;
      }
      out.push({ path: p, name: baseName(p), isDir, size: isDir ? 0 : size, modTime, type });
    }
    return out;
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
