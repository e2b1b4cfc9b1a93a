import { parseWireDate, type ReqOf, type ResOf } from '../api/types.ts';
import type { CallCtx } from './api.ts';
import { contentTypeOf, copyFile, fileByUrl, fileEntry, fileIdOf, fileUrl, fits, removeFile } from './catalog.ts';
import { array, int, isObject, name, optFlag, optStr, str } from './check.ts';
import type { Core } from './core.ts';
import { KO } from './errors.ts';
import type { FileRow } from './state.ts';

/** file/ls, file/info, file/mv, file/rename, file/cp, file/rm, file/chattr. */

/** The file a URL names, or undefined (malformed or unknown). */
function tryFile(core: Core, url: unknown): FileRow | undefined {
  try {
    return core.state.file(fileIdOf(url));
  } catch {
    return undefined;
  }
}

function requireFolder(core: Core, id: number): void {
  if (!core.state.folder(id)) throw KO.notFound();
}

function optDate(v: unknown, field: string): number | undefined {
  const s = optStr(v, field);
  if (s === undefined || s === '') return undefined;
  const d = parseWireDate(s);
  if (!d) throw KO.badParam(field);
  return d.getTime();
}

/** The new name for a multi-URL operation: `rename` is only allowed with one URL (else 200 KO #909). */
function renameFor(rename: unknown, count: number): string | undefined {
  const r = optStr(rename, 'rename');
  if (r === undefined || r === '') return undefined;
  if (count !== 1) throw KO.renameNeedsOneUrl();
  return r;
}

/**
 * Files of a folder (folder_id -1: every file) as listings show them now (new files after their delay,
 * deleted ones until theirs); sent_after / sent_before inclusive, at second precision, in Paris time; at
 * most fileLsLimit entries (the newest or the oldest, per listKeep), answered in upload order.
 */
export function fileLs(body: ReqOf<'file/ls.cgi'>, { core }: CallCtx): ResOf<'file/ls.cgi'> {
  const folderId = int(body.folder_id ?? 0, 'folder_id');
  if (folderId !== -1) requireFolder(core, folderId);
  const filter = { sentAfter: optDate(body.sent_after, 'sent_after'), sentBefore: optDate(body.sent_before, 'sent_before') };
  const { fileLsLimit, listKeep } = core.config;
  const rows = core.state.listing(folderId === -1 ? undefined : folderId, {
    filter,
    now: core.clock.now(),
    limit: fileLsLimit > 0 ? fileLsLimit : -1,
    keep: listKeep,
  });
  const items = rows.map(fileEntry);
  return { status: 'OK', count: items.length, items };
}

/** One file by URL (or folder_id + exact filename); unknown => 404 #469. */
export function fileInfo(body: ReqOf<'file/info.cgi'>, { core }: CallCtx): ResOf<'file/info.cgi'> {
  let f: FileRow | undefined;
  if (body.url === undefined && body.filename !== undefined) {
    const folderId = int(body.folder_id ?? 0, 'folder_id');
    const filename = str(body.filename, 'filename');
    f = core.state.files(folderId).find((x) => x.filename === filename);
    if (!f) throw KO.notFound();
  } else f = fileByUrl(core, body.url);
  return { ...fileEntry(f), status: 'OK', folder_id: f.folder_id, path: core.state.folderPath(f.folder_id), description: f.description };
}

/** Moves files (URLs unchanged), optional rename of a single file; same folder and same name => 200 KO #908. */
export function fileMv(body: ReqOf<'file/mv.cgi'>, { core }: CallCtx): ResOf<'file/mv.cgi'> {
  const files = array(body.urls, 'urls').map((u) => fileByUrl(core, u));
  const dest = int(body.destination_folder_id ?? 0, 'destination_folder_id');
  requireFolder(core, dest);
  const rename = renameFor(body.rename, files.length);
  for (const f of files) if (f.folder_id === dest && (rename ?? f.filename) === f.filename) throw KO.sameNameSameFolder();
  core.state.tx(() => {
    for (const f of files) {
      const filename = rename ?? f.filename;
      core.state.updateFile(f.id, { folder_id: dest, filename, content_type: contentTypeOf(filename) });
    }
  });
  return { status: 'OK', urls: files.map((f) => fileUrl(f.id)), moved: files.length, ...(rename !== undefined ? { filename: rename } : {}) };
}

/** Renames in place (URLs unchanged); unknown URLs are skipped; nothing renamed => 200 KO #312. */
export function fileRename(body: ReqOf<'file/rename.cgi'>, { core }: CallCtx): ResOf<'file/rename.cgi'> {
  const done: { url: string; old_filename: string; new_filename: string }[] = [];
  core.state.tx(() => {
    for (const item of array(body.urls, 'urls')) {
      if (!isObject(item)) continue;
      const f = tryFile(core, item.url);
      const filename = typeof item.filename === 'string' ? item.filename : '';
      if (!f || filename === '') continue;
      core.state.updateFile(f.id, { filename, content_type: contentTypeOf(filename) });
      done.push({ url: fileUrl(f.id), old_filename: f.filename, new_filename: filename });
    }
  });
  if (done.length === 0) throw KO.noFileRenamed();
  return { status: 'OK', renamed: done.length, urls: done };
}

/** Copies files into folder_id (new URLs, shared bytes); over quota => 200 KO #912. */
export function fileCp(body: ReqOf<'file/cp.cgi'>, { core }: CallCtx): ResOf<'file/cp.cgi'> {
  const files = array(body.urls, 'urls').map((u) => fileByUrl(core, u));
  const dest = int(body.folder_id ?? 0, 'folder_id');
  requireFolder(core, dest);
  const rename = renameFor(body.rename, files.length);
  if (!fits(core, files.reduce((n, f) => n + f.size, 0))) throw KO.noSpace();
  const urls = core.state.tx(() =>
    files.map((f) => ({ from_url: fileUrl(f.id), to_url: fileUrl(copyFile(core, f, dest, rename ?? f.filename).id) })),
  );
  return { status: 'OK', copied: urls.length, urls, ...(rename !== undefined ? { filename: rename } : {}) };
}

/** Removes files; unknown or malformed URLs are skipped (not counted). */
export function fileRm(body: ReqOf<'file/rm.cgi'>, { core }: CallCtx): ResOf<'file/rm.cgi'> {
  let removed = 0;
  core.state.tx(() => {
    for (const item of array(body.files, 'files')) {
      const f = isObject(item) ? tryFile(core, item.url) : undefined;
      if (!f) continue;
      removeFile(core, f);
      removed++;
    }
  });
  return { status: 'OK', removed };
}

/** Stores the ACL object as JSON, or '' when it restricts nothing. */
function aclJson(v: unknown): string {
  if (!isObject(v)) throw KO.badParam('acl');
  const lists = ['ip', 'country', 'email'].map((k) => (v[k] === undefined ? [] : array(v[k], `acl.${k}`)));
  const premium = optFlag(v.premium, 'acl.premium') ?? 0;
  return lists.some((l) => l.length > 0) || premium === 1 ? JSON.stringify(v) : '';
}

/** Changes attributes of files; unknown URLs skipped; none found => 404 #469; `filename` only with one URL. */
export function fileChattr(body: ReqOf<'file/chattr.cgi'>, { core }: CallCtx): ResOf<'file/chattr.cgi'> {
  const files = array(body.urls, 'urls')
    .map((u) => tryFile(core, u))
    .filter((f): f is FileRow => f !== undefined);
  if (files.length === 0) throw KO.notFound();
  const patch: Partial<FileRow> = {};
  if (body.filename !== undefined) {
    if (files.length !== 1) throw KO.renameNeedsOneUrl();
    patch.filename = name(body.filename, 'filename');
    patch.content_type = contentTypeOf(patch.filename);
  }
  if (body.description !== undefined) patch.description = str(body.description, 'description');
  if (body.pass !== undefined) {
    const pass = str(body.pass, 'pass');
    if (pass !== '' && pass.length < 6) throw KO.badParam('pass');
    patch.pass = pass;
  }
  for (const k of ['no_ssl', 'inline', 'cdn'] as const) {
    const v = optFlag(body[k], k);
    if (v !== undefined) patch[k] = v;
  }
  if (body.acl !== undefined) patch.acl = aclJson(body.acl);
  core.state.tx(() => files.forEach((f) => core.state.updateFile(f.id, patch)));
  return { status: 'OK', updated: files.length, urls: files.map((f) => fileUrl(f.id)) };
}
