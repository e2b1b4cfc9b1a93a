/**
 * One folder's entries from the API, with as few calls as the answers allow:
 * folder/ls with `files: 1` gives sub-folders and files in one call. file/ls is called as well only when
 * the answer has no `items` key at all while the folder may hold files (no `files: 0` count in the
 * answer; a server could omit `items` for a folder without files), or when sub-folders + items reach
 * folder/ls's cap of 5000 entries (then file/ls, which is not capped, gives the files; logged as a warning).
 *
 * Names are decoded (encoding.ts `fromStoredName`); dates are Paris local time (parseWireDate): a file's
 * modTime is its upload `date`, a folder's its `create_date`; an unparsable date gives "now", as in rclone.
 * Order: sub-folders first, then files, each in the server's order.
 */
import type { FichierClient } from '../../api/client.ts';
import { parseWireDate, type FileEntry, type SubFolderEntry } from '../../api/types.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { joinPath } from '../../core/path.ts';
import type { RemoteEntry } from '../types.ts';
import { fromStoredName } from './encoding.ts';

/** folder/ls answers at most this many entries (sub-folders + files). */
export const FOLDER_LS_CAP = 5000;

export interface ListContext {
  client: FichierClient;
  clock: Clock;
  logger: Logger;
}

/**
 * Entries of folder `folderId`, shown at `dir`. Throws FichierApiError (not-found for an unknown folder id),
 * or the signal's reason.
 */
export async function listFolder(ctx: ListContext, folderId: number, dir: string, signal?: AbortSignal): Promise<RemoteEntry[]> {
  const res = await ctx.client.folderLs(folderId, { files: true, signal });
  const subs = res.sub_folders ?? [];
  let items = res.items ?? undefined;
  if (items === undefined) {
    items = res.files === 0 ? [] : (await ctx.client.fileLs(folderId, signal)).items;
  } else if (subs.length + items.length >= FOLDER_LS_CAP) {
    ctx.logger.warn({ dir, folderId, entries: subs.length + items.length }, 'folder/ls hit its 5000-entry cap; listing the files with file/ls');
    items = (await ctx.client.fileLs(folderId, signal)).items;
  }
  const now = ctx.clock.now();
  const entries: RemoteEntry[] = [];
  const add = (e: RemoteEntry): void => {
    if (e.name === '') ctx.logger.warn({ dir, id: e.id }, 'skipping an entry with an empty name');
    else entries.push(e);
  };
  for (const s of subs) add(dirEntry(dir, s, now));
  for (const f of items ?? []) add(fileEntry(dir, f, now));
  return entries;
}

function timeOf(wire: string | undefined, fallback: number): number {
  return (wire !== undefined ? parseWireDate(wire)?.getTime() : undefined) ?? fallback;
}

/** The entry of a sub-folder of `dir`. */
export function dirEntry(dir: string, s: SubFolderEntry, now: number): RemoteEntry {
  const name = fromStoredName(s.name);
  return { path: joinPath(dir, name), name, kind: 'dir', size: 0, modTime: timeOf(s.create_date, now), id: String(s.id), hashes: {} };
}

/** The entry of a file of `dir`. */
export function fileEntry(dir: string, f: FileEntry, now: number): RemoteEntry {
  const name = fromStoredName(f.filename);
  const wireDate = f.date ?? (f as { create_date?: string }).create_date;
  const mimeType = f['content-type'];
  return {
    path: joinPath(dir, name),
    name,
    kind: 'file',
    size: f.size,
    modTime: timeOf(wireDate, now),
    id: f.url,
    ...(typeof mimeType === 'string' && mimeType !== '' ? { mimeType } : {}),
    hashes: typeof f.checksum === 'string' && f.checksum !== '' ? { whirlpool: f.checksum.toLowerCase() } : {},
  };
}
