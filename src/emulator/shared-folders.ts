/**
 * Public shared folders: the API's folder/share.cgi, and the website page that lists a shared folder,
 * `https://1fichier.com/dir/<id>` (answered on any host, so proxy mode serves it on 1fichier.com), which rclone's
 * fichier backend reads for its `shared_folder` option.
 *
 * The page, as rclone 1.60 uses it: `GET /dir/<id>?json=1`, or for a protected folder `POST /dir/<id>` with the
 * form body `json=1&pass=<password>` (rclone sends `folder_password` verbatim, never revealing the obscured form),
 * answers a JSON array `[{filename, link, size}]`: the folder's files only (flat, no sub-folders), in upload order.
 * rclone then downloads an entry as any file: get_token with `link` and its own API key.
 *
 * Choices where the reference is silent (the real answers are unknown):
 * - A protected folder asked without its password or with a wrong one answers 200 with an HTML page holding the
 *   password form (what a browser gets; rclone then fails at once on "invalid character '<'", without retries).
 * - An unknown or unshared id answers 404 with an HTML page (rclone does not retry a 404).
 * - Without `json=1` the page is HTML (a list of links); `e=1` gives `url;filename;size` lines.
 * - The page needs no API key (it is public); it is not an API call, so rate limits do not count it. Injected
 *   faults apply under the name "dir".
 * - folder/share.cgi: `share` defaults to 1; sharing again keeps the id (and changes the password when `pass` is
 *   given; "" removes it); `share: 0` forgets the id; the root cannot be shared (200 KO #913); `pass` follows
 *   file/chattr's rule (at least 6 characters); groupware `shares` are not emulated (400 #902). The folder's
 *   password is the `pass` flag folder/ls reports.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Database from 'better-sqlite3';
import { FICHIER_DOMAIN, SHARED_DIR_PATH, SHARED_ID_RE, type ReqOf, type ResOf, type SharedFolderEntry } from '../api/types.ts';
import type { CallCtx } from './api.ts';
import { fileUrl, randomId } from './catalog.ts';
import { array, int, optFlag, optStr } from './check.ts';
import type { Core } from './core.ts';
import { KO, sendError, sendJson } from './errors.ts';
import { readBody, urlOf } from './http.ts';
import { ROOT_ID } from './state.ts';

interface ShareRow {
  folder_id: number;
  share_id: string;
}

/** The share ids of folders, in the emulator's database (the folder's password lives on the folder row). */
export class Shares {
  constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS shares (folder_id INTEGER PRIMARY KEY, share_id TEXT NOT NULL UNIQUE)');
  }

  /** The share id of `folderId`, creating one when the folder is not shared yet. */
  share(folderId: number): string {
    const row = this.db.prepare('SELECT share_id FROM shares WHERE folder_id = ?').get(folderId) as { share_id: string } | undefined;
    if (row) return row.share_id;
    const id = randomId(8);
    this.db.prepare('INSERT INTO shares (folder_id, share_id) VALUES (?, ?)').run(folderId, id);
    return id;
  }

  unshare(folderId: number): void {
    this.db.prepare('DELETE FROM shares WHERE folder_id = ?').run(folderId);
  }

  /** The folder shared under `shareId`, or undefined. */
  folderOf(shareId: string): number | undefined {
    return (this.db.prepare('SELECT * FROM shares WHERE share_id = ?').get(shareId) as ShareRow | undefined)?.folder_id;
  }

  setPassword(folderId: number, pass: string): void {
    this.db.prepare('UPDATE folders SET pass = ? WHERE id = ?').run(pass, folderId);
  }
}

/** folder/share.cgi: shares a folder (returns its public page URL) or stops sharing it. */
export function folderShare(body: ReqOf<'folder/share.cgi'>, { core }: CallCtx): ResOf<'folder/share.cgi'> {
  const id = int(body.folder_id, 'folder_id');
  if (id === ROOT_ID) throw KO.rootFolder();
  if (!core.state.folder(id)) throw KO.notFound();
  if (body.shares !== undefined && array(body.shares, 'shares').length > 0) throw KO.badParam('shares');
  const pass = optStr(body.pass, 'pass');
  if (pass !== undefined && pass !== '' && pass.length < 6) throw KO.badParam('pass');
  if (optFlag(body.share, 'share') === 0) {
    core.shares.unshare(id);
    return { status: 'OK', message: 'Folder is no longer shared' };
  }
  const shareId = core.shares.share(id);
  if (pass !== undefined) core.shares.setPassword(id, pass);
  return { status: 'OK', url: `https://${FICHIER_DOMAIN}${SHARED_DIR_PATH}${shareId}` };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sendHtml(res: ServerResponse, status: number, title: string, body: string): void {
  const text = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** The page's parameters: the query, and for a POST the form body (which wins). */
async function pageParams(req: IncomingMessage): Promise<URLSearchParams> {
  const params = new URLSearchParams(urlOf(req).search);
  if (req.method === 'POST') for (const [k, v] of new URLSearchParams((await readBody(req)).toString('utf8'))) params.set(k, v);
  return params;
}

/** Answers GET/POST /dir/<shareId> (see the header). Never throws. */
export async function serveSharedFolder(core: Core, req: IncomingMessage, res: ServerResponse, shareId: string): Promise<void> {
  const rec = core.stats.record('/dir', core.clock.now(), false);
  res.on('finish', () => (rec.status = res.statusCode));
  try {
    if (req.method !== 'GET' && req.method !== 'POST') throw KO.methodNotAllowed();
    const fault = core.faults.takeFailure('dir');
    if (fault) throw fault;
    const params = await pageParams(req);
    const folderId = SHARED_ID_RE.test(shareId) ? core.shares.folderOf(shareId) : undefined;
    const folder = folderId === undefined ? undefined : core.state.folder(folderId);
    if (!folder) {
      sendHtml(res, 404, 'Not found', '<p>This folder does not exist or is no longer shared.</p>');
      return;
    }
    if (folder.pass !== '' && params.get('pass') !== folder.pass) {
      const why = params.has('pass') ? '<p>Invalid password.</p>' : '<p>This folder is protected by a password.</p>';
      sendHtml(res, 200, 'Password required', `${why}<form method="post"><input type="password" name="pass"><input type="submit" value="OK"></form>`);
      return;
    }
    const entries: SharedFolderEntry[] = core.state.files(folder.id).map((f) => ({ filename: f.filename, link: fileUrl(f.id), size: f.size }));
    if (params.get('json') === '1') {
      sendJson(res, 200, entries);
    } else if (params.get('e') === '1') {
      const text = entries.map((e) => `${e.link};${e.filename};${e.size}\n`).join('');
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    } else {
      const rows = entries.map((e) => `<li><a href="${escapeHtml(e.link)}">${escapeHtml(e.filename)}</a> ${e.size}</li>`).join('');
      sendHtml(res, 200, folder.name, `<ul>${rows}</ul>`);
    }
  } catch (err) {
    sendError(res, err, core.logger);
  }
}
