import type { FolderLsResponse, ReqOf, ResOf } from '../api/types.ts';
import type { CallCtx } from './api.ts';
import { fileEntry, wireDate } from './catalog.ts';
import { int, name, optFlag, optInt, optStr } from './check.ts';
import type { Core } from './core.ts';
import { KO } from './errors.ts';
import { ROOT_ID, type FolderRow } from './state.ts';

/** folder/ls, folder/mkdir, folder/rm, folder/mv. */

function folderOr404(core: Core, id: number): FolderRow {
  const f = core.state.folder(id);
  if (!f) throw KO.notFound();
  return f;
}

/**
 * Sub-folders (omitted when none) and, with `files: 1`, the files (`items`, an empty array when none: asked for
 * explicitly, so an empty folder lists in one call; clients still fall back to file/ls if a server omits it);
 * at most listLimit entries: sub-folders first, then files as file/ls would list them (listKeep decides which).
 */
export function folderLs(body: ReqOf<'folder/ls.cgi'>, { core }: CallCtx): ResOf<'folder/ls.cgi'> {
  const id = int(body.folder_id ?? ROOT_ID, 'folder_id');
  const f = folderOr404(core, id);
  const limit = core.config.listLimit;
  const subs = core.state.subFolders(id, limit);
  const out: FolderLsResponse = { status: 'OK', folder_id: id, name: f.name, create_date: wireDate(f.created), pass: f.pass ? 1 : 0 };
  if (subs.length > 0) out.sub_folders = subs.map((s) => ({ id: s.id, name: s.name, create_date: wireDate(s.created), pass: s.pass ? 1 : 0 }));
  if (optFlag(body.files, 'files') === 1) {
    const items = core.state.listing(id, { now: core.clock.now(), limit: limit - subs.length, keep: core.config.listKeep });
    out.items = items.map(fileEntry);
  }
  return out;
}

/**
 * Creates a folder; unknown parent 404. A name already taken in the parent, per `duplicateFolders`:
 * 'refuse' => 403 #905, 'allow' => a second folder of that name, 'existing' => OK with the existing folder's id.
 */
export function folderMkdir(body: ReqOf<'folder/mkdir.cgi'>, { core }: CallCtx): ResOf<'folder/mkdir.cgi'> {
  const folderName = name(body.name, 'name');
  const parent = int(body.folder_id ?? ROOT_ID, 'folder_id');
  folderOr404(core, parent);
  const taken = core.state.folderNamed(parent, folderName);
  if (taken && core.config.duplicateFolders === 'refuse') throw KO.folderExists(403);
  if (taken && core.config.duplicateFolders === 'existing') return { status: 'OK', folder_id: taken.id, name: taken.name };
  const f = core.state.createFolder(parent, folderName, core.clock.now());
  return { status: 'OK', folder_id: f.id, name: f.name };
}

/**
 * Removes an empty folder; non-empty => 200 KO #906, also for folderRmDelayMs after a file of it was
 * deleted; root => 200 KO #913.
 */
export function folderRm(body: ReqOf<'folder/rm.cgi'>, { core }: CallCtx): ResOf<'folder/rm.cgi'> {
  const id = int(body.folder_id, 'folder_id');
  if (id === ROOT_ID) throw KO.rootFolder();
  folderOr404(core, id);
  if (core.state.hasChildren(id) || core.settling.rmBlocked(id, core.clock.now())) throw KO.folderNotEmpty();
  core.state.removeFolder(id);
  return { status: 'OK', message: 'Folder removed' };
}

/**
 * Moves (destination absent = root) and/or renames a folder. With a non-empty `rename`, folderMvRename
 * 'rename-only' renames in place and ignores the destination; 'move-and-rename' applies both.
 * Into itself or a descendant => 200 KO #907; name taken at the destination => 200 KO #905 when
 * duplicateFolders is 'refuse' (else the names may clash).
 */
export function folderMv(body: ReqOf<'folder/mv.cgi'>, { core }: CallCtx): ResOf<'folder/mv.cgi'> {
  const id = int(body.folder_id, 'folder_id');
  if (id === ROOT_ID) throw KO.rootFolder();
  const f = folderOr404(core, id);
  const rename = optStr(body.rename, 'rename') || undefined;
  const requested = optInt(body.destination_folder_id, 'destination_folder_id') ?? ROOT_ID;
  folderOr404(core, requested);
  const dest = rename !== undefined && core.config.folderMvRename === 'rename-only' ? f.parent_id! : requested;
  const newName = rename ?? f.name;
  if (core.state.isWithin(dest, id)) throw KO.folderIntoItself();
  const clash = core.state.folderNamed(dest, newName);
  if (clash && clash.id !== id && core.config.duplicateFolders === 'refuse') throw KO.folderExists(200);
  core.state.updateFolder(id, dest, newName);
  return { status: 'OK', old_name: f.name, new_name: newName };
}
